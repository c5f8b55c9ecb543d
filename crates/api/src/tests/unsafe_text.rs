//! Text that is never delivered (controls, bidi overrides and isolates, nothing visible) is
//! refused on every HTTP way in, with the character named.

use axum::http::StatusCode;
use serde_json::json;

use super::{basic, call, csv, fixture, post, signed_account};

fn pct(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn a_single_send_names_the_refused_character() {
    let f = fixture("unsafe-single").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let cases = [
        ("abcd\u{202e}efg", "content contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 5"),
        ("通知\u{0}截断", "content contains U+0000 (NULL) at position 3"),
        ("\u{1b}[2J清屏", "content contains U+001B (ESCAPE) at position 1"),
        ("响铃\u{7}", "content contains U+0007 (BELL) at position 3"),
        ("退格\u{8}", "content contains U+0008 (BACKSPACE) at position 3"),
        ("x\u{2066}y\u{2069}", "content contains U+2066 (LEFT-TO-RIGHT ISOLATE) at position 2"),
        ("\u{200b}\u{200d}\u{feff}", "content has only invisible characters (zero-width, format or space characters)"),
    ];
    for (content, want) in cases {
        let body = json!({"to": ["13800138000"], "content": content, "category": "notification"});
        let (status, err) = call(&f.state, post(&auth, body.to_string())).await;
        assert_eq!(
            (status, err["error"]["code"].as_str(), err["error"]["message"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("unsafe_content"), Some(want)),
            "{content:?}"
        );
    }
    let fine = json!({"to": ["13800138000"], "content": "第一行\r\n第二行\t👨\u{200d}👩\u{200d}👧", "category": "notification"});
    assert_eq!(call(&f.state, post(&auth, fine.to_string())).await.0, StatusCode::OK, "line breaks, tabs, emoji pass");
}

#[tokio::test]
async fn a_bulk_send_refuses_the_content_before_any_number() {
    let f = fixture("unsafe-bulk").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let uri = format!("/api/v1/bulk?category=notification&content={}", pct("退税\u{202e}txt.exe"));
    let (status, err) = call(&f.state, csv(&auth, &uri, "号码\n13800138000\n13900139000\n")).await;
    assert_eq!(
        (status, err["error"]["code"].as_str(), err["error"]["message"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("unsafe_content"),
            Some("content contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 3")
        )
    );
}

#[tokio::test]
async fn template_bodies_and_values_are_held_to_the_same_rule() {
    let f = fixture("unsafe-template").await;
    let cred = signed_account(&f.state, "etax").await;
    let auth = basic(&cred);
    let bad_body = json!({"name": "t1", "body": "您好\u{202d}${name}", "category": "notification"});
    let req = axum::http::Request::post("/api/v1/templates")
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(bad_body.to_string()))
        .unwrap();
    let (status, err) = call(&f.state, req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(
        err["error"]["message"].as_str(),
        Some("the template body contains U+202D (LEFT-TO-RIGHT OVERRIDE) at position 3")
    );

    let engine = &f.state.engine;
    let tpl = engine
        .add_template(cred.account.id, "bill", "尊敬的${name}：请缴税。", hongyan_types::Category::NOTIFICATION)
        .await
        .unwrap();
    f.store
        .decide_template(tpl.id, hongyan_store::SignatureStatus::Approved, hongyan_types::Timestamp::from_millis(0))
        .await
        .unwrap();
    let body = json!({"to": ["13800138000"], "template_id": tpl.id, "params": {"name": "张\u{2067}三"}, "category": "notification"});
    let (status, err) = call(&f.state, post(&auth, body.to_string())).await;
    assert_eq!(
        (status, err["error"]["code"].as_str(), err["error"]["message"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_params"),
            Some("template parameters: parameter `name` contains U+2067 (RIGHT-TO-LEFT ISOLATE) at position 2")
        )
    );
}
