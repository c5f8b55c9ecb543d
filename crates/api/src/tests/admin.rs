//! Console login and the administration API, driven as the console will: with the session
//! cookie. Each rule is tried from the side that should be refused.

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{fixture, Fixture};
use crate::{router, AppState};

/// A request with an optional session cookie and JSON body; the answer's status, body, and
/// Set-Cookie.
pub(super) async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("hongyan_session={c}"));
    }
    let req = match body {
        Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let set_cookie = resp.headers().get("set-cookie").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value, set_cookie)
}

pub(super) async fn login(state: &AppState, user: &str, password: &str) -> String {
    let (status, body, set) =
        send(state, "POST", "/api/v1/auth/login", None, Some(json!({"username": user, "password": password}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    set.split(';').next().unwrap().trim_start_matches("hongyan_session=").to_owned()
}

pub(super) fn basic(key: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}")))
}

pub(super) async fn sends(state: &AppState, auth: &str) -> StatusCode {
    let body = json!({"to": ["13800138000"], "content": "通知", "category": "notification"}).to_string();
    let req = Request::post("/api/v1/messages")
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    router(state.clone()).oneshot(req).await.unwrap().status()
}

pub(super) async fn admin(f: &Fixture) -> String {
    f.state.engine.bootstrap_admin(Some("Initial-Pass-1".into())).await.unwrap();
    let c = login(&f.state, "admin", "Initial-Pass-1").await;
    let (status, body, _) = send(&f.state, "GET", "/api/v1/admin/accounts", Some(&c), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("password_change_required")));
    let weak = json!({"current": "Initial-Pass-1", "new": "short"});
    assert_eq!(
        send(&f.state, "POST", "/api/v1/auth/password", Some(&c), Some(weak)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let good = json!({"current": "Initial-Pass-1", "new": "Tax-Bureau-2026!"});
    assert_eq!(send(&f.state, "POST", "/api/v1/auth/password", Some(&c), Some(good)).await.0, StatusCode::NO_CONTENT);
    c
}

#[tokio::test]
async fn login_me_and_logout_with_a_strict_cookie() {
    let f = fixture("console-login").await;
    f.state.engine.bootstrap_admin(Some("Initial-Pass-1".into())).await.unwrap();
    let (status, body, set) =
        send(&f.state, "POST", "/api/v1/auth/login", None, Some(json!({"username": "admin", "password": "nope"})))
            .await;
    assert_eq!(
        (status, body["error"]["code"].as_str(), set.as_str()),
        (StatusCode::UNAUTHORIZED, Some("login_failed"), "")
    );
    let (_, unknown, _) =
        send(&f.state, "POST", "/api/v1/auth/login", None, Some(json!({"username": "ghost", "password": "nope"})))
            .await;
    assert_eq!(unknown, body, "an unknown user is answered exactly like a wrong password");
    let (status, me, set) = send(
        &f.state,
        "POST",
        "/api/v1/auth/login",
        None,
        Some(json!({"username": "admin", "password": "Initial-Pass-1"})),
    )
    .await;
    assert_eq!(
        (status, me["role"].as_str(), me["must_change_password"].as_bool()),
        (StatusCode::OK, Some("admin"), Some(true))
    );
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/"), "{set}");
    let cookie = set.split(';').next().unwrap().trim_start_matches("hongyan_session=").to_owned();
    assert_eq!(send(&f.state, "GET", "/api/v1/auth/me", Some(&cookie), None).await.1["username"], "admin");
    let (status, _, cleared) = send(&f.state, "POST", "/api/v1/auth/logout", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let (status, body, _) = send(&f.state, "GET", "/api/v1/auth/me", Some(&cookie), None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("login_required")));
    assert_eq!(send(&f.state, "GET", "/api/v1/admin/accounts", None, None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_administrator_runs_an_accounts_whole_life_and_every_step_is_audited() {
    let f = fixture("console-accounts").await;
    let c = admin(&f).await;
    let new = json!({"name": "电子税务局", "signature": "某省税务局", "expires_at": "2099-01-01T00:00:00+08:00"});
    let (status, made, _) = send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(new.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["account"]["state"], "active");
    let id = made["account"]["id"].as_i64().unwrap();
    let key = basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap());
    assert_eq!(sends(&f.state, &key).await, StatusCode::OK);
    assert_eq!(send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(new)).await.0, StatusCode::CONFLICT);

    let uri = format!("/api/v1/admin/accounts/{id}");
    let (_, disabled, _) = send(&f.state, "PATCH", &uri, Some(&c), Some(json!({"enabled": false}))).await;
    assert_eq!(disabled["state"], "disabled");
    assert_eq!(sends(&f.state, &key).await, StatusCode::UNAUTHORIZED, "a disabled account's key stops at once");
    send(&f.state, "PATCH", &uri, Some(&c), Some(json!({"enabled": true, "expires_at": "2020-01-01T00:00:00+08:00"})))
        .await;
    assert_eq!(sends(&f.state, &key).await, StatusCode::UNAUTHORIZED, "expired");
    let (_, cleared, _) = send(&f.state, "PATCH", &uri, Some(&c), Some(json!({"expires_at": null}))).await;
    assert_eq!((cleared["state"].as_str(), &cleared["expires_at"]), (Some("active"), &Value::Null));
    assert_eq!(sends(&f.state, &key).await, StatusCode::OK);

    let (status, second, _) = send(&f.state, "POST", &format!("{uri}/keys"), Some(&c), None).await;
    assert_eq!(status, StatusCode::CREATED);
    let key2 = basic(second["key_id"].as_str().unwrap(), second["secret"].as_str().unwrap());
    let first_id = made["key_id"].as_str().unwrap();
    assert_eq!(
        send(&f.state, "DELETE", &format!("{uri}/keys/{first_id}"), Some(&c), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(sends(&f.state, &key).await, StatusCode::UNAUTHORIZED, "revoked");
    assert_eq!(sends(&f.state, &key2).await, StatusCode::OK, "the rotated key works");
    let (_, detail, _) = send(&f.state, "GET", &uri, Some(&c), None).await;
    let keys = detail["keys"].as_array().unwrap();
    assert!(keys[0]["revoked_at"].is_string() && keys[0]["last_used_at"].is_string(), "{detail}");
    assert!(keys[1]["revoked_at"].is_null() && keys[1]["last_used_at"].is_string(), "{detail}");

    assert_eq!(send(&f.state, "DELETE", &uri, Some(&c), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(sends(&f.state, &key2).await, StatusCode::UNAUTHORIZED, "deleted");
    let (_, gone, _) = send(&f.state, "GET", &uri, Some(&c), None).await;
    assert_eq!(gone["state"], "deleted", "the records stay");
    assert_eq!(send(&f.state, "PATCH", &uri, Some(&c), Some(json!({"enabled": true}))).await.0, StatusCode::CONFLICT);

    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=account.update", Some(&c), None).await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let first_change = &entries[2];
    assert_eq!(
        (first_change["actor"].as_str(), first_change["target"].as_str()),
        (Some("admin"), Some(format!("account:{id}").as_str()))
    );
    assert!(
        first_change["before"].as_str().unwrap().contains("\"active\"")
            && first_change["after"].as_str().unwrap().contains("\"disabled\"")
    );
    let (_, csv, _) = send(&f.state, "GET", "/api/v1/admin/audit?format=csv&actor=admin", Some(&c), None).await;
    let csv = csv.as_str().unwrap();
    assert!(
        csv.starts_with("id,at,actor,address,action,target,before,after,outcome\n") && csv.contains("\"key.revoke\""),
        "{csv}"
    );
    for action in ["login", "password.change", "account.create", "key.create", "key.revoke", "account.delete"] {
        assert!(csv.contains(&format!("\"{action}\"")), "{action} is audited");
    }
}

#[tokio::test]
async fn roles_see_only_what_they_may() {
    let f = fixture("console-roles").await;
    let c = admin(&f).await;
    let (_, made, _) = send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(json!({"name": "etax"}))).await;
    let id = made["account"]["id"].as_i64().unwrap();
    let mut cookies = Vec::new();
    for (name, role, account) in [("aud", "auditor", None), ("ops", "operator", None), ("tax", "tenant", Some(id))] {
        let user = json!({"username": name, "role": role, "account_id": account, "password": "First-Login-2026"});
        assert_eq!(send(&f.state, "POST", "/api/v1/admin/users", Some(&c), Some(user)).await.0, StatusCode::CREATED);
        let cookie = login(&f.state, name, "First-Login-2026").await;
        let change = json!({"current": "First-Login-2026", "new": "Own-Password-2026"});
        assert_eq!(
            send(&f.state, "POST", "/api/v1/auth/password", Some(&cookie), Some(change)).await.0,
            StatusCode::NO_CONTENT
        );
        cookies.push(cookie);
    }
    let bad = json!({"username": "x", "role": "tenant", "password": "First-Login-2026"});
    assert_eq!(
        send(&f.state, "POST", "/api/v1/admin/users", Some(&c), Some(bad)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a tenant names its account"
    );
    let (aud, ops, tax) = (&cookies[0], &cookies[1], &cookies[2]);
    assert_eq!(send(&f.state, "GET", "/api/v1/admin/audit", Some(aud), None).await.0, StatusCode::OK);
    assert_eq!(send(&f.state, "GET", "/api/v1/admin/accounts", Some(aud), None).await.0, StatusCode::OK);
    assert_eq!(
        send(&f.state, "POST", "/api/v1/admin/accounts", Some(aud), Some(json!({"name": "x"}))).await.0,
        StatusCode::FORBIDDEN,
        "read-only"
    );
    assert_eq!(send(&f.state, "GET", "/api/v1/admin/audit", Some(ops), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&f.state, "DELETE", &format!("/api/v1/admin/accounts/{id}"), Some(ops), None).await.0,
        StatusCode::FORBIDDEN
    );
    for (method, uri) in [
        ("GET", "/api/v1/admin/accounts".to_owned()),
        ("GET", format!("/api/v1/admin/accounts/{id}")),
        ("GET", "/api/v1/admin/audit".to_owned()),
        ("POST", format!("/api/v1/admin/accounts/{id}/keys")),
    ] {
        assert_eq!(
            send(&f.state, method, &uri, Some(tax), None).await.0,
            StatusCode::FORBIDDEN,
            "tenant: {method} {uri}"
        );
    }
    let (_, me, _) = send(&f.state, "GET", "/api/v1/auth/me", Some(tax), None).await;
    assert_eq!((me["role"].as_str(), me["account_id"].as_i64()), (Some("tenant"), Some(id)));
}

#[tokio::test]
async fn callbacks_and_failed_pushes_are_managed_through_the_admin_api() {
    let f = fixture("admin-callback").await;
    let c = admin(&f).await;
    let (_, made, _) = send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(json!({"name": "etax"}))).await;
    let id = made["account"]["id"].as_i64().unwrap();
    let uri = format!("/api/v1/admin/accounts/{id}/callback");
    let (status, body, _) = send(&f.state, "PUT", &uri, Some(&c), Some(json!({"url": "ftp://x/cb"}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_callback_url"))
    );
    let (status, set, _) = send(&f.state, "PUT", &uri, Some(&c), Some(json!({"url": "http://10.0.0.8/cb"}))).await;
    assert_eq!(
        (status, set["url"].as_str(), set["secret"].as_str().map(str::len)),
        (StatusCode::OK, Some("http://10.0.0.8/cb"), Some(64))
    );
    let (_, cleared, _) = send(&f.state, "PUT", &uri, Some(&c), Some(json!({"url": null}))).await;
    assert_eq!(cleared["url"], Value::Null);
    let (status, list, _) =
        send(&f.state, "GET", &format!("/api/v1/admin/push-failures?account={id}"), Some(&c), None).await;
    assert_eq!((status, list["failures"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    assert_eq!(
        send(&f.state, "POST", "/api/v1/admin/push-failures/99/resend", Some(&c), None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=account.callback", Some(&c), None).await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 2, "set and cleared, audited; the secret never is");
    assert!(!log.to_string().contains(set["secret"].as_str().unwrap()));
}

#[tokio::test]
async fn signatures_templates_and_blacklists_through_the_admin_api() {
    let f = fixture("admin-content").await;
    let c = admin(&f).await;
    let (_, made, _) = send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(json!({"name": "etax"}))).await;
    let id = made["account"]["id"].as_i64().unwrap();
    let key = basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap());
    assert_eq!(sends(&f.state, &key).await, StatusCode::UNPROCESSABLE_ENTITY, "no signature yet");

    let sigs = format!("/api/v1/admin/accounts/{id}/signatures");
    assert_eq!(
        send(&f.state, "POST", &sigs, Some(&c), Some(json!({"text": "【坏】"}))).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, sig, _) =
        send(&f.state, "POST", &sigs, Some(&c), Some(json!({"text": "某省税务局", "extension": "01"}))).await;
    assert_eq!((status, sig["status"].as_str()), (StatusCode::CREATED, Some("pending")));
    let sid = sig["id"].as_i64().unwrap();
    let default = format!("/api/v1/admin/accounts/{id}/default-signature");
    let (status, body, _) = send(&f.state, "PUT", &default, Some(&c), Some(json!({"signature_id": sid}))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("signature_not_approved"))
    );
    assert_eq!(
        send(&f.state, "POST", &format!("/api/v1/admin/signatures/{sid}/approve"), Some(&c), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&f.state, "PUT", &default, Some(&c), Some(json!({"signature_id": sid}))).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(sends(&f.state, &key).await, StatusCode::OK, "signed now");
    let (_, listed, _) = send(&f.state, "GET", &sigs, Some(&c), None).await;
    assert_eq!(
        listed["signatures"][0]["default_for"],
        json!(["marketing", "notification", "verification"]),
        "every category"
    );

    // The account proposes a template over its interface; an administrator approves it.
    let propose = json!({"name": "login", "body": "您的验证码是${code}", "category": "verification"}).to_string();
    let req = Request::post("/api/v1/templates")
        .header("authorization", &key)
        .header("content-type", "application/json")
        .body(Body::from(propose))
        .unwrap();
    let resp = router(f.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let t: Value = serde_json::from_slice(&to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap();
    let tid = t["id"].as_i64().unwrap();
    assert_eq!(
        send(&f.state, "POST", &format!("/api/v1/admin/templates/{tid}/approve"), Some(&c), None).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, tpls, _) = send(&f.state, "GET", &format!("/api/v1/admin/accounts/{id}/templates"), Some(&c), None).await;
    assert_eq!(tpls["templates"][0]["status"], "approved");
    assert_eq!(
        send(&f.state, "POST", &format!("/api/v1/admin/templates/{tid}/frobnicate"), Some(&c), None).await.0,
        StatusCode::NOT_FOUND
    );

    let entry = json!({"number": "+86 138-0013-8000", "account": id, "reason": "complaint"});
    assert_eq!(
        send(&f.state, "POST", "/api/v1/admin/blacklist", Some(&c), Some(entry.clone())).await.0,
        StatusCode::CREATED
    );
    let (_, bl, _) = send(&f.state, "GET", &format!("/api/v1/admin/blacklist?account={id}"), Some(&c), None).await;
    assert_eq!(bl["entries"][0]["number"], "13800138000");
    let blocked = Request::post("/api/v1/messages")
        .header("authorization", &key)
        .header("content-type", "application/json")
        .body(Body::from(json!({"to": ["13800138000"], "content": "通知", "category": "notification"}).to_string()))
        .unwrap();
    let v: Value = serde_json::from_slice(
        &to_bytes(router(f.state.clone()).oneshot(blocked).await.unwrap().into_body(), usize::MAX).await.unwrap(),
    )
    .unwrap();
    assert_eq!(v["results"][0]["error"], "blacklisted", "{v}");
    assert_eq!(
        send(&f.state, "DELETE", "/api/v1/admin/blacklist", Some(&c), Some(entry)).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=blacklist.add", Some(&c), None).await;
    assert_eq!(log["entries"][0]["after"], "138****8000", "numbers are masked in the audit log too");
}

/// A login from `addr` (the listener gives the handler the peer through `ConnectInfo`).
async fn login_from(state: &AppState, addr: &str, user: &str, password: &str) -> (StatusCode, Value) {
    let peer: std::net::SocketAddr = format!("{addr}:40000").parse().unwrap();
    let mut req = Request::post("/api/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(json!({"username": user, "password": password}).to_string()))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    (status, serde_json::from_slice(&to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap())
}

#[tokio::test]
async fn logins_are_throttled_per_address_and_the_administrator_gets_in_from_loopback() {
    let f = fixture("console-throttle").await;
    f.state.engine.bootstrap_admin(Some("Initial-Pass-1".into())).await.unwrap();
    for _ in 0..5 {
        login_from(&f.state, "203.0.113.7", "admin", "guess").await;
    }
    let (status, locked) = login_from(&f.state, "203.0.113.8", "admin", "Initial-Pass-1").await;
    let (_, unknown) = login_from(&f.state, "203.0.113.8", "nobody", "Initial-Pass-1").await;
    assert_eq!((status, &locked), (StatusCode::UNAUTHORIZED, &unknown), "locked and unknown read the same");
    assert_eq!(login_from(&f.state, "127.0.0.1", "admin", "Initial-Pass-1").await.0, StatusCode::OK);

    for i in 0..20 {
        login_from(&f.state, "198.51.100.4", &format!("name{i}"), "guess").await;
    }
    let (status, body) = login_from(&f.state, "198.51.100.4", "admin", "Initial-Pass-1").await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("login_throttled")));
}
