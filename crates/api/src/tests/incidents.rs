//! Fault reports and incidents over HTTP: a tenant reports, sees only its own; staff list
//! them with their clocks; operators record cause, actions and result; each rule tried from
//! the side that should be refused; the reporter's words sealed at rest.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

use super::admin::{admin, send};
use super::{basic, call, fixture, signed_account};

fn as_key(auth: &str, method: &str, uri: &str, body: Option<Value>) -> Request<Body> {
    let req = Request::builder().method(method).uri(uri).header("authorization", auth);
    match body {
        Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap()
}

const SYMPTOM: &str = "纳税人 13912345678 收不到验证码，约 10:05 开始";

#[tokio::test]
async fn a_fault_report_is_recorded_with_its_clocks_and_only_staff_record_the_fix() {
    let f = fixture("incidents").await;
    let c = admin(&f).await;
    let etax = basic(&signed_account(&f.state, "etax").await);
    let other = basic(&signed_account(&f.state, "other").await);

    let (status, opened) = call(
        &f.state,
        as_key(&etax, "POST", "/api/v1/incidents", Some(json!({"symptom": SYMPTOM, "channel": "mobile"}))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    assert_eq!((opened["kind"].as_str(), opened["state"].as_str()), (Some("reported"), Some("open")));
    assert_eq!(opened["clocks"]["fix"]["limit_hours"], 4);
    assert_eq!(opened["clocks"]["fix"]["overdue"], false);
    assert_eq!(opened["clocks"]["report"]["due_at"], Value::Null, "the report clock starts at the fix");
    let id = opened["id"].as_i64().unwrap();

    for (body, code) in [
        (json!({"symptom": "  "}), "invalid_field"),
        (json!({"symptom": "x", "channel": "nowhere"}), "invalid_field"),
        (json!({"symptom": "x".repeat(4001)}), "invalid_field"),
        (json!({"symptom": "x", "colour": "red"}), "invalid_field"),
    ] {
        let (status, err) = call(&f.state, as_key(&etax, "POST", "/api/v1/incidents", Some(body))).await;
        assert_eq!(err["error"]["code"].as_str(), Some(code), "{err}");
        assert!(status.is_client_error());
    }
    let (_, mine) = call(&f.state, as_key(&etax, "GET", "/api/v1/incidents", None)).await;
    assert_eq!(mine["incidents"].as_array().map(Vec::len), Some(1));
    let (_, theirs) = call(&f.state, as_key(&other, "GET", "/api/v1/incidents", None)).await;
    assert_eq!(theirs["incidents"].as_array().map(Vec::len), Some(0), "another account sees none of it");
    let (status, _) = call(&f.state, as_key(&etax, "GET", "/api/v1/admin/incidents", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a key is no console session");

    let (status, all, _) = send(&f.state, "GET", "/api/v1/admin/incidents?open=true", Some(&c), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["incidents"][0]["symptom"], SYMPTOM);
    let uri = format!("/api/v1/admin/incidents/{id}");
    let early = json!({"fixed_at": "2000-01-01T00:00:00Z"});
    let (status, err, _) = send(&f.state, "PATCH", &uri, Some(&c), Some(early)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let fixed = json!({"fixed_at": f.state.engine.clock().now().to_rfc3339_beijing(), "actions": "切换备用通道"});
    let (status, after, _) = send(&f.state, "PATCH", &uri, Some(&c), Some(fixed)).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!((after["state"].as_str(), after["clocks"]["fix"]["met"].as_bool()), (Some("fixed"), Some(true)));
    assert_eq!(after["clocks"]["report"]["met"], Value::Null, "not reported yet");
    let report = json!({"cause": "运营商网关升级", "result": "10:40 恢复，补发 12 条"});
    let (_, done, _) = send(&f.state, "PATCH", &uri, Some(&c), Some(report)).await;
    assert_eq!(done["state"], "reported", "{done}");
    assert_eq!(done["clocks"]["report"]["met"], true);
    assert_eq!(done["actions"], "切换备用通道", "earlier fields kept");

    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=incident.record", Some(&c), None).await;
    assert_eq!(log["entries"].as_array().map(Vec::len), Some(2), "{log}");
    let (_, log, _) = send(&f.state, "GET", "/api/v1/admin/audit?action=incident.report", Some(&c), None).await;
    assert_eq!(log["entries"].as_array().map(Vec::len), Some(1), "{log}");
    assert!(!log.to_string().contains("13912345678"), "the audit line does not copy the reporter's words");

    // An auditor reads, and may not record.
    let user = json!({"username": "audit1", "role": "auditor", "password": "Audit-Pass-2026!"});
    assert_eq!(send(&f.state, "POST", "/api/v1/admin/users", Some(&c), Some(user)).await.0, StatusCode::CREATED);
    let a = super::admin::login(&f.state, "audit1", "Audit-Pass-2026!").await;
    let change = json!({"current": "Audit-Pass-2026!", "new": "Audit-Pass-2027!"});
    assert_eq!(send(&f.state, "POST", "/api/v1/auth/password", Some(&a), Some(change)).await.0, StatusCode::NO_CONTENT);
    assert_eq!(send(&f.state, "GET", &uri, Some(&a), None).await.0, StatusCode::OK);
    let (status, _, _) = send(&f.state, "PATCH", &uri, Some(&a), Some(json!({"cause": "x"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(send(&f.state, "GET", "/api/v1/admin/incidents/999", Some(&c), None).await.0, StatusCode::NOT_FOUND);

    // The reporter's words are sealed in the store's files.
    let dir = std::env::temp_dir().join(format!("hongyan-api-incidents-{}", std::process::id()));
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(11).any(|w| w == b"13912345678"), "a number in clear at rest");
    }
}
