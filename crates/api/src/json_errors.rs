//! Every error of the API in the one JSON shape, including those our handlers never see:
//! axum answers a wrong method (405) or an extractor's rejection (a path that is not UTF-8,
//! 400) in plain text or with an empty body; this layer rewrites any such error answer into
//! `{"error": {"code", "message"}}`, keeping the text axum gave as the message. It also
//! refuses, before any handler runs, a URI or a header block larger than the API takes
//! (414, 431): hyper refuses the absurd ones itself, before the router (see the server
//! crate), and these limits sit below hyper's so that whatever reaches us is answered here.

use axum::extract::Request;
use axum::http::header::{ALLOW, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// Longest path and query accepted.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Largest header block accepted (names, values and their separators).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// How much of a plain-text error body is kept as the message.
const MAX_MESSAGE_BYTES: usize = 1024;

/// The layer: checks the request's size, then puts a non-JSON error answer into the shape.
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    if let Some(refused) = oversized(&req) {
        return refused.into_response();
    }
    as_json(next.run(req).await).await
}

fn oversized(req: &Request) -> Option<ApiError> {
    let uri = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri > MAX_URI_BYTES {
        let msg = format!("the URI is {uri} bytes; the limit is {MAX_URI_BYTES}");
        return Some(ApiError::new(StatusCode::URI_TOO_LONG, "uri_too_long", msg));
    }
    let headers: usize = req.headers().iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    if headers > MAX_HEADER_BYTES {
        let msg = format!("the request headers are {headers} bytes; the limit is {MAX_HEADER_BYTES}");
        return Some(ApiError::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large", msg));
    }
    None
}

/// The stable code for an error status that no handler chose.
fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "invalid_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_field",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "invalid_request",
    }
}

fn is_json(resp: &Response) -> bool {
    resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("application/json"))
}

async fn as_json(resp: Response) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) || is_json(&resp) {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    // Server errors keep their details in the log, never in the answer.
    let text = match axum::body::to_bytes(body, MAX_MESSAGE_BYTES).await {
        Ok(b) if !status.is_server_error() => String::from_utf8_lossy(&b).trim().to_owned(),
        _ => String::new(),
    };
    let message = if text.is_empty() { status.canonical_reason().unwrap_or("error").to_lowercase() } else { text };
    let mut out = ApiError::new(status, code_for(status), message).into_response();
    for name in [ALLOW, RETRY_AFTER, WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
}
