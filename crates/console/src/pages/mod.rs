//! The console's pages, one file per area.

pub(crate) mod acceptance;
pub(crate) mod accounts;
pub(crate) mod blacklist;
pub(crate) mod bulk;
pub(crate) mod help;
pub(crate) mod incidents;
pub(crate) mod login;
pub(crate) mod messages;
pub(crate) mod overview;
pub(crate) mod reports;
pub(crate) mod reviews;
pub(crate) mod rights;
pub(crate) mod send;
pub(crate) mod statements;
pub(crate) mod users;

use axum::extract::{Path, Query};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hongyan_api::ApiError;
use hongyan_engine::admin::AdminError;
use hongyan_store::StoreError;
use serde::Deserialize;

use crate::viewer::{Viewer, LANG_COOKIE};

/// `/`: the overview for a logged-in user, else the login page.
pub(crate) async fn home(viewer: Result<Viewer, crate::viewer::Away>) -> Response {
    match viewer {
        Ok(_) => Redirect::to("/overview").into_response(),
        Err(away) => away.into_response(),
    }
}

#[derive(Deserialize)]
pub(crate) struct Back {
    back: Option<String>,
}

/// `/lang/{zh|en}?back=/path`: remembers the language for a year and returns to the page.
pub(crate) async fn lang(Path(lang): Path<String>, Query(q): Query<Back>) -> Response {
    if lang != "zh" && lang != "en" {
        return (StatusCode::NOT_FOUND, "no such language").into_response();
    }
    // Only a path of this site: never `//host` or a full URL.
    let back = q.back.filter(|b| b.starts_with('/') && !b.starts_with("//") && !b.contains('\\'));
    let mut resp = StatusCode::SEE_OTHER.into_response();
    let location = HeaderValue::from_str(back.as_deref().unwrap_or("/")).unwrap_or(HeaderValue::from_static("/"));
    resp.headers_mut().insert(LOCATION, location);
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Strict");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(SET_COOKIE, v);
    }
    resp
}

/// A refusal from the engine's administration, as a page says it.
pub(crate) fn admin_error(viewer: &Viewer, e: AdminError) -> Response {
    let api = ApiError::from(e);
    if api.status.is_server_error() {
        return crate::render::failure(viewer.lang);
    }
    crate::render::error(viewer, api.status, &viewer.lang.error(api.code, &api.message))
}

/// An error that is the platform's own (the store failed): a 500 page, the detail logged.
pub(crate) fn store_error(viewer: &Viewer, e: StoreError) -> Response {
    tracing::error!(error = %e, "console: store error");
    crate::render::failure(viewer.lang)
}

/// The message of an engine or API error for a form, in the viewer's language.
pub(crate) fn api_message(viewer: &Viewer, e: ApiError) -> String {
    viewer.lang.error(e.code, &e.message)
}

/// A 404 page: used for anything the viewer may not see, so ids of others do not show.
pub(crate) fn not_found(viewer: &Viewer) -> Response {
    crate::render::error(viewer, StatusCode::NOT_FOUND, viewer.lang.pick("未找到。", "Not found."))
}

/// A 403 page for a role that may not open this page.
pub(crate) fn forbidden(viewer: &Viewer) -> Response {
    crate::render::error(
        viewer,
        StatusCode::FORBIDDEN,
        viewer.lang.pick("当前角色无权访问此页面。", "This role may not open this page."),
    )
}
