//! Price tables in the rights, and statements priced with them: what a carrier accepted is
//! billed at the most specific rule, nothing else is, and a missing price shows.

use axum::http::StatusCode;
use hongyan_store::{MessageId, SubmitOutcome, Timestamp};
use hongyan_types::Carrier;
use serde_json::{json, Value};

use super::admin::{admin, basic, send};
use super::fixture_on;
use crate::AppState;

fn today() -> String {
    Timestamp::from_system(std::time::SystemTime::now()).to_rfc3339_beijing()[..10].to_owned()
}

/// Sends one message as the account; its id.
async fn sent(state: &AppState, key: &str, to: &str, category: &str, content: &str) -> u64 {
    let body = json!({"to": [to], "content": content, "category": category}).to_string();
    let req = axum::http::Request::post("/api/v1/messages")
        .header("authorization", key)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body))
        .unwrap();
    let (status, answer) = super::call(state, req).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["results"][0]["message_id"].as_str().unwrap().parse().unwrap()
}

/// The carrier's answer to one segment, as a gateway link records it.
fn answered(id: u64, segment: u8, result: u32) -> SubmitOutcome {
    SubmitOutcome {
        message_id: MessageId(id),
        segment,
        carrier_msg_id: (result == 0).then(|| format!("c{id}-{segment}")),
        result,
        error: None,
        at: Timestamp::from_system(std::time::SystemTime::now()),
    }
}

fn line<'a>(statement: &'a Value, carrier: &str, category: &str) -> &'a Value {
    statement["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["carrier"] == carrier && l["category"] == category)
        .unwrap_or_else(|| panic!("no {carrier}/{category} line in {statement}"))
}

#[tokio::test]
async fn a_statement_bills_what_carriers_accepted_at_the_most_specific_price() {
    let f = fixture_on("statement", &[Carrier::ChinaMobile, Carrier::ChinaUnicom, Carrier::ChinaTelecom]).await;
    let c = admin(&f).await;
    let new = json!({"name": "电子税务局", "signature": "某省税务局"});
    let (_, made, _) = send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(new)).await;
    let id = made["account"]["id"].as_i64().unwrap();
    let key = basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap());
    let rights = format!("/api/v1/admin/accounts/{id}/rights");
    let prices = json!({"prices": [
        {"price": "0.04"},
        {"carrier": "china_telecom", "price": "0.038"},
        {"category": "marketing", "price": "0.055"}
    ]});
    let (status, set, _) = send(&f.state, "PUT", &rights, Some(&c), Some(prices)).await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["prices"][0], json!({"carrier": null, "category": null, "price": "0.0400"}));
    assert_eq!(send(&f.state, "GET", &rights, Some(&c), None).await.1["prices"], set["prices"], "kept");

    let mobile = sent(&f.state, &key, "13800138000", "verification", "您的验证码是 123456").await;
    let long = "您本年度个人所得税综合所得汇算清缴已受理，请登录电子税务局查看办理进度。".repeat(2);
    let unicom = sent(&f.state, &key, "18612345678", "notification", &long).await;
    let telecom = sent(&f.state, &key, "18912345678", "verification", "您的验证码是 654321").await;
    let _waiting = sent(&f.state, &key, "13900139000", "notification", "尚未发出").await;
    // Mobile and Telecom accept; Unicom accepts the first of two segments and refuses the other.
    let answers = vec![answered(mobile, 1, 0), answered(unicom, 1, 0), answered(unicom, 2, 8), answered(telecom, 1, 0)];
    f.store.record_submits(answers).await.unwrap();

    let uri = format!("/api/v1/statement?from={d}&to={d}", d = today());
    let (status, s) = super::call(&f.state, super::get(&key, &uri)).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    let m = line(&s, "china_mobile", "verification");
    assert_eq!(
        (&m["messages"], &m["billed_segments"], &m["unit_price"], &m["amount"]),
        (&json!(1), &json!(1), &json!("0.0400"), &json!("0.0400"))
    );
    let u = line(&s, "china_unicom", "notification");
    assert_eq!((&u["billed_segments"], &u["amount"]), (&json!(1), &json!("0.0400")), "only the accepted segment");
    let t = line(&s, "china_telecom", "verification");
    assert_eq!((&t["unit_price"], &t["amount"]), (&json!("0.0380"), &json!("0.0380")), "the carrier's rule");
    let w = line(&s, "china_mobile", "notification");
    assert_eq!((&w["messages"], &w["billed_segments"], &w["amount"]), (&json!(1), &json!(0), &json!("0.0000")));
    assert_eq!(s["total"], json!({"messages": 4, "billed_segments": 3, "amount": "0.1180", "unpriced_segments": 0}));
    let lines = s["lines"].as_array().unwrap();
    let sum = |k: &str| lines.iter().map(|l| l[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("messages"), sum("billed_segments")), (4, 3), "the total is the sum of the lines");

    // The administrator's copy, as CSV for the bill.
    let csv_uri = format!("/api/v1/admin/accounts/{id}/statement?from={d}&to={d}&format=csv", d = today());
    let (status, csv, _) = send(&f.state, "GET", &csv_uri, Some(&c), None).await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    assert!(csv.starts_with("carrier,category,messages,billed_segments,delivered,unit_price,amount\n"), "{csv}");
    assert!(csv.contains("china_telecom,verification,1,1,0,0.0380,0.0380\n"), "{csv}");
    assert!(csv.ends_with("total,,4,3,,,0.1180\n"), "{csv}");

    // A price change after sending does not rewrite what was sent: those messages keep the
    // price of their day. What is sent without a price shows as unpriced.
    send(&f.state, "PUT", &rights, Some(&c), Some(json!({"prices": [{"price": "0.09"}]}))).await;
    let (_, again) = super::call(&f.state, super::get(&key, &uri)).await;
    assert_eq!(again["total"], s["total"], "the same statement after the price changed");
    send(&f.state, "PUT", &rights, Some(&c), Some(json!({"prices": null}))).await;
    let later = sent(&f.state, &key, "13700137000", "verification", "您的验证码是 111111").await;
    f.store.record_submits(vec![answered(later, 1, 0)]).await.unwrap();
    let (_, s) = super::call(&f.state, super::get(&key, &uri)).await;
    assert_eq!((&s["total"]["amount"], &s["total"]["unpriced_segments"]), (&json!("0.1180"), &json!(1)));
    assert_eq!(line(&s, "china_mobile", "verification")["amount"], Value::Null, "a line with an unpriced segment");

    // Another account's statement knows nothing of these messages.
    let other = json!({"name": "纳税服务", "signature": "某省税务局"});
    let (_, other, _) = send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(other)).await;
    let other_key = basic(other["key_id"].as_str().unwrap(), other["secret"].as_str().unwrap());
    let (_, theirs) = super::call(&f.state, super::get(&other_key, &uri)).await;
    assert_eq!((theirs["lines"].as_array().map(Vec::len), &theirs["total"]["messages"]), (Some(0), &json!(0)));
}

