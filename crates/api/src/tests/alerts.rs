//! The alert list operators read: what holds now, and the latest with the resolved ones.

use axum::http::StatusCode;
use hongyan_engine::alerts::SystemChecks;

use super::admin::{admin, send};
use super::fixture;

#[tokio::test]
async fn active_and_resolved_alerts_are_listed() {
    let f = fixture("alerts").await;
    let c = admin(&f).await;
    let engine = &f.state.engine;
    let lost = SystemChecks { data_key: Some("the data keys cannot be read: no such file".into()) };
    assert_eq!(engine.alert_tick(&lost).await.unwrap().len(), 1);

    let (status, list, _) = send(&f.state, "GET", "/api/v1/admin/alerts?active=true", Some(&c), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let a = &list["alerts"][0];
    assert_eq!(
        (a["rule"].as_str(), a["active"].as_bool(), a["sends"].as_u64()),
        (Some("data_key"), Some(true), Some(1))
    );
    assert!(a["message"].as_str().unwrap().contains("no such file"), "{a}");

    engine.alert_tick(&SystemChecks::default()).await.unwrap();
    let (_, active, _) = send(&f.state, "GET", "/api/v1/admin/alerts?active=true", Some(&c), None).await;
    assert_eq!(active["alerts"].as_array().unwrap().len(), 0, "{active}");
    let (_, all, _) = send(&f.state, "GET", "/api/v1/admin/alerts", Some(&c), None).await;
    assert!(all["alerts"][0]["resolved_at"].is_string(), "{all}");

    let (status, _, _) = send(&f.state, "GET", "/api/v1/admin/alerts?limit=0", Some(&c), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = send(&f.state, "GET", "/api/v1/admin/alerts?severity=high", Some(&c), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "unknown parameters are refused");
    let (status, _, _) = send(&f.state, "GET", "/api/v1/admin/alerts", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
