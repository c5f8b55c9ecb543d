//! API callers: HTTP Basic with a key id and secret (for TLS links), or a signed request
//! (`HY1-HMAC-SHA256`, see `hongyan_engine::signed`) that never sends the secret.
//!
//! A signed request covers its body's SHA-256; the [`body_hash`] layer reads such a body once,
//! notes its hash, and hands the same bytes on to the handler.

use axum::body::{to_bytes, Body};
use axum::extract::{FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hongyan_engine::auth::Caller;
use hongyan_engine::signed::{SignedRequest, SCHEME};
use sha2::{Digest, Sha256};

use crate::{ApiError, AppState, MAX_BODY_BYTES};

/// hex(SHA-256) of a signed request's body.
#[derive(Clone)]
struct BodySha256(String);

fn signed_header(parts_headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = parts_headers.get(AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix(SCHEME).map(str::trim)
}

/// Notes the body hash of signed requests (after reading the body within the size limit).
pub(crate) async fn body_hash(req: Request, next: Next) -> Response {
    if signed_header(req.headers()).is_none() {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        let status = axum::http::StatusCode::PAYLOAD_TOO_LARGE;
        return ApiError::new(
            status,
            "body_too_large",
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
        .into_response();
    };
    let hash: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    parts.extensions.insert(BodySha256(hash));
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn signed_request(parts: &Parts, params: &str) -> Result<SignedRequest, ApiError> {
    let (key_id, timestamp, nonce, signature) = SignedRequest::parse_header(params)?;
    let body_sha256 = parts.extensions.get::<BodySha256>().map(|b| b.0.clone()).unwrap_or_default();
    Ok(SignedRequest {
        key_id,
        timestamp,
        nonce,
        signature,
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or("").to_owned(),
        body_sha256,
    })
}

/// The authenticated account behind a request.
pub(crate) struct Authed(pub(crate) Caller);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = match signed_header(&parts.headers) {
            Some(params) => state.engine.authenticate_signed(&signed_request(parts, params)?).await?,
            None => match basic_credentials(parts) {
                Some((key_id, secret)) => state.engine.authenticate(&key_id, &secret).await?,
                // A tenant user in the console acts for its own account, and only for it.
                None if parts.headers.contains_key(axum::http::header::COOKIE) => tenant_caller(parts, state).await?,
                None => return Err(ApiError::unauthorized()),
            },
        };
        // An address the server was not told (only in-memory tests) matches no range.
        let from = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        let from = from.unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        state.engine.check_access(caller.account_id, "http", None, Some(from)).await?;
        Ok(Self(caller))
    }
}

fn basic_credentials(parts: &Parts) -> Option<(String, String)> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (key, secret) = text.split_once(':')?;
    Some((key.to_owned(), secret.to_owned()))
}

/// The principal a message records as its sender: `key:<key id>`, or `user:<name>` for a
/// tenant's console session.
pub(crate) fn principal(caller: &Caller) -> String {
    if caller.key_id.starts_with("user:") {
        caller.key_id.clone()
    } else {
        format!("key:{}", caller.key_id)
    }
}

/// Refuses the call unless the account may do `operation` (`send`, `query`, `reports`).
pub(crate) async fn allow(state: &AppState, caller: &Caller, operation: &'static str) -> Result<(), ApiError> {
    Ok(state.engine.check_access(caller.account_id, "http", Some(operation), None).await?)
}

/// The account of a logged-in tenant user; other roles do not send or read as an account.
async fn tenant_caller(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
    let console = crate::console::Console::from_request_parts(parts, state).await?;
    let user = console.require(&[hongyan_store::Role::Tenant])?;
    let account_id = user.account_id.ok_or_else(ApiError::unauthorized)?;
    let account = state.engine.account(account_id).await?.ok_or_else(ApiError::unauthorized)?;
    if !account.usable(state.engine.clock().now()) {
        return Err(ApiError::unauthorized());
    }
    Ok(Caller { account_id, account_name: account.name, key_id: format!("user:{}", user.username) })
}
