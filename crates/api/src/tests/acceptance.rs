//! The acceptance report over HTTP: a day of link-quality minutes and an incident judged
//! against the targets, as JSON and as a workbook; a late fix fails it.

use axum::http::StatusCode;
use hongyan_engine::statement::period;
use hongyan_store::{IncidentKind, IncidentPatch, LinkMinute, NewIncident, Timestamp};

use super::admin::{admin, send};
use super::fixture;

#[tokio::test]
async fn a_day_judged_against_the_targets_as_json_and_as_a_workbook() {
    let f = fixture("acceptance").await;
    let c = admin(&f).await;
    let engine = &f.state.engine;
    let store = &f.store;
    let now = engine.clock().now();
    let day = Timestamp::from_millis(now.as_millis() - 86_400_000).to_rfc3339_beijing()[..10].to_owned();
    let (start, _) = period(&day, &day).unwrap();
    // A whole day up but one minute, 5 ms round trips, one re-send in 2,880 sends.
    let rows: Vec<LinkMinute> = (0..1440)
        .map(|m| {
            let mut r = LinkMinute::empty("mobile", Timestamp::from_millis(start.as_millis() + m * 60_000));
            r.up_ms = if m == 600 { 0 } else { 60_000 };
            r.submits = 2;
            r.accepted = 2;
            r.resends = u32::from(m == 0);
            r.rtt.add(5_000);
            r.rtt.add(5_000);
            r.rtt_sum_us = 10_000;
            r.rtt_max_us = 5_000;
            r
        })
        .collect();
    store.save_link_minutes(rows).await.unwrap();
    let h = |x: i64| Timestamp::from_millis(start.as_millis() + x * 3_600_000);
    let new = NewIncident {
        kind: IncidentKind::ChannelDown,
        channel: Some("mobile".into()),
        symptom: "no link".into(),
        opened_at: h(10),
        opened_by: "system".into(),
        account_id: None,
    };
    let i = store.open_incident(new.clone()).await.unwrap();
    let done = IncidentPatch {
        fixed_at: Some(h(11)),
        cause: Some("gateway upgrade".into()),
        result: Some("restored".into()),
        reported_at: Some(Timestamp::from_millis(h(11).as_millis() + 1_800_000)),
        ..IncidentPatch::default()
    };
    store.update_incident(i.id, done).await.unwrap();

    let uri = format!("/api/v1/admin/acceptance?from={day}&to={day}");
    let (status, r, _) = send(&f.state, "GET", &uri, Some(&c), None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let ch = &r["channels"][0];
    assert_eq!(ch["name"], "mobile");
    let availability = ch["figures"]["availability"].as_f64().unwrap();
    assert!((availability - 1439.0 / 1440.0).abs() < 1e-9, "{availability}");
    assert_eq!(ch["figures"]["loss"].as_f64(), Some(1.0 / 2881.0));
    let met: Vec<_> = ch["targets"].as_array().unwrap().iter().map(|t| t["met"].as_bool()).collect();
    assert_eq!(
        met,
        [Some(true), None, Some(true), Some(true)],
        "latency, jitter (no pairs), loss 0.035 %, availability"
    );
    assert_eq!(r["incidents"]["fixed_in_time"], 1);
    assert_eq!(r["incidents"]["reported_in_time"], 1);
    assert_eq!(r["billing"][0]["messages"], 0);
    assert_eq!(r["passed"], true, "{r}");

    // A fix after the four hours fails the report too.
    let late = store.open_incident(NewIncident { opened_at: h(12), ..new }).await.unwrap();
    store.update_incident(late.id, IncidentPatch { fixed_at: Some(h(17)), ..IncidentPatch::default() }).await.unwrap();
    let (_, r, _) = send(&f.state, "GET", &uri, Some(&c), None).await;
    assert_eq!((r["incidents"]["total"].as_u64(), r["incidents"]["fixed_late"].as_u64()), (Some(2), Some(1)));
    assert_eq!(r["passed"], false);

    let req = axum::http::Request::get(format!("{uri}&format=xlsx"))
        .header("cookie", format!("hongyan_session={c}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(crate::router(f.state.clone()), req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    assert_eq!(&bytes[..2], b"PK", "a zip (XLSX) file");

    for (uri, status, code) in [
        ("/api/v1/admin/acceptance?from=2027-02-30&to=2027-03-01", StatusCode::UNPROCESSABLE_ENTITY, "invalid_period"),
        ("/api/v1/admin/acceptance?from=2027-03-02&to=2027-03-01", StatusCode::UNPROCESSABLE_ENTITY, "invalid_period"),
        ("/api/v1/admin/acceptance?from=2027-03-01&to=2027-03-01&format=pdf", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/admin/acceptance?from=2027-03-01", StatusCode::BAD_REQUEST, "invalid_query"),
    ] {
        let (got, body, _) = send(&f.state, "GET", uri, Some(&c), None).await;
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{uri}: {body}");
    }
    assert_eq!(send(&f.state, "GET", &uri, None, None).await.0, StatusCode::UNAUTHORIZED);
}