#[tokio::test]
async fn bad_prices_and_periods_are_refused_with_the_reason() {
    let f = fixture_on("statement-bad", &[Carrier::ChinaMobile]).await;
    let c = admin(&f).await;
    let (_, made, _) =
        send(&f.state, "POST", "/api/v1/admin/accounts", Some(&c), Some(json!({"name": "etax", "signature": "税务"})))
            .await;
    let id = made["account"]["id"].as_i64().unwrap();
    let key = basic(made["key_id"].as_str().unwrap(), made["secret"].as_str().unwrap());
    let rights = format!("/api/v1/admin/accounts/{id}/rights");
    let many: Vec<Value> = (0..65).map(|i| json!({"category": format!("c{i}"), "price": "1"})).collect();
    let cases = [
        (json!([{"price": "0.00001"}]), "0.00001"),
        (json!([{"price": "-1"}]), "-1"),
        (json!([{"carrier": "china_mobil", "price": "0.04"}]), "china_mobil"),
        (json!([{"category": "lottery", "price": "0.04"}]), "lottery"),
        (json!([{"price": "0.04"}, {"price": "0.05"}]), "two rules"),
        (json!(many), "at most 64"),
        (json!([{"price": "0.04", "discount": "1"}]), "discount"),
    ];
    for (prices, expected) in cases {
        let (status, body, _) = send(&f.state, "PUT", &rights, Some(&c), Some(json!({"prices": prices}))).await;
        assert!(status.is_client_error(), "{prices} was taken");
        assert!(body.to_string().contains(expected), "{prices}: {body}");
    }
    assert_eq!(send(&f.state, "GET", &rights, Some(&c), None).await.1["prices"], Value::Null, "nothing was set");

    for (query, code) in [
        ("from=2026-11-30&to=2026-11-01", "invalid_period"),
        ("from=2026-02-30&to=2026-03-01", "invalid_period"),
        ("from=2025-01-01&to=2026-12-31", "invalid_period"),
        ("from=2026-11-01", "invalid_period"),
        ("period=nope", "invalid_period"),
        ("period=x&from=2026-11-01&to=2026-11-02", "invalid_period"),
        ("from=2026-11-01&to=2026-11-30&format=xml", "invalid_query"),
    ] {
        let (status, body) = super::call(&f.state, super::get(&key, &format!("/api/v1/statement?{query}"))).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{query}");
    }
    // The statement is a query: an account without that right is refused.
    send(&f.state, "PUT", &rights, Some(&c), Some(json!({"operations": ["send"]}))).await;
    let (status, body) =
        super::call(&f.state, super::get(&key, "/api/v1/statement?from=2026-11-01&to=2026-11-30")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("operation_not_allowed")));
}
