//! The acceptance report (staff): the period's channel figures against the targets, the
//! incidents with their clocks, and the payment periods' volume and fees — the API's report,
//! rendered; exports are the API's (same session). The print stylesheet leaves out the
//! console's frame, and `hongyan acceptance --format html` writes the same body as a file.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongyan_api::AppState;
use hongyan_engine::acceptance::AcceptanceError;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::render;
use crate::viewer::Viewer;

#[derive(Deserialize, Serialize, Default)]
pub(crate) struct Days {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /acceptance`: the last six whole months up to today unless other days are asked for.
pub(crate) async fn page(State(state): State<AppState>, viewer: Viewer, Query(mut q): Query<Days>) -> Response {
    if !viewer.staff() {
        return render::error(&viewer, StatusCode::FORBIDDEN, viewer.lang.pick("仅限平台人员。", "Staff only."));
    }
    if q.from.is_empty() || q.to.is_empty() {
        let now = state.engine.clock().now();
        let mut start = now.beijing_month_start();
        for _ in 0..5 {
            start = start.plus_millis(-1).beijing_month_start();
        }
        q.from = start.to_rfc3339_beijing()[..10].to_owned();
        q.to = now.to_rfc3339_beijing()[..10].to_owned();
    }
    match state.engine.acceptance(&q.from, &q.to).await {
        Ok(r) => {
            render::page(&viewer, "acceptance.html", json!({ "q": q, "r": hongyan_api::acceptance::report_json(&r) }))
        }
        Err(AcceptanceError::Period(e)) => {
            let ctx = json!({ "q": q, "error": viewer.lang.error("invalid_period", &e) });
            let mut resp = render::page(&viewer, "acceptance.html", ctx);
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            resp
        }
        Err(AcceptanceError::Store(e)) => super::store_error(&viewer, e),
    }
}
