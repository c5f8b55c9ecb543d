//! What every console response and request goes through: the security headers, and the CSRF
//! check on every POST.
//!
//! CSRF tokens are not stored: for a logged-in browser the token is derived from the session id
//! (which only that browser holds, in an HttpOnly cookie), so a page of another site can
//! neither read nor guess it. Before login there is no session, so the login form uses a
//! random value in a cookie of its own that the form must repeat (a "double submit"). The token
//! travels as the form field `_csrf` or, for htmx requests, as the `X-CSRF-Token` header that
//! the page body declares for every htmx request. A file upload (`multipart/form-data`, which
//! this layer does not take apart) carries it in its action's query string instead; pages send
//! `Referrer-Policy: same-origin`, so that address never leaves the site.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use hongyan_api::{cookie_token, MAX_BODY_BYTES};
use sha2::{Digest, Sha256};

/// The cookie that carries the login form's CSRF value.
pub const LOGIN_CSRF_COOKIE: &str = "hongyan_csrf";
/// The form field that carries the token.
pub const CSRF_FIELD: &str = "_csrf";
/// The header htmx requests carry it in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Scripts and styles only from our own `/assets`, no inline script or style, no framing,
/// forms only to ourselves.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the security headers to every console response.
pub async fn headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !is_asset {
        // Pages show taxpayer data: no copy in any cache.
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (n, value) = pair.trim().split_once('=')?;
        (n == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// The token a form of this browser must carry: derived from its session, else its login
/// cookie's value. `None` when it has neither (a login form must be fetched first).
pub fn expected_token(headers: &HeaderMap) -> Option<String> {
    match cookie_token(headers) {
        Some(session) => Some(for_session(&session)),
        None => cookie(headers, LOGIN_CSRF_COOKIE),
    }
}

/// The CSRF token of a session id.
pub fn for_session(session: &str) -> String {
    let digest = Sha256::digest(format!("hongyan/v1/csrf\n{session}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// The value of `name` in an `application/x-www-form-urlencoded` body.
pub(crate) fn form_field(body: &[u8], name: &str) -> Option<String> {
    std::str::from_utf8(body).ok()?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| v.to_owned())
    })
}

/// Refuses a POST whose token is missing or wrong, before any handler sees it.
pub async fn csrf(req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let expected = expected_token(req.headers());
    let header = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (parts, body) = req.into_parts();
    let media = parts.headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let is_form = media.starts_with("application/x-www-form-urlencoded");
    let in_query = || match media.starts_with("multipart/form-data") {
        true => parts.uri.query().and_then(|q| form_field(q.as_bytes(), CSRF_FIELD)),
        false => None,
    };
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "the form is larger than the limit").into_response();
    };
    let given = header.or_else(|| if is_form { form_field(&bytes, CSRF_FIELD) } else { in_query() });
    let ok =
        matches!((&expected, &given), (Some(e), Some(g)) if hongyan_engine::auth::same(e.as_bytes(), g.as_bytes()));
    if !ok {
        tracing::warn!(path = %parts.uri.path(), "console form refused: missing or wrong CSRF token");
        return refused();
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn refused() -> Response {
    let page = "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>403</title>\
        <link rel=\"stylesheet\" href=\"/assets/console.css\"><main class=\"narrow\"><h1>403</h1>\
        <p>表单已失效或来源不明，操作未执行。请返回页面刷新后重试。</p>\
        <p>The form expired or did not come from this console; nothing was done. Go back, reload \
        the page and try again.</p><p><a href=\"/\">返回 / Back</a></p></main></html>";
    (StatusCode::FORBIDDEN, Html(page)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_tied_to_the_session_and_read_from_the_form() {
        assert_eq!(for_session("a"), for_session("a"));
        assert_ne!(for_session("a"), for_session("b"));
        assert_eq!(for_session("a").len(), 32);
        let body = b"to=13800138000&_csrf=abc123&content=%E4%BD%A0";
        assert_eq!(form_field(body, "_csrf").as_deref(), Some("abc123"));
        assert_eq!(form_field(b"x=1", "_csrf"), None);
    }

    #[test]
    fn a_session_wins_over_the_login_cookie() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("hongyan_csrf=login1"));
        assert_eq!(expected_token(&h).as_deref(), Some("login1"));
        h.insert(COOKIE, HeaderValue::from_static("hongyan_csrf=login1; hongyan_session=s1"));
        assert_eq!(expected_token(&h), Some(for_session("s1")));
    }
}
