//! Every error of the API is the documented JSON shape, also those axum or the size limits
//! produce before a handler runs.

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use serde_json::Value;
use tower::ServiceExt;

use super::{basic, fixture, signed_account};
use crate::router;

/// Status, the `Allow` header and the JSON body (which must parse).
async fn answer(f: &super::Fixture, req: Request<Body>) -> (StatusCode, String, Value) {
    let resp = router(f.state.clone()).oneshot(req).await.unwrap();
    let status = resp.status();
    let allow = resp.headers().get("allow").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let ct = resp.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    assert!(ct.starts_with("application/json"), "{status}: content-type `{ct}`");
    let bytes = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("{status}: {bytes:?} is not JSON"));
    (status, allow, body)
}

fn code(body: &Value) -> (Option<&str>, bool) {
    let message = body["error"]["message"].as_str().is_some_and(|m| !m.is_empty());
    (body["error"]["code"].as_str(), message)
}

#[tokio::test]
async fn a_wrong_method_is_405_in_json_with_allow() {
    let f = fixture("errors-405").await;
    for (method, uri) in [("DELETE", "/api/v1/messages"), ("POST", "/healthz"), ("PUT", "/api/v1/categories")] {
        let req = Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
        let (status, allow, body) = answer(&f, req).await;
        assert_eq!((status, code(&body)), (StatusCode::METHOD_NOT_ALLOWED, (Some("method_not_allowed"), true)));
        assert!(allow.contains("GET"), "{method} {uri}: Allow `{allow}`");
    }
}

#[tokio::test]
async fn a_message_id_that_is_not_utf8_is_400_in_json() {
    let f = fixture("errors-400").await;
    let auth = basic(&signed_account(&f.state, "etax").await);
    let req = Request::get("/api/v1/messages/%FF").header("authorization", &auth).body(Body::empty()).unwrap();
    let (status, _, body) = answer(&f, req).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, (Some("invalid_request"), true)), "{body}");
}

#[tokio::test]
async fn an_over_long_uri_is_414_and_over_large_headers_431_in_json() {
    let f = fixture("errors-414").await;
    let long = format!("/api/v1/messages?to={}", "1".repeat(crate::MAX_URI_BYTES));
    let (status, _, body) = answer(&f, Request::get(long).body(Body::empty()).unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::URI_TOO_LONG, (Some("uri_too_long"), true)));

    let mut req = Request::get("/api/v1/messages");
    for i in 0..9 {
        req = req.header(format!("x-filler-{i}"), "a".repeat(crate::MAX_HEADER_BYTES / 8));
    }
    let (status, _, body) = answer(&f, req.body(Body::empty()).unwrap()).await;
    assert_eq!((status, code(&body)), (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, (Some("headers_too_large"), true)));
}
