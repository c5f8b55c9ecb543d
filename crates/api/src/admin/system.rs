//! `GET /api/v1/admin/system`: the platform's own state — its storage and its listeners — for
//! operators checking a fault before they look at the log.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::READERS;
use crate::console::Console;
use crate::{ApiError, AppState};

/// `GET /api/v1/admin/system`
pub(crate) async fn system(State(state): State<AppState>, console: Console) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    let listeners: Vec<Value> = hongyan_net::all_stats()
        .into_iter()
        .map(|l| {
            json!({
                "name": l.name,
                "addr": l.addr.map(|a| a.to_string()),
                "open": l.open,
                "accepted": l.accepted,
                "refused": l.refused,
                "accept_errors": l.accept_errors,
            })
        })
        .collect();
    Ok(Json(json!({
        "storage": {
            "full": state.engine.storage_full(),
            "unrecorded_submit_outcomes": state.engine.unrecorded_outcomes(),
        },
        "accepting": state.engine.is_accepting(),
        "listeners": listeners,
    })))
}
