//! Hongyan's HTTP JSON API.
//!
//! What it owns: routes, request parsing with clear errors, authentication of API callers
//! (HTTP Basic with key id and secret), the JSON shapes of answers, and the OpenAPI document
//! served at `/api/v1/openapi.json`. [`router`] is a plain factory, so tests drive it with
//! `oneshot` and no socket.
//!
//! Every error is mapped once, in `error.rs`, to a status and a JSON body
//! `{"error": {"code": "...", "message": "..."}}`; internal details go to the log only.
//!
//! What it does not do: business rules (the engine), storage, serving the console.
#![warn(missing_docs)]

pub mod acceptance;
mod admin;
mod auth;
mod bulk;
mod console;
mod error;
mod export;
mod feed;
mod figures;
mod incidents;
mod json_errors;
mod messages;
mod ops;
mod shapes;
pub mod statement;
mod templates;
mod views;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use hongyan_engine::Engine;

pub use admin::csv_field;
pub use console::{cookie_token, session_cookie, ConsoleSettings, SESSION_COOKIE};
pub use error::ApiError;
pub use export::MAX_EXPORT_ROWS;
pub use feed::FeedQuery;
pub use json_errors::{MAX_HEADER_BYTES, MAX_URI_BYTES};
pub use messages::SearchQuery;

/// Largest request body accepted (8 MiB: 100,000 numbers with room to spare); larger ones
/// get 413.
pub const MAX_BODY_BYTES: usize = 8 << 20;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The business core.
    pub engine: Arc<Engine>,
    /// Set once the platform is ready to accept (store open, queues refilled); cleared when
    /// it starts draining. `/healthz` answers from it.
    pub ready: Arc<AtomicBool>,
    /// Console sessions.
    pub console: ConsoleSettings,
}

/// The layer that counts every HTTP request by route pattern, method and status, for
/// `/metrics`; the binary puts it around the API and the console together.
pub use ops::count_requests;

/// Builds the HTTP API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/messages", post(messages::send).get(messages::list))
        .route("/api/v1/messages/export", get(messages::export))
        .route("/api/v1/messages/{id}", get(messages::get_one))
        .route("/api/v1/admin/messages", get(admin::search_messages))
        .route("/api/v1/admin/messages/export", get(admin::export_messages))
        .route("/api/v1/admin/messages/{id}", get(admin::message_detail))
        .route("/api/v1/categories", get(messages::categories))
        .route("/api/v1/templates", get(templates::list).post(templates::add))
        .route("/api/v1/reports", get(feed::reports))
        .route("/api/v1/reports/search", get(feed::search_reports))
        .route("/api/v1/replies/search", get(feed::search_replies))
        .route("/api/v1/admin/reports", get(feed::admin_reports))
        .route("/api/v1/admin/replies", get(feed::admin_replies))
        .route("/api/v1/reports/ack", post(feed::ack_reports))
        .route("/api/v1/replies", get(feed::replies))
        .route("/api/v1/replies/ack", post(feed::ack_replies))
        .route("/api/v1/bulk/preview", post(bulk::preview))
        .route("/api/v1/bulk", post(bulk::send))
        .route("/api/v1/statement", get(statement::own))
        .route("/api/v1/admin/accounts/{id}/statement", get(statement::of_account))
        .route("/api/v1/admin/statements", get(statement::all))
        .route("/api/v1/auth/login", post(console::login))
        .route("/api/v1/auth/logout", post(console::logout))
        .route("/api/v1/auth/me", get(console::me))
        .route("/api/v1/auth/password", post(console::password))
        .route("/api/v1/admin/accounts", get(admin::list_accounts).post(admin::create_account))
        .route(
            "/api/v1/admin/accounts/{id}",
            get(admin::get_account).patch(admin::patch_account).delete(admin::delete_account),
        )
        .route("/api/v1/admin/accounts/{id}/keys", post(admin::add_key))
        .route("/api/v1/admin/accounts/{id}/keys/{key_id}", axum::routing::delete(admin::revoke_key))
        .route("/api/v1/admin/accounts/{id}/rights", get(admin::get_rights).put(admin::put_rights))
        .route("/api/v1/admin/accounts/{id}/callback", axum::routing::put(admin::put_callback))
        .route("/api/v1/admin/push-failures", get(admin::push_failures))
        .route("/api/v1/admin/push-failures/{id}/resend", post(admin::resend_failure))
        .route("/api/v1/admin/accounts/{id}/signatures", get(admin::signatures).post(admin::add_signature))
        .route("/api/v1/admin/accounts/{id}/default-signature", axum::routing::put(admin::set_default))
        .route("/api/v1/admin/signatures/{sid}/{decision}", post(admin::decide_signature))
        .route("/api/v1/admin/accounts/{id}/templates", get(admin::templates))
        .route("/api/v1/admin/templates/{tid}/{decision}", post(admin::decide_template))
        .route(
            "/api/v1/admin/blacklist",
            get(admin::blacklist).post(admin::blacklist_change).delete(admin::blacklist_change),
        )
        .route("/api/v1/admin/users", post(admin::create_user))
        .route("/api/v1/admin/audit", get(admin::audit))
        .route("/api/v1/admin/system", get(admin::system))
        .route("/api/v1/admin/alerts", get(admin::alerts))
        .route("/api/v1/admin/channels", get(admin::channels))
        .route("/api/v1/admin/acceptance", get(acceptance::report))
        .route("/api/v1/incidents", post(incidents::report).get(incidents::mine))
        .route("/api/v1/admin/incidents", get(incidents::list))
        .route("/api/v1/admin/incidents/{id}", get(incidents::one).patch(incidents::record))
        .route("/api/v1/admin/channels/{name}/quality", get(admin::channel_quality))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(axum::middleware::from_fn(auth::body_hash))
        .layer(axum::middleware::from_fn(json_errors::json_errors))
        .with_state(state)
}

async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> axum::response::Response {
    if state.engine.storage_full() {
        let full = "storage is full: messages cannot be accepted until space is freed";
        let e = ApiError {
            retry_after_secs: Some(30),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage_full", full)
        };
        return e.into_response();
    }
    if state.ready.load(Ordering::SeqCst) && state.engine.is_accepting() {
        Json(serde_json::json!({ "status": "ok" })).into_response()
    } else {
        ApiError::unavailable("not ready").into_response()
    }
}

async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], include_str!("../openapi.json"))
}

#[cfg(test)]
mod tests;
