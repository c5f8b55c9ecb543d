//! A full store as clients and operators see it: sends answer 507 `storage_full` with a
//! `Retry-After` (nothing of them kept), readiness fails, the system page says why, and all of
//! it clears once there is room again.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::Carrier;
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{basic, signed_account, Fixture};
use crate::{router, AppState};

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let retry = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned());
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, retry, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn send(auth: &str, n: usize) -> Request<Body> {
    let to: Vec<String> = (0..n).map(|i| format!("138{i:08}")).collect();
    let body = json!({ "to": to, "content": "您的验证码是 123456", "category": "verification" });
    Request::post("/api/v1/messages")
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::get(uri);
    if let Some(c) = cookie {
        req = req.header("cookie", format!("hongyan_session={c}"));
    }
    req.body(Body::empty()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_store_answers_507_fails_readiness_and_recovers() {
    let dir = std::env::temp_dir().join(format!("hongyan-api-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, queues) = Engine::new(sqlite.clone(), Arc::new(SystemClock), &[spec]).await.unwrap();
    let state = AppState { engine, ready: Arc::new(AtomicBool::new(true)), console: crate::ConsoleSettings::default() };
    let f = Fixture { state, store: sqlite.clone(), _queues: queues };
    let auth = basic(&signed_account(&f.state, "etax").await);
    let staff = super::admin::admin(&f).await;

    sqlite.set_size_limit(Some(0)).await.unwrap();
    let (status, retry, body) = call(&f.state, send(&auth, 300)).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert_eq!(body["error"]["code"], "storage_full");
    assert_eq!(retry.as_deref(), Some("30"));
    let (_, _, list) = call(&f.state, {
        let mut r = get("/api/v1/messages?to=13800000000", None);
        r.headers_mut().insert("authorization", auth.parse().unwrap());
        r
    })
    .await;
    assert_eq!(list["messages"].as_array().map(Vec::len), Some(0), "nothing of the refused send was kept");

    let (status, retry, body) = call(&f.state, get("/healthz", None)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "storage_full");
    assert!(retry.is_some());
    let (status, _, system) = call(&f.state, get("/api/v1/admin/system", Some(&staff))).await;
    assert_eq!(status, StatusCode::OK, "{system}");
    assert_eq!(system["storage"]["full"], true);

    sqlite.set_size_limit(None).await.unwrap();
    let (status, _, body) = call(&f.state, send(&auth, 300)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["accepted"], 300);
    // Readiness returns once the store's probe (every second while full) finds room.
    let mut ready = StatusCode::SERVICE_UNAVAILABLE;
    for _ in 0..50 {
        ready = call(&f.state, get("/healthz", None)).await.0;
        if ready == StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(ready, StatusCode::OK);
    let (_, _, system) = call(&f.state, get("/api/v1/admin/system", Some(&staff))).await;
    assert_eq!(system["storage"]["full"], false);
}
