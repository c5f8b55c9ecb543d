//! Security rules tried from the side that should be refused: signed requests (tampering,
//! replay, skew), rights on every HTTP endpoint, tenant isolation, hostile strings.

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::admin::{admin, basic, login, send};
use super::fixture;
use crate::router;

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
    // Another process on the same store — or this one after a restart — refuses the replay too.
    let dir = std::env::temp_dir().join(format!("hongyan-api-signed-{}", std::process::id()));
    let store = std::sync::Arc::new(hongyan_store_sqlite::SqliteStore::open(&dir.join("db")).unwrap());
    let clock = std::sync::Arc::new(hongyan_engine::SystemClock);
    let (engine, _queues) = hongyan_engine::Engine::new(store, clock, &[]).await.unwrap();
    let ready = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let restarted = crate::AppState { engine, ready, console: crate::ConsoleSettings::default() };
    let replay = router(restarted).oneshot(signed(key, secret, now, "nonce-aaaaaaaaaaaa", &body, None)).await.unwrap();
    assert!(String::from_utf8_lossy(&text(replay).await).contains("nonce_reused"), "the window reopened");
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
    // NUL and the bidi override are refused (unsafe_content); the rest is stored as sent.
    for (i, h) in hostile.iter().enumerate().filter(|(_, h)| !h.contains(['\u{0}', '\u{202e}'])) {
        let want = format!("【某省税务局】内容{i}{h}");
        assert!(stored.contains(&want.as_str()), "`{want}` stored as sent: {stored:?}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}
