//! Searching messages: by sender and recipient, across accounts for staff (masked by role and
//! audited), exports, and every bad filter refused with its reason.

use axum::http::StatusCode;
use hongyan_types::Carrier;
use serde_json::json;

use super::admin::{admin, basic, send};
use super::fixture_on;

#[tokio::test]
async fn sender_recipient_and_staff_searches_with_masking_audit_and_bad_input() {
    let f = fixture_on("search", &[Carrier::ChinaMobile, Carrier::ChinaUnicom]).await;
    let c = admin(&f).await;
    let mut keys = Vec::new();
    for name in ["etax", "hudong"] {
        let body = json!({"name": name, "signature": "某省税务局"});
        let (_, made, _) = send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(body)).await;
        keys.push((
            made["key_id"].as_str().unwrap().to_owned(),
            basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap()),
        ));
    }
    for (_, key) in &keys {
        let body = json!({"to": ["13800138000", "18612345678"], "content": "您的验证码是 135790", "category": "verification", "client_ref": "r1"});
        let req = axum::http::Request::post("/api/v1/messages")
            .header("authorization", key.as_str())
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body.to_string()))
            .unwrap();
        assert_eq!(super::call(&f.state, req).await.0, StatusCode::OK);
    }
    let (key_id, key) = &keys[0];
    let own = |uri: &str| super::call(&f.state, super::get(key, uri));

    let (status, page) = own(&format!("/api/v1/messages?sender=key:{key_id}&carrier=china_unicom")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let found = page["messages"].as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0]["to"].as_str(), found[0]["sender"].as_str(), found[0]["interface"].as_str()),
        (Some("18612345678"), Some(format!("key:{key_id}").as_str()), Some("http"))
    );
    assert_eq!(found[0]["content"], "【某省税务局】您的验证码是 135790", "the sending system sees its own text whole");
    let (_, mine) = own("/api/v1/messages?client_ref=r1").await;
    assert_eq!(mine["messages"].as_array().unwrap().len(), 2, "only its own, never the other account's");

    // Staff: every account, masked for operators, each search audited.
    let (status, all, _) = send(&f.state, "GET", "/api/v1/admin/messages?to=13800138000", Some(&c), None).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["messages"].as_array().unwrap().len(), 2, "both accounts");
    assert!(all["messages"][0]["content"].as_str().unwrap().contains("******"), "codes starred out for people");
    let new_user = json!({"username": "ops1", "role": "operator", "password": "Operator-Pass-1"});
    send(&f.state, "POST", "/api/v1/admin/users", Some(&c), Some(new_user)).await;
    let ops = super::admin::login(&f.state, "ops1", "Operator-Pass-1").await;
    send(
        &f.state,
        "POST",
        "/api/v1/auth/password",
        Some(&ops),
        Some(json!({"current": "Operator-Pass-1", "new": "Operator-Pass-2"})),
    )
    .await;
    let (_, seen, _) = send(&f.state, "GET", "/api/v1/admin/messages?to=13800138000", Some(&ops), None).await;
    assert_eq!(seen["messages"][0]["to"], "138****8000", "an operator sees the number masked");
    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=messages.search", Some(&c), None).await;
    let entries = log["entries"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["actor"] == "ops1" && e["after"].as_str().unwrap().contains("138****8000")),
        "{log}"
    );
    assert!(!log.to_string().contains("13800138000"), "the audit log never holds the number");

    // Exports: CSV of the caller's own search, audited.
    let req = super::get(key, "/api/v1/messages/export?format=csv&client_ref=r1");
    let resp = tower::ServiceExt::oneshot(crate::router(f.state.clone()), req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let csv = String::from_utf8(axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap().to_vec()).unwrap();
    assert_eq!(csv.lines().count(), 3, "a header and two rows: {csv}");
    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=messages.export", Some(&c), None).await;
    assert_eq!(log["entries"].as_array().unwrap().len(), 1);

    for (query, code) in [
        ("nope=1", "invalid_query"),
        ("account=2", "invalid_query"),
        ("before=abc", "invalid_cursor"),
        ("to=123", "invalid_number"),
        ("carrier=mars", "invalid_carrier"),
        ("status=lost", "invalid_status"),
        ("since=2026-12-02&until=2026-12-01", "invalid_range"),
        ("since=2024-01-01&until=2026-01-01", "invalid_range"),
        ("since=yesterday", "invalid_time"),
        ("limit=0", "invalid_limit"),
        ("category=nope", "unknown_category"),
    ] {
        let (status, body) = own(&format!("/api/v1/messages?{query}")).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{query}: {body}");
    }
    let (status, body) = own("/api/v1/messages/export?format=pdf").await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
}
