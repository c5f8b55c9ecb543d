//! Hongyan's web console: the pages the bureau's staff use with a browser.
//!
//! What it owns: server-rendered HTML (minijinja templates compiled into the binary), the
//! vendored htmx and the style sheet (`/assets/…`, nothing from a CDN), the page session (the
//! API's console session cookie, the same sessions), CSRF tokens on every form and htmx request,
//! the security headers every page carries, the two languages (简体中文 first, English by a
//! remembered switch), and charts drawn as SVG on the server.
//!
//! What it does not own: any business rule. Every change goes through the engine's services
//! (`Engine::admin_*`, `Engine::accept`, `Engine::statement`, …) exactly as the API's do, and
//! reads go through the store with the caller's account or role; a page is only a view.
//!
//! Layout:
//! - [`router`]: the routes, wrapped in [`guard::headers`] and [`guard::csrf`].
//! - `viewer.rs`: who is looking (session, role, language, CSRF token), or a redirect to log in.
//! - `render.rs` + `i18n.rs`: templates and their translations.
//! - `pages/`: one file per area (login, overview, send, messages, accounts, reviews, statements,
//!   help).
#![warn(missing_docs)]

mod assets;
pub mod guard;
pub use render::acceptance_html;
mod i18n;
mod pages;
mod render;
mod svg;
mod viewer;

use axum::routing::{get, post};
use axum::Router;
use hongyan_api::AppState;

/// Builds the console's routes (under `/`, beside the API's `/api/v1`).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(pages::login::form).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/password", get(pages::login::password_form).post(pages::login::password_submit))
        .route("/lang/{lang}", get(pages::lang))
        .route("/overview", get(pages::overview::page))
        .route("/channels", get(pages::overview::channels_page))
        .route("/send", get(pages::send::form).post(pages::send::submit))
        .route("/send/preview", post(pages::send::preview))
        .route("/send/bulk", get(pages::bulk::form).post(pages::bulk::upload))
        .route("/send/bulk/send", post(pages::bulk::send))
        .route("/messages", get(pages::messages::list))
        .route("/messages/{id}", get(pages::messages::detail))
        .route("/reports", get(pages::reports::reports))
        .route("/reports/replies", get(pages::reports::replies))
        .route("/reports/failures", get(pages::reports::failures))
        .route("/reports/failures/{id}/resend", post(pages::reports::resend))
        .route("/accounts", get(pages::accounts::list).post(pages::accounts::create))
        .route("/accounts/{id}", get(pages::accounts::detail))
        .route("/accounts/{id}/keys", post(pages::accounts::add_key))
        .route("/accounts/{id}/keys/{key_id}/revoke", post(pages::accounts::revoke_key))
        .route("/accounts/{id}/state", post(pages::accounts::change_state))
        .route("/accounts/{id}/rights", post(pages::rights::save))
        .route("/blacklist", get(pages::blacklist::list).post(pages::blacklist::change))
        .route("/signatures", get(pages::reviews::list).post(pages::reviews::apply))
        .route("/signatures/{id}/decide", post(pages::reviews::decide))
        .route("/templates", post(pages::reviews::apply_template))
        .route("/statements", get(pages::statements::page))
        .route("/acceptance", get(pages::acceptance::page))
        .route("/incidents", get(pages::incidents::list).post(pages::incidents::report))
        .route("/incidents/{id}", post(pages::incidents::record))
        .route("/users", get(pages::users::list).post(pages::users::create))
        .route("/users/{username}", post(pages::users::change))
        .route("/audit", get(pages::users::audit))
        .route("/help", get(pages::help::index))
        .route("/help/{doc}", get(pages::help::doc))
        .route("/assets/{file}", get(assets::serve))
        .layer(axum::Extension(std::sync::Arc::new(pages::bulk::Uploads::default())))
        .layer(axum::extract::DefaultBodyLimit::max(hongyan_api::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(guard::csrf))
        .layer(axum::middleware::from_fn(guard::headers))
        .with_state(state)
}

#[cfg(test)]
mod tests;
