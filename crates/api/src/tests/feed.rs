//! Pulling reports and replies: at least once, in order, per account.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hongyan_engine::{MoIn, NumberResult, SendRequest};
use hongyan_store::{ReportIn, SubmitOutcome};
use hongyan_types::{Category, Timestamp};
use serde_json::{json, Value};

use super::{basic, call, fixture, get, signed_account};
use crate::AppState;

fn ack(auth: &str, path: &str, cursor: &Value) -> Request<Body> {
    Request::post(path)
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Body::from(json!({ "cursor": cursor }).to_string()))
        .unwrap()
}

/// Sends to `to` for the account, and has the carrier accept and report each: `stats[i]`.
async fn delivered(state: &AppState, account: i64, to: &[&str], stats: &[&str]) -> Vec<String> {
    let to: Vec<String> = to.iter().map(|s| s.to_string()).collect();
    let out =
        state.engine.accept(account, SendRequest::new(to, "您的申报已受理", Category::NOTIFICATION)).await.unwrap();
    let now = Timestamp::from_millis(1_795_910_782_000);
    let mut ids = Vec::new();
    for (r, stat) in out.results.iter().zip(stats) {
        let NumberResult::Accepted { message_id, .. } = r else { panic!("{r:?}") };
        let carrier_msg_id = format!("c{}", message_id.0);
        let outcome = SubmitOutcome {
            message_id: *message_id,
            segment: 1,
            carrier_msg_id: Some(carrier_msg_id.clone()),
            result: 0,
            error: None,
            at: now,
        };
        state.engine.submit_outcomes(vec![outcome]).await.unwrap();
        let report = ReportIn {
            channel: "mobile".into(),
            carrier_msg_id,
            stat: stat.to_string(),
            done_at: Some(now),
            received_at: now,
            raw: String::new(),
        };
        state.engine.reports(vec![report]).await.unwrap();
        ids.push(message_id.to_string());
    }
    ids
}

#[tokio::test]
async fn reports_come_until_acknowledged_and_only_to_their_account() {
    let f = fixture("pull").await;
    let a = signed_account(&f.state, "etax").await;
    let b = signed_account(&f.state, "interaction").await;
    let (auth_a, auth_b) = (basic(&a), basic(&b));
    let ids = delivered(
        &f.state,
        a.account.id,
        &["13800138000", "13900139000", "13700137000"],
        &["DELIVRD", "UNDELIV", "DELIVRD"],
    )
    .await;

    let (status, page) = call(&f.state, get(&auth_a, "/api/v1/reports?limit=2")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let reports = page["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(
        (reports[0]["message_id"].as_str(), reports[0]["stat"].as_str()),
        (Some(ids[0].as_str()), Some("DELIVRD"))
    );
    assert_eq!(
        (reports[1]["to"].as_str(), reports[1]["message_status"].as_str()),
        (Some("13900139000"), Some("undelivered"))
    );
    assert_eq!(page["more"], true);
    let (_, again) = call(&f.state, get(&auth_a, "/api/v1/reports?limit=2")).await;
    assert_eq!(again, page, "unacknowledged reports come again");

    let (_, none) = call(&f.state, get(&auth_b, "/api/v1/reports")).await;
    assert_eq!(none["reports"], json!([]), "another account is told nothing");
    assert_eq!(none["cursor"], Value::Null);
    let (status, _) = call(&f.state, ack(&auth_b, "/api/v1/reports/ack", &page["cursor"])).await;
    assert_eq!(status, StatusCode::OK);
    let (_, still) = call(&f.state, get(&auth_a, "/api/v1/reports?limit=2")).await;
    assert_eq!(still, page, "another account's ack moves nothing of this one");

    let (status, acked) = call(&f.state, ack(&auth_a, "/api/v1/reports/ack", &page["cursor"])).await;
    assert_eq!((status, &acked["acked"]), (StatusCode::OK, &page["cursor"]));
    let (_, rest) = call(&f.state, get(&auth_a, "/api/v1/reports")).await;
    assert_eq!(rest["reports"].as_array().unwrap().len(), 1);
    assert_eq!(rest["reports"][0]["message_id"].as_str(), Some(ids[2].as_str()));
    assert_eq!(rest["more"], false);

    for (cursor, code) in [(json!("x"), "invalid_cursor"), (json!(5), "invalid_field")] {
        let (status, body) = call(&f.state, ack(&auth_a, "/api/v1/reports/ack", &cursor)).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(code)));
    }
    let (status, body) = call(&f.state, get(&auth_a, "/api/v1/reports?limit=0")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    let unauthenticated = Request::get("/api/v1/reports").body(Body::empty()).unwrap();
    assert_eq!(call(&f.state, unauthenticated).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn replies_are_pulled_by_the_account_their_extension_names() {
    let f = fixture("replies").await;
    let shop = f.state.engine.create_account("hall").await.unwrap();
    f.state.engine.sign_with(shop.account.id, "办税服务厅", "66").await.unwrap();
    let auth = basic(&shop);
    let other = basic(&signed_account(&f.state, "etax").await);
    for (ext, text) in [("66", "请问几点开门"), ("66", "TD"), ("77", "无主")] {
        let mo = MoIn {
            channel: "mobile".into(),
            from: "+8613800138000".into(),
            to: format!("10690000{ext}"),
            extension: Some(ext.into()),
            text: text.into(),
        };
        f.state.engine.mo(mo).await.unwrap();
    }
    let (status, page) = call(&f.state, get(&auth, "/api/v1/replies")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let replies = page["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 2, "{page}");
    assert_eq!((replies[0]["from"].as_str(), replies[0]["text"].as_str()), (Some("13800138000"), Some("请问几点开门")));
    assert_eq!((replies[0]["to"].as_str(), replies[0]["extension"].as_str()), (Some("1069000066"), Some("66")));
    assert_eq!((replies[0]["unsubscribe"].as_bool(), replies[1]["unsubscribe"].as_bool()), (Some(false), Some(true)));
    let (_, reports) = call(&f.state, get(&auth, "/api/v1/reports")).await;
    assert_eq!(reports["reports"], json!([]), "replies are not reports");
    let (_, none) = call(&f.state, get(&other, "/api/v1/replies")).await;
    assert_eq!(none["replies"], json!([]));
    call(&f.state, ack(&auth, "/api/v1/replies/ack", &page["cursor"])).await;
    let (_, after) = call(&f.state, get(&auth, "/api/v1/replies")).await;
    assert_eq!(after["replies"], json!([]));
}

#[tokio::test]
async fn a_request_names_a_callback_only_with_the_right_and_a_valid_url() {
    let f = fixture("cb-right").await;
    let cred = signed_account(&f.state, "etax").await;
    let auth = basic(&cred);
    let send = |url: &str| {
        let body = json!({ "to": ["13800138000"], "content": "通知", "category": "notification", "callback_url": url });
        Request::post("/api/v1/messages")
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let (status, body) = call(&f.state, send("http://10.1.1.1/cb")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("callback_not_allowed")));
    f.store.set_callback_per_request(cred.account.id, true).await.unwrap();
    let (status, body) = call(&f.state, send("ftp://10.1.1.1/cb")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_callback_url"))
    );
    let (status, body) = call(&f.state, send("http://10.1.1.1/cb")).await;
    assert_eq!((status, body["accepted"].as_u64()), (StatusCode::OK, Some(1)), "{body}");
}
