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
async fn send(
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

async fn login(state: &AppState, user: &str, password: &str) -> String {
    let (status, body, set) =
        send(state, "POST", "/api/v1/auth/login", None, Some(json!({"username": user, "password": password}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    set.split(';').next().unwrap().trim_start_matches("hongyan_session=").to_owned()
}

fn basic(key: &str, secret: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{key}:{secret}")))
}

async fn sends(state: &AppState, auth: &str) -> StatusCode {
    let body = json!({"to": ["13800138000"], "content": "通知", "category": "notification"}).to_string();
    let req = Request::post("/api/v1/messages")
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    router(state.clone()).oneshot(req).await.unwrap().status()
}

async fn admin(f: &Fixture) -> String {
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

/// A request signed the documented way, at `ts`, with `nonce`; `tamper` changes it after.
fn signed(key: &str, secret: &str, ts: i64, nonce: &str, body: &str, tamper: Option<&str>) -> Request<Body> {
    use sha2::{Digest, Sha256};
    let hash: String = Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let text = format!("POST\n/api/v1/messages\ncategory=x\n{ts}\n{nonce}\n{hash}");
    let sig = hongyan_engine::signed::sign(secret, &text);
    let auth = format!("HY1-HMAC-SHA256 Key={key}, Timestamp={ts}, Nonce={nonce}, Signature={sig}");
    let uri = if tamper == Some("query") { "/api/v1/messages?category=y" } else { "/api/v1/messages?category=x" };
    let body = if tamper == Some("body") { body.replace("13800138000", "13900139000") } else { body.to_owned() };
    Request::post(uri)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn signed_requests_resist_tampering_replay_and_skew() {
    let f = fixture("signed").await;
    let cred = f.state.engine.create_account("etax").await.unwrap();
    f.state.engine.sign_with(cred.account.id, "某省税务局", "").await.unwrap();
    let (key, secret) = (cred.key_id.as_str(), cred.secret.as_str());
    let body = json!({"to": ["13800138000"], "content": "通知", "category": "notification"}).to_string();
    let now = f.state.engine.clock().now().as_millis() / 1000;
    let call = |req| async { router(f.state.clone()).oneshot(req).await.unwrap() };
    let code = |resp: axum::response::Response| resp.status();
    assert_eq!(code(call(signed(key, secret, now, "nonce-aaaaaaaaaaaa", &body, None)).await), StatusCode::OK);
    let replay = call(signed(key, secret, now, "nonce-aaaaaaaaaaaa", &body, None)).await;
    let text = |r: axum::response::Response| async { to_bytes(r.into_body(), usize::MAX).await.unwrap() };
    assert!(String::from_utf8_lossy(&text(replay).await).contains("nonce_reused"));
    for tamper in ["body", "query"] {
        let r = call(signed(key, secret, now, &format!("nonce-{tamper}-bbbbbbbb"), &body, Some(tamper))).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{tamper} changed after signing");
    }
    let r = call(signed(key, "wrong-secret", now, "nonce-cccccccccccc", &body, None)).await;
    assert!(String::from_utf8_lossy(&text(r).await).contains("\"unauthorized\""));
    let r = call(signed(key, secret, now - 301, "nonce-dddddddddddd", &body, None)).await;
    assert!(String::from_utf8_lossy(&text(r).await).contains("timestamp_skewed"));
    let r = call(signed("HY0000000000000000", secret, now, "nonce-eeeeeeeeeeee", &body, None)).await;
    assert!(
        String::from_utf8_lossy(&text(r).await).contains("\"unauthorized\""),
        "an unknown key looks like a wrong one"
    );
    assert_eq!(
        code(call(signed(key, secret, now + 200, "nonce-ffffffffffff", &body, None)).await),
        StatusCode::OK,
        "within 5 minutes"
    );
}

#[tokio::test]
async fn rights_set_by_an_administrator_hold_on_every_http_endpoint() {
    let f = fixture("rights").await;
    let c = admin(&f).await;
    let (_, made, _) = send(
        &f.state,
        "POST",
        "/api/v1/admin/accounts",
        Some(&c),
        Some(json!({"name": "etax", "signature": "某省税务局"})),
    )
    .await;
    let id = made["account"]["id"].as_i64().unwrap();
    let key = basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap());
    let rights = format!("/api/v1/admin/accounts/{id}/rights");
    let put = |body: Value| send(&f.state, "PUT", &rights, Some(&c), Some(body));
    let from = |ip: &str, req: &mut Request<Body>| {
        let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
        req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    };
    let call = |method: &str, uri: &str, body: Option<Value>, ip: &str| {
        let mut req = Request::builder().method(method).uri(uri).header("authorization", &key);
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let mut req = req.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string()))).unwrap();
        from(ip, &mut req);
        let state = f.state.clone();
        async move {
            let resp = router(state).oneshot(req).await.unwrap();
            let status = resp.status();
            let v: Value =
                serde_json::from_slice(&to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap_or(Value::Null);
            (status, v["error"]["code"].as_str().unwrap_or("").to_owned())
        }
    };
    let notice = json!({"to": ["13800138000"], "content": "通知", "category": "notification"});
    assert_eq!(
        call("POST", "/api/v1/messages", Some(notice.clone()), "10.1.2.3").await.0,
        StatusCode::OK,
        "no restriction yet"
    );

    for bad in [
        json!({"interfaces": ["ftp"]}),
        json!({"ip_allow": ["10.0.0.0/33"]}),
        json!({"categories": ["promo"]}),
        json!({"operations": ["delete"]}),
    ] {
        assert_eq!(put(bad.clone()).await.0, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let (status, set, _) = put(json!({"interfaces": ["smpp", "cmpp"]})).await;
    assert_eq!((status, &set["interfaces"]), (StatusCode::OK, &json!(["smpp", "cmpp"])));
    assert_eq!(
        call("GET", "/api/v1/messages", None, "10.1.2.3").await,
        (StatusCode::FORBIDDEN, "interface_not_allowed".into())
    );

    put(json!({"interfaces": null, "operations": ["query"]})).await;
    assert_eq!(
        call("POST", "/api/v1/messages", Some(notice.clone()), "10.1.2.3").await,
        (StatusCode::FORBIDDEN, "operation_not_allowed".into())
    );
    assert_eq!(call("GET", "/api/v1/messages", None, "10.1.2.3").await.0, StatusCode::OK);
    assert_eq!(call("GET", "/api/v1/reports", None, "10.1.2.3").await.1, "operation_not_allowed");

    put(json!({"operations": null, "categories": ["verification"], "ip_allow": ["10.0.0.0/8", "192.0.2.7"]})).await;
    assert_eq!(
        call("POST", "/api/v1/messages", Some(notice.clone()), "10.1.2.3").await,
        (StatusCode::FORBIDDEN, "category_not_allowed".into())
    );
    assert_eq!(
        call("GET", "/api/v1/messages", None, "203.0.113.5").await,
        (StatusCode::FORBIDDEN, "address_not_allowed".into())
    );
    assert_eq!(call("GET", "/api/v1/messages", None, "192.0.2.7").await.0, StatusCode::OK);

    let (_, limited, _) = put(json!({"categories": null, "ip_allow": null, "rate": 1})).await;
    assert_eq!((&limited["rate"], &limited["categories"]), (&json!(1), &Value::Null));
    let mut codes = Vec::new();
    for i in 0..12 {
        let body = json!({"to": [format!("139001390{i:02}")], "content": "通知", "category": "notification"});
        codes.push(call("POST", "/api/v1/messages", Some(body), "10.1.2.3").await.0);
    }
    assert!(codes.contains(&StatusCode::TOO_MANY_REQUESTS), "the new rate applies at once: {codes:?}");
    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=account.rights", Some(&c), None).await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 4, "every change audited, refused ones are not changes");
}

#[tokio::test]
async fn no_endpoint_tells_one_tenant_about_another() {
    let f = fixture("tenants").await;
    let c = admin(&f).await;
    let mut keys = Vec::new();
    for name in ["etax", "interaction"] {
        let (_, made, _) = send(
            &f.state,
            "POST",
            "/api/v1/admin/accounts",
            Some(&c),
            Some(json!({"name": name, "signature": "某省税务局"})),
        )
        .await;
        keys.push((
            made["account"]["id"].as_i64().unwrap(),
            basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap()),
        ));
    }
    let user = json!({"username": "clerk", "role": "tenant", "account_id": keys[0].0, "password": "First-Login-2026"});
    send(&f.state, "POST", "/api/v1/admin/users", Some(&c), Some(user)).await;
    let clerk = login(&f.state, "clerk", "First-Login-2026").await;
    send(
        &f.state,
        "POST",
        "/api/v1/auth/password",
        Some(&clerk),
        Some(json!({"current": "First-Login-2026", "new": "Own-Password-2026"})),
    )
    .await;

    let call =
        |auth: Option<String>, cookie: Option<String>, method: &'static str, uri: String, body: Option<Value>| {
            let state = f.state.clone();
            async move {
                let mut req = Request::builder().method(method).uri(uri);
                if let Some(a) = auth {
                    req = req.header("authorization", a);
                }
                if let Some(c) = cookie {
                    req = req.header("cookie", format!("hongyan_session={c}"));
                }
                let req = match body {
                    Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
                    None => req.body(Body::empty()),
                }
                .unwrap();
                let resp = router(state).oneshot(req).await.unwrap();
                let status = resp.status();
                (
                    status,
                    serde_json::from_slice::<Value>(&to_bytes(resp.into_body(), usize::MAX).await.unwrap())
                        .unwrap_or(Value::Null),
                )
            }
        };
    // The clerk sends for its own account through the console session.
    let notice = json!({"to": ["13800138000"], "content": "A 的通知", "category": "notification"});
    let (status, sent) = call(None, Some(clerk.clone()), "POST", "/api/v1/messages".into(), Some(notice)).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let a_id = sent["results"][0]["message_id"].as_str().unwrap().to_owned();
    let (_, b_sent) = call(
        Some(keys[1].1.clone()),
        None,
        "POST",
        "/api/v1/messages".into(),
        Some(json!({"to": ["13800138000"], "content": "B 的通知", "category": "notification"})),
    )
    .await;
    let b_id = b_sent["results"][0]["message_id"].as_str().unwrap().to_owned();

    let b_key = Some(keys[1].1.clone());
    assert_eq!(
        call(b_key.clone(), None, "GET", format!("/api/v1/messages/{a_id}"), None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = call(b_key.clone(), None, "GET", "/api/v1/messages?to=13800138000".into(), None).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 1, "B sees only its own: {list}");
    assert_eq!(list["messages"][0]["id"], b_id.as_str());
    let (_, list) = call(None, Some(clerk.clone()), "GET", "/api/v1/messages".into(), None).await;
    assert_eq!(
        list["messages"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect::<Vec<_>>(),
        [a_id.as_str()]
    );
    assert_eq!(
        call(None, Some(clerk.clone()), "GET", format!("/api/v1/messages/{b_id}"), None).await.0,
        StatusCode::NOT_FOUND
    );
    for path in ["/api/v1/reports", "/api/v1/replies"] {
        let (status, page) = call(b_key.clone(), None, "GET", path.into(), None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.as_object().unwrap().values().filter_map(Value::as_array).all(|a| a.is_empty()), "{path}: {page}");
    }
    // People in the console see verification codes starred out; the sending system sees them.
    let code = json!({"to": ["13700137000"], "content": "您的验证码是 482913", "category": "verification"});
    let (_, sent) = call(Some(keys[0].1.clone()), None, "POST", "/api/v1/messages".into(), Some(code)).await;
    let code_id = sent["results"][0]["message_id"].as_str().unwrap().to_owned();
    let (_, seen) = call(None, Some(clerk.clone()), "GET", format!("/api/v1/messages/{code_id}"), None).await;
    assert_eq!(seen["content"], "【某省税务局】您的验证码是 ******");
    let (_, whole) = call(Some(keys[0].1.clone()), None, "GET", format!("/api/v1/messages/{code_id}"), None).await;
    assert_eq!(whole["content"], "【某省税务局】您的验证码是 482913");
    // An administrator's session is not an account: it neither sends nor reads messages.
    assert_eq!(call(None, Some(c.clone()), "GET", "/api/v1/messages".into(), None).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hostile_strings_are_stored_as_text_and_nothing_breaks() {
    let f = fixture("hostile").await;
    let c = admin(&f).await;
    let hostile = [
        "' OR '1'='1' --",
        "\"; DROP TABLE messages; --",
        "<script>alert(1)</script>",
        "${jndi:ldap://x/a}",
        "%00\u{0}null",
        "😀\u{202e}rtl",
    ];
    let (_, made, _) = send(
        &f.state,
        "POST",
        "/api/v1/admin/accounts",
        Some(&c),
        Some(json!({"name": "etax", "signature": "某省税务局"})),
    )
    .await;
    let key = basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap());
    for (i, h) in hostile.iter().enumerate() {
        let content = format!("内容{i}{h}");
        for body in [
            json!({"to": ["13800138000"], "content": content, "category": "notification"}),
            json!({"to": ["13800138000"], "content": "x", "category": "notification", "client_ref": format!("r{i}{h}")}),
            json!({"to": [h], "content": "x", "category": "notification"}),
            json!({"to": ["13800138000"], "content": "x", "category": h}),
            json!({"to": ["13800138000"], "content": "x", "category": "notification", "send_at": h}),
        ] {
            let req = Request::post("/api/v1/messages")
                .header("authorization", &key)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let resp = router(f.state.clone()).oneshot(req).await.unwrap();
            assert!(resp.status().as_u16() < 500, "{body} → {}", resp.status());
        }
        let names = [json!({"name": h}), json!({"name": "x", "signature": h}), json!({"name": "y", "expires_at": h})];
        for body in names {
            assert!(
                send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(body.clone())).await.0.as_u16() < 500,
                "{body}"
            );
        }
        let login_try = json!({"username": h, "password": h});
        assert_eq!(
            send(&f.state, "POST", "/api/v1/auth/login", None, Some(login_try)).await.0,
            StatusCode::UNAUTHORIZED
        );
        let q = format!("/api/v1/admin/audit?actor={}", urlencode(h));
        assert!(send(&f.state, "GET", &q, Some(&c), None).await.0.as_u16() < 500);
    }
    let list = Request::get("/api/v1/messages?limit=50").header("authorization", &key).body(Body::empty()).unwrap();
    let resp = router(f.state.clone()).oneshot(list).await.unwrap();
    let v: Value = serde_json::from_slice(&to_bytes(resp.into_body(), usize::MAX).await.unwrap()).unwrap();
    let stored: Vec<&str> = v["messages"].as_array().unwrap().iter().filter_map(|m| m["content"].as_str()).collect();
    for (i, h) in hostile.iter().enumerate().filter(|(_, h)| !h.contains('\u{0}')) {
        let want = format!("【某省税务局】内容{i}{h}");
        assert!(stored.contains(&want.as_str()), "`{want}` stored as sent: {stored:?}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
