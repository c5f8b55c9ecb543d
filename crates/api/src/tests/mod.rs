//! The router driven in memory with `oneshot`, over a real SQLite store.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use hongyan_engine::auth::NewCredential;
use hongyan_engine::{ChannelSpec, DispatchReceiver, Engine, SystemClock};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::Carrier;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::{router, AppState};

struct Fixture {
    state: AppState,
    /// The store beneath, for setting up what a test needs without going through the API.
    store: Arc<dyn hongyan_store::Store>,
    _queues: Vec<(String, DispatchReceiver)>,
}

async fn fixture(tag: &str) -> Fixture {
    fixture_on(tag, &[Carrier::ChinaMobile]).await
}

/// A fixture whose one channel takes these networks' numbers.
async fn fixture_on(tag: &str, carriers: &[Carrier]) -> Fixture {
    let dir = std::env::temp_dir().join(format!("hongyan-api-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn hongyan_store::Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let spec = ChannelSpec::new("mobile", carriers);
    let (engine, queues) = Engine::new(store.clone(), Arc::new(SystemClock), &[spec]).await.unwrap();
    let state = AppState { engine, ready: Arc::new(AtomicBool::new(true)), console: crate::ConsoleSettings::default() };
    Fixture { state, store, _queues: queues }
}

/// A new account with an approved signature for every category, and its Basic header value.
async fn signed_account(state: &AppState, name: &str) -> NewCredential {
    let cred = state.engine.create_account(name).await.unwrap();
    state.engine.sign_with(cred.account.id, "某省税务局", "").await.unwrap();
    cred
}

fn basic(c: &NewCredential) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.key_id, c.secret)))
}

