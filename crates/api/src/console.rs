//! Console users over HTTP: `POST /api/v1/auth/login`, `POST /api/v1/auth/logout`,
//! `GET /api/v1/auth/me`, `POST /api/v1/auth/password`. The console (a later issue) is built
//! on these.
//!
//! The session id travels only in the `hongyan_session` cookie: HttpOnly (no script reads it),
//! SameSite=Strict (no other site's page sends it), Path=/, and Secure when the listener has
//! TLS. A user who must change the password (the bootstrap administrator, first login) may
//! only call `me`, `password` and `logout` until it is done.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::admin::Actor;
use hongyan_engine::users::{LoginError, PasswordError, DEFAULT_SESSION_IDLE};
use hongyan_store::{Role, User};
use serde::Deserialize;
use serde_json::json;

use crate::messages::json_body;
use crate::{ApiError, AppState};

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "hongyan_session";

/// How console sessions behave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleSettings {
    /// Idle time after which a session ends.
    pub session_idle: Duration,
    /// Mark the cookie Secure (the listener has TLS).
    pub secure_cookies: bool,
    /// Address ranges that may read `GET /metrics` (`[metrics] allow`).
    pub metrics_allow: Vec<hongyan_types::Cidr>,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        let loopback = ["127.0.0.0/8", "::1/128"].iter().filter_map(|c| hongyan_types::Cidr::parse(c).ok()).collect();
        Self { session_idle: DEFAULT_SESSION_IDLE, secure_cookies: false, metrics_allow: loopback }
    }
}

/// The peer's address, or `-` when the server was not told it (tests in memory).
pub(crate) struct ClientAddr(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(Self(addr.unwrap_or_else(|| "-".into())))
    }
}

/// A logged-in console user and the session id the request came with.
pub(crate) struct Console {
    pub(crate) user: User,
    pub(crate) token: String,
}

/// The session id a request carries in its cookie.
pub fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        (name == SESSION_COOKIE && !value.is_empty()).then(|| value.to_owned())
    })
}

impl Console {
    async fn from_parts(parts: &Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = cookie_token(&parts.headers).ok_or_else(ApiError::login_required)?;
        let user =
            state.engine.session(&token, state.console.session_idle).await?.ok_or_else(ApiError::login_required)?;
        Ok(Self { user, token })
    }

    /// The user as an actor of the engine's administration (which checks the role), if no
    /// password change is pending.
    pub(crate) fn actor(&self, addr: &str) -> Result<Actor, ApiError> {
        self.require(&Role::ALL)?;
        Ok(Actor::user(&self.user, addr))
    }

    /// The user as an actor for reads, whose rule of who may read what the engine holds. Reads
    /// are not audited, so no address is kept.
    pub(crate) fn reader(&self) -> Result<Actor, ApiError> {
        self.actor("")
    }

    /// The user, if the role is one of `roles` and no password change is pending.
    pub(crate) fn require(&self, roles: &[Role]) -> Result<&User, ApiError> {
        if self.user.must_change {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "change the password first (POST /api/v1/auth/password)",
            ));
        }
        if !roles.contains(&self.user.role) {
            return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "this role may not do that"));
        }
        Ok(&self.user)
    }
}

impl FromRequestParts<AppState> for Console {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Self::from_parts(parts, state).await
    }
}

/// The `Set-Cookie` value that carries a session id (empty with `Some(0)` ends it); the API's
/// login and the console's share it.
pub fn session_cookie(value: &str, max_age: Option<u64>, secure: bool) -> HeaderValue {
    let mut c = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("hongyan_session=; Max-Age=0"))
}

fn me_json(u: &User) -> serde_json::Value {
    json!(crate::shapes::MeView::from(u))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginBody {
    username: String,
    password: String,
}

/// `POST /api/v1/auth/login`
pub(crate) async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body: LoginBody = json_body(&headers, body).await?;
    let (token, user) = match state.engine.login(&body.username, &body.password, &addr).await {
        Ok(ok) => ok,
        Err(LoginError::Invalid) => {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "login_failed", LoginError::Invalid.to_string()))
        }
        Err(e @ LoginError::Throttled) => {
            return Err(ApiError::new(StatusCode::TOO_MANY_REQUESTS, "login_throttled", e.to_string()))
        }
        Err(LoginError::Store(e)) => return Err(e.into()),
    };
    let mut resp = Json(me_json(&user)).into_response();
    resp.headers_mut().insert(SET_COOKIE, session_cookie(&token, None, state.console.secure_cookies));
    Ok(resp)
}

/// `POST /api/v1/auth/logout`
pub(crate) async fn logout(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
) -> Result<Response, ApiError> {
    state.engine.logout(&console.token, &console.user, &addr).await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(SET_COOKIE, session_cookie("", Some(0), state.console.secure_cookies));
    Ok(resp)
}

/// `GET /api/v1/auth/me`
pub(crate) async fn me(console: Console) -> Json<serde_json::Value> {
    Json(me_json(&console.user))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordBody {
    current: String,
    new: String,
}

/// `POST /api/v1/auth/password`
pub(crate) async fn password(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let body: PasswordBody = json_body(&headers, body).await?;
    match state.engine.change_password(&console.user, &console.token, &body.current, &body.new, &addr).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(e @ PasswordError::WrongCurrent) => {
            Err(ApiError::new(StatusCode::FORBIDDEN, "wrong_password", e.to_string()))
        }
        Err(e @ (PasswordError::TooWeak | PasswordError::Unchanged)) => {
            Err(ApiError::unprocessable("weak_password", e.to_string()))
        }
        Err(PasswordError::Store(e)) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others_and_set_strictly() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("theme=dark; hongyan_session=abc123; lang=zh"));
        assert_eq!(cookie_token(&h).as_deref(), Some("abc123"));
        h.insert(COOKIE, HeaderValue::from_static("hongyan_session="));
        assert_eq!(cookie_token(&h), None);
        let set = session_cookie("tok", None, true);
        assert_eq!(set.to_str().unwrap(), "hongyan_session=tok; Path=/; HttpOnly; SameSite=Strict; Secure");
    }
}
