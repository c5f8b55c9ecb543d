//! A carrier's report time is its own (CMPP's is to the minute) and may read earlier than our
//! submit; the detail shows it as given, with our receive time, and orders events by ours.

use hongyan_store::{ReportIn, SubmitOutcome};
use hongyan_types::Timestamp;
use serde_json::json;

use super::{basic, call, fixture, get, post, signed_account};

#[tokio::test]
async fn a_report_stamped_before_the_submit_is_listed_after_it_with_our_receive_time() {
    let f = fixture("events").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let body = json!({"to": ["13800138000"], "content": "通知", "category": "notification"});
    let (_, sent) = call(&f.state, post(&auth, body.to_string())).await;
    let id = sent["results"][0]["message_id"].as_str().unwrap().to_owned();
    let engine = &f.state.engine;
    let now = engine.clock().now().as_millis();
    let (submitted, received) = (Timestamp::from_millis(now + 1_000), Timestamp::from_millis(now + 2_000));
    // The carrier's Done_Time, to the minute: before our submit (and even before we accepted).
    let carrier = Timestamp::from_millis((now - 60_000) / 60_000 * 60_000);
    let message_id = id.parse().unwrap();
    let sub = SubmitOutcome {
        message_id,
        segment: 1,
        carrier_msg_id: Some("c1".into()),
        result: 0,
        error: None,
        at: submitted,
    };
    engine.submit_outcomes(vec![sub]).await.unwrap();
    let report = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "c1".into(),
        stat: "DELIVRD".into(),
        done_at: Some(carrier),
        received_at: received,
        raw: String::new(),
    };
    engine.reports(vec![report]).await.unwrap();

    let (_, d) = call(&f.state, get(&auth, &format!("/api/v1/messages/{id}"))).await;
    assert_eq!(d["report_time"], carrier.to_rfc3339_beijing(), "the carrier's time as given");
    assert_eq!(d["report_received_at"], received.to_rfc3339_beijing());
    let kinds: Vec<&str> = d["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["accepted", "submitted", "report"], "{d}");
    let report = &d["events"][2];
    assert_eq!(
        (&report["at"], &report["carrier_time"], &report["detail"]),
        (&json!(received.to_rfc3339_beijing()), &json!(carrier.to_rfc3339_beijing()), &json!("DELIVRD"))
    );
    assert_eq!(d["events"][1]["at"], submitted.to_rfc3339_beijing());
}
