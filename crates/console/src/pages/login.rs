//! Login (with the lock-out message), logout, and the password change that a first login
//! forces.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hongyan_api::{session_cookie, AppState};
use hongyan_engine::users::{LoginError, PasswordError};
use serde::Deserialize;
use serde_json::json;

use crate::guard::{expected_token, LOGIN_CSRF_COOKIE};
use crate::render;
use crate::viewer::{lang_of, Viewer};

/// `GET /login`
pub(crate) async fn form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    login_page(&state, &headers, "", None, StatusCode::OK)
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    username: &str,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let lang = lang_of(headers);
    // The form's CSRF value: the session's, or a fresh one in a cookie of its own.
    let (csrf, new_cookie) = match expected_token(headers) {
        Some(t) => (t, None),
        None => match hongyan_engine::auth::random_text(32) {
            Ok(t) => (t.clone(), Some(t)),
            Err(_) => return render::failure(lang),
        },
    };
    let ctx = json!({ "csrf": csrf, "username": username, "error": error });
    let mut resp = render::bare(lang, "login.html", ctx, status);
    if let Some(t) = new_cookie {
        let secure = if state.console.secure_cookies { "; Secure" } else { "" };
        let c = format!("{LOGIN_CSRF_COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(SET_COOKIE, v);
        }
    }
    resp
}

#[derive(Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
}

/// `POST /login`: the same engine login as the API (audit, lock after 5 failures).
pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    addr: crate::viewer::ClientAddr,
    Form(f): Form<LoginForm>,
) -> Response {
    let lang = lang_of(&headers);
    match state.engine.login(f.username.trim(), &f.password, &addr.0).await {
        Ok((token, user)) => {
            let to = if user.must_change { "/password" } else { "/overview" };
            let mut resp = Redirect::to(to).into_response();
            resp.headers_mut().append(SET_COOKIE, session_cookie(&token, None, state.console.secure_cookies));
            resp
        }
        Err(LoginError::Invalid) => {
            let msg = lang.pick(
                "账号或密码错误。连续 5 次错误后账号将锁定 15 分钟；已锁定的账号在锁定期内无法登录。",
                "Wrong username or password. After 5 failures in a row a user is locked for 15 minutes and cannot log in until then.",
            );
            login_page(&state, &headers, f.username.trim(), Some(msg.to_owned()), StatusCode::UNAUTHORIZED)
        }
        Err(LoginError::Throttled) => {
            let msg = lang.pick(
                "来自此地址的登录失败次数过多，请 15 分钟后再试。",
                "Too many failed logins from this address; try again in 15 minutes.",
            );
            login_page(&state, &headers, f.username.trim(), Some(msg.to_owned()), StatusCode::TOO_MANY_REQUESTS)
        }
        Err(LoginError::Store(e)) => {
            tracing::error!(error = %e, "console login: store error");
            render::failure(lang)
        }
    }
}

/// `POST /logout`
pub(crate) async fn logout(State(state): State<AppState>, viewer: Viewer, headers: HeaderMap) -> Response {
    if let Some(token) = hongyan_api::cookie_token(&headers) {
        if let Err(e) = state.engine.logout(&token, &viewer.user, &viewer.addr).await {
            return super::store_error(&viewer, e);
        }
    }
    let mut resp = Redirect::to("/login").into_response();
    resp.headers_mut().append(SET_COOKIE, session_cookie("", Some(0), state.console.secure_cookies));
    resp
}

/// `GET /password`
pub(crate) async fn password_form(viewer: Viewer) -> Response {
    render::page(&viewer, "password.html", json!({ "forced": viewer.user.must_change, "errors": {} }))
}

#[derive(Deserialize)]
pub(crate) struct PasswordForm {
    current: String,
    new: String,
}

/// `POST /password`: the engine's policy; a forced change leads on to the overview.
pub(crate) async fn password_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let token = hongyan_api::cookie_token(&headers).unwrap_or_default();
    let result = state.engine.change_password(&viewer.user, &token, &f.current, &f.new, &viewer.addr).await;
    let lang = viewer.lang;
    let errors = match result {
        Ok(()) if viewer.user.must_change => return Redirect::to("/overview").into_response(),
        Ok(()) => return render::page(&viewer, "password.html", json!({ "done": true, "errors": {} })),
        Err(PasswordError::WrongCurrent) => {
            json!({ "current": lang.pick("当前密码不正确。", "The current password is wrong.") })
        }
        Err(e @ (PasswordError::TooWeak | PasswordError::Unchanged)) => {
            json!({ "new": lang.error("weak_password", &e.to_string()) })
        }
        Err(PasswordError::Store(e)) => return super::store_error(&viewer, e),
    };
    let mut resp =
        render::page(&viewer, "password.html", json!({ "forced": viewer.user.must_change, "errors": errors }));
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    resp
}