async fn call(state: &AppState, req: Request<Body>) -> (StatusCode, Value) {
    let resp = router(state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn post(auth: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/api/v1/messages")
        .header("authorization", auth)
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

fn get(auth: &str, uri: &str) -> Request<Body> {
    Request::get(uri).header("authorization", auth).body(Body::empty()).unwrap()
}

fn send_body(to: &[&str], content: &str) -> String {
    json!({ "to": to, "content": content, "category": "verification" }).to_string()
}

#[tokio::test]
async fn send_then_find_by_id_and_by_number() {
    let f = fixture("send").await;
    let cred = signed_account(&f.state, "etax").await;
    let auth = basic(&cred);
    let (status, body) =
        call(&f.state, post(&auth, send_body(&["+86 138 0013 8000", "18612345678", "abc"], "您的验证码是 123456")))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["accepted"].as_u64(), body["rejected"].as_u64()), (Some(1), Some(2)));
    let first = &body["results"][0];
    assert_eq!(first["status"], "accepted");
    assert_eq!(first["to"], "13800138000");
    assert_eq!(first["carrier"], "china_mobile");
    assert_eq!(first["segments"], 1);
    assert_eq!(body["results"][1]["error"], "no_channel");
    assert_eq!(body["results"][2]["error"], "invalid_number");

    let id = first["message_id"].as_str().unwrap();
    let (status, detail) = call(&f.state, get(&auth, &format!("/api/v1/messages/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(detail["status"], "accepted");
    assert_eq!(detail["content"], "【某省税务局】您的验证码是 123456", "signed by the platform");
    assert!(detail["accepted_at"].as_str().unwrap().ends_with("+08:00"));

    let (status, list) = call(&f.state, get(&auth, "/api/v1/messages?to=13800138000")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["messages"][0]["id"], id);
    let (_, none) = call(&f.state, get(&auth, "/api/v1/messages?to=13900139000")).await;
    assert_eq!(none["messages"].as_array().unwrap().len(), 0);

    // Another tenant sees nothing of it.
    let other = basic(&signed_account(&f.state, "interaction").await);
    let (status, _) = call(&f.state, get(&other, &format!("/api/v1/messages/{id}"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = call(&f.state, get(&other, "/api/v1/messages?to=13800138000")).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn credentials_are_required_and_checked() {
    let f = fixture("auth").await;
    let cred = f.state.engine.create_account("etax").await.unwrap();
    let req = Request::post("/api/v1/messages")
        .header("content-type", "application/json")
        .body(Body::from(send_body(&["13800138000"], "x")))
        .unwrap();
    let resp = router(f.state.clone()).oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert!(resp.headers().contains_key("www-authenticate"));
    let wrong_secret = NewCredential { secret: "nope".into(), ..cred.clone() };
    let unknown_key = NewCredential { key_id: "HY0000000000000000".into(), ..cred.clone() };
    let (s1, b1) = call(&f.state, post(&basic(&wrong_secret), send_body(&["13800138000"], "x"))).await;
    let (s2, b2) = call(&f.state, post(&basic(&unknown_key), send_body(&["13800138000"], "x"))).await;
    assert_eq!((s1, s2), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    assert_eq!(b1, b2, "the answer must not tell whether the key exists");
    let (s, _) = call(&f.state, get("Bearer abc", "/api/v1/messages")).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_input_gets_a_fitting_status_and_code() {
    let f = fixture("bad").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let cases: Vec<(Request<Body>, StatusCode, &str)> = vec![
        (post(&auth, "{not json"), StatusCode::BAD_REQUEST, "invalid_json"),
        (
            post(&auth, json!({"to": ["13800138000"], "content": "hi", "category": "promo"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown_category",
        ),
        (post(&auth, send_body(&["13800138000"], "")), StatusCode::UNPROCESSABLE_ENTITY, "empty_content"),
        (
            post(&auth, send_body(&["13800138000"], &"字".repeat(501))),
            StatusCode::UNPROCESSABLE_ENTITY,
            "content_too_long",
        ),
        (post(&auth, send_body(&[], "hi")), StatusCode::UNPROCESSABLE_ENTITY, "no_recipients"),
        (
            post(
                &auth,
                json!({"to": vec!["13800138000"; 100_001], "content": "hi", "category": "verification"}).to_string(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_recipients",
        ),
        (
            post(&auth, json!({"to": "13800138000", "content": "hi", "category": "verification"}).to_string()),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            post(
                &auth,
                json!({"to": ["13800138000"], "content": "hi", "category": "verification", "x": 1}).to_string(),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (post(&auth, vec![b' '; crate::MAX_BODY_BYTES + 1]), StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
        (
            Request::post("/api/v1/messages")
                .header("authorization", &auth)
                .header("content-type", "text/plain")
                .body(Body::from("hi"))
                .unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (get(&auth, "/api/v1/messages?limit=0"), StatusCode::BAD_REQUEST, "invalid_limit"),
        (get(&auth, "/api/v1/messages?to=12"), StatusCode::BAD_REQUEST, "invalid_number"),
        (get(&auth, "/api/v1/messages?status=sent"), StatusCode::BAD_REQUEST, "invalid_status"),
        (get(&auth, "/api/v1/messages?limit=x"), StatusCode::BAD_REQUEST, "invalid_query"),
        (get(&auth, "/api/v1/messages/not-an-id"), StatusCode::NOT_FOUND, "not_found"),
    ];
    for (req, want_status, want_code) in cases {
        let uri = req.uri().clone();
        let (status, body) = call(&f.state, req).await;
        assert_eq!((status, body["error"]["code"].as_str()), (want_status, Some(want_code)), "{uri}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap_or("").is_empty());
    }
    let (_, list) = call(&f.state, get(&auth, "/api/v1/messages")).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 0, "nothing was accepted by bad requests");
}

#[tokio::test]
async fn health_and_openapi() {
    let f = fixture("health").await;
    let (status, body) = call(&f.state, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::OK, Some("ok")));
    f.state.engine.stop_accepting();
    let (status, _) = call(&f.state, Request::get("/healthz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, doc) = call(&f.state, Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    for path in ["/healthz", "/api/v1/messages", "/api/v1/messages/{id}", "/api/v1/openapi.json"] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
}

#[tokio::test]
async fn duplicates_and_client_references() {
    let f = fixture("idem").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let body = json!({ "to": ["13800138000", "138-0013-8000"], "content": "hi", "category": "notification", "client_ref": "batch-7" });
    let (status, first) = call(&f.state, post(&auth, body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(
        (first["accepted"].as_u64(), first["duplicates"].as_u64(), first["replayed"].as_bool()),
        (Some(1), Some(1), Some(false))
    );
    assert_eq!(first["results"][1]["status"], "duplicate");
    assert_eq!(first["results"][1]["duplicate_of"], 0);
    let (status, again) = call(&f.state, post(&auth, body.to_string())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["replayed"], true);
    assert_eq!(again["results"], first["results"], "the same answer, the same message id");
    let (_, list) = call(&f.state, get(&auth, "/api/v1/messages")).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 1, "sent once");
    let bad = json!({ "to": ["13800138000"], "content": "hi", "category": "notification", "client_ref": "" });
    let (status, err) = call(&f.state, post(&auth, bad.to_string())).await;
    assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_client_ref")));
}

#[tokio::test]
async fn an_account_without_a_signature_cannot_send() {
    let f = fixture("nosig").await;
    let auth = basic(&f.state.engine.create_account("unsigned").await.unwrap());
    let (status, body) = call(&f.state, post(&auth, send_body(&["13800138000"], "hi"))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("no_signature")));
}

#[tokio::test]
async fn over_rate_or_quota_is_429() {
    let f = fixture("limits").await;
    let cred = signed_account(&f.state, "etax").await;
    let limits = hongyan_store::AccountLimits { rate: Some(1), daily_quota: Some(12), ..Default::default() };
    f.store.set_account_limits(cred.account.id, limits).await.unwrap();
    let auth = basic(&cred);
    let numbers: Vec<String> = (0..14).map(|i| format!("1380000{i:04}")).collect();
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let resp = router(f.state.clone()).oneshot(post(&auth, send_body(&numbers[..11], "hi"))).await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().get("retry-after").is_some(), "Retry-After tells when to come back");
    let (status, _) = call(&f.state, post(&auth, send_body(&numbers[..10], "hi"))).await;
    assert_eq!(status, StatusCode::OK);
    // Fresh numbers (verification codes are limited per number): 10 + 3 segments > 12.
    let (status, body) = call(&f.state, post(&auth, send_body(&numbers[11..], "hi"))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("quota_exceeded")),
        "{body}"
    );
}

#[tokio::test]
async fn a_personalised_batch_over_http() {
    let f = fixture("personal").await;
    let cred = signed_account(&f.state, "etax").await;
    let engine = &f.state.engine;
    let tpl = engine
        .add_template(
            cred.account.id,
            "bill",
            "尊敬的${name}：应缴${amount}元。",
            hongyan_types::Category::NOTIFICATION,
        )
        .await
        .unwrap();
    f.store
        .decide_template(tpl.id, hongyan_store::SignatureStatus::Approved, hongyan_types::Timestamp::from_millis(0))
        .await
        .unwrap();
    let auth = basic(&cred);
    let body = json!({
        "to": [
            {"number": "13800138000", "params": {"name": "张三", "amount": "100"}},
            {"number": "13900139000", "params": {"name": "李四"}},
        ],
        "template_id": tpl.id,
        "category": "notification",
    });
    let (status, answer) = call(&f.state, post(&auth, body.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["results"][0]["status"], "accepted");
    assert_eq!(
        (answer["results"][1]["status"].as_str(), answer["results"][1]["error"].as_str()),
        (Some("rejected"), Some("invalid_params"))
    );
    let id = answer["results"][0]["message_id"].as_str().unwrap();
    let (_, detail) = call(&f.state, get(&auth, &format!("/api/v1/messages/{id}"))).await;
    assert_eq!(detail["content"], "【某省税务局】尊敬的张三：应缴100元。");
    let no_template = json!({"to": [{"number": "13800138000", "params": {"name": "x"}}], "content": "hi", "category": "notification"});
    let (status, err) = call(&f.state, post(&auth, no_template.to_string())).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_personalisation"))
    );
}

fn csv(auth: &str, uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header("authorization", auth)
        .header("content-type", "text/csv")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

#[tokio::test]
async fn a_csv_list_is_previewed_then_sent() {
    let f = fixture("bulk").await;
    let cred = signed_account(&f.state, "etax").await;
    let auth = basic(&cred);
    let file =
        "号码,name\n13800138000,张三\n13900139000,李四\nnot-a-number,王五\n138-0013-8000,重复\n18612345678,赵六\n";
    let (status, p) = call(&f.state, csv(&auth, "/api/v1/bulk/preview", file)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["valid"], 3);
    assert_eq!(p["columns"], json!(["name"]));
    assert_eq!(p["invalid"][0]["line"], 4);
    assert_eq!(p["duplicates"][0]["first_line"], 2);
    let (_, list) = call(&f.state, get(&auth, "/api/v1/messages")).await;
    assert_eq!(list["messages"].as_array().unwrap().len(), 0, "a preview sends nothing");

    let (status, sent) =
        call(&f.state, csv(&auth, "/api/v1/bulk?category=notification&content=%E9%80%9A%E7%9F%A5", file)).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["accepted"], 2, "two Mobile numbers; the Unicom one has no channel here: {sent}");
    assert_eq!(sent["file"]["invalid"].as_array().unwrap().len(), 1);
}

fn upload(auth: &str, uri: &str, media: &str, body: &'static [u8]) -> Request<Body> {
    Request::post(uri).header("authorization", auth).header("content-type", media).body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn an_xlsx_list_is_read_and_other_files_are_refused() {
    let f = fixture("xlsx").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    // Written by openpyxl (see crates/engine/tests/fixtures/make_bulk_xlsx.py).
    let book: &'static [u8] = include_bytes!("../../../engine/tests/fixtures/bulk.xlsx");
    let (status, p) = call(&f.state, upload(&auth, "/api/v1/bulk/preview", xlsx, book)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!((p["valid"].as_u64(), &p["columns"]), (Some(3), &json!(["name", "amount"])));
    assert_eq!(p["sample"][1]["params"]["amount"], "300.5");
    let (status, sent) =
        call(&f.state, upload(&auth, "/api/v1/bulk?category=notification&content=hi", xlsx, book)).await;
    assert_eq!((status, sent["accepted"].as_u64()), (StatusCode::OK, Some(3)), "{sent}");

    let (status, err) = call(&f.state, upload(&auth, "/api/v1/bulk/preview", xlsx, b"13800138000\n")).await;
    assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_file")));
    let (status, err) = call(&f.state, upload(&auth, "/api/v1/bulk/preview", xlsx, &book[..book.len() / 2])).await;
    assert_eq!((status, err["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("bad_file")), "{err}");
    let (status, err) = call(&f.state, upload(&auth, "/api/v1/bulk/preview", "application/pdf", b"%PDF")).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type"))
    );
}

#[tokio::test]
async fn configured_categories_are_listed_and_sent_with_their_kind() {
    use hongyan_types::{Categories, Category, CategoryDef, CategoryKind};
    let f = fixture("categories").await;
    let tax = Category::new("tax_notice", CategoryKind::Notification).unwrap();
    let list = vec![
        CategoryDef::of_kind(CategoryKind::Verification),
        CategoryDef { category: tax, label: "税务通知".into(), code: None },
    ];
    f.state.engine.set_categories(Categories::new(list));
    let cred = signed_account(&f.state, "etax").await;
    let auth = basic(&cred);

    let (status, body) = call(&f.state, get(&auth, "/api/v1/categories")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["categories"][1], json!({ "name": "tax_notice", "label": "税务通知", "kind": "notification" }));
    assert_eq!(body["categories"].as_array().unwrap().len(), 2);

    let send = |category: &str| json!({ "to": ["13800138000"], "content": "请于月底前申报", "category": category });
    let (status, body) = call(&f.state, post(&auth, send("tax_notice").to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id = body["results"][0]["message_id"].as_str().unwrap().to_owned();
    let (_, detail) = call(&f.state, get(&auth, &format!("/api/v1/messages/{id}"))).await;
    assert_eq!(detail["category"], "tax_notice");
    assert_eq!(detail["content"], "【某省税务局】请于月底前申报", "signed with the notification default");
    let filter = hongyan_store::MessageFilter { account_id: Some(cred.account.id), limit: 10, ..Default::default() };
    let stored = f.store.list_messages(filter).await.unwrap();
    assert_eq!(stored[0].message.category.kind(), CategoryKind::Notification, "the kind is kept in the store");

    let (status, body) = call(&f.state, post(&auth, send("marketing").to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "unknown_category");
    assert!(body["error"]["message"].as_str().unwrap().contains("verification, tax_notice"), "{body}");
}

mod alerts;
mod channels;
mod client_ref;
mod errors;
mod events;
mod feed;
mod incidents;

mod acceptance;
mod admin;
mod search;
mod security;
mod statement;
mod storage;
mod unsafe_text;
