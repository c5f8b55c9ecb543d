//! `GET /api/v1/admin/alerts`: the alerts the platform raised — those holding now with
//! `active=true`, else the latest, resolved ones too.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::READERS;
use crate::console::Console;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AlertsQuery {
    active: Option<bool>,
    limit: Option<usize>,
}

/// `GET /api/v1/admin/alerts?active&limit`
pub(crate) async fn alerts(
    State(state): State<AppState>,
    console: Console,
    q: Result<Query<AlertsQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", "limit is 1 to 1000"));
    }
    let list = state.engine.list_alerts(q.active.unwrap_or(false), limit).await?;
    Ok(Json(json!({ "alerts": crate::shapes::all::<_, crate::shapes::AlertView<'_>>(&list) })))
}
