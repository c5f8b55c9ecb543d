//! The blacklists: the platform's (every account) and each account's. Administrators add and
//! remove numbers through `Engine::admin_blacklist_*` (audited with the number masked);
//! operators and auditors see the lists with numbers masked.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hongyan_api::AppState;
use hongyan_store::Role;
use hongyan_types::mask;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

#[derive(Deserialize, serde::Serialize, Default)]
pub(crate) struct Which {
    #[serde(default)]
    account: String,
}

async fn list_page(state: &AppState, viewer: &Viewer, which: &Which, error: Option<String>) -> Response {
    let account = which.account.trim().parse::<i64>().ok();
    let actor = viewer.actor();
    let (entries, accounts) =
        match (state.engine.admin_blacklist(&actor, account).await, state.engine.admin_accounts(&actor).await) {
            (Ok(e), Ok(a)) => (e, a),
            (Err(e), _) | (_, Err(e)) => return super::admin_error(viewer, e),
        };
    let masked = viewer.is(&[Role::Operator, Role::Auditor]);
    let rows: Vec<Value> = entries
        .iter()
        .map(|e| {
            let shown = if masked { mask::number(&e.number) } else { e.number.clone() };
            json!({ "number": shown, "full": if masked { Value::Null } else { json!(e.number) }, "reason": e.reason,
                    "created_at": e.created_at.to_rfc3339_beijing()[..19].replace('T', " ") })
        })
        .collect();
    let accounts: Vec<Value> = accounts.iter().map(|a| json!({ "id": a.id.to_string(), "name": a.name })).collect();
    let failed = error.is_some();
    let mut resp = render::page(
        viewer,
        "blacklist.html",
        json!({ "q": which, "rows": rows, "accounts": accounts, "error": error }),
    );
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /blacklist?account=`
pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer, Query(q): Query<Which>) -> Response {
    if !viewer.staff() {
        return super::forbidden(&viewer);
    }
    list_page(&state, &viewer, &q, None).await
}

#[derive(Deserialize)]
pub(crate) struct ChangeForm {
    #[serde(default)]
    account: String,
    number: String,
    #[serde(default)]
    reason: String,
    /// `add` or `remove`.
    action: String,
}

/// `POST /blacklist`
pub(crate) async fn change(State(state): State<AppState>, viewer: Viewer, Form(f): Form<ChangeForm>) -> Response {
    let account = f.account.trim().parse::<i64>().ok();
    let actor = viewer.actor();
    let done = if f.action == "remove" {
        state.engine.admin_blacklist_remove(&actor, account, &f.number).await
    } else {
        state.engine.admin_blacklist_add(&actor, account, &f.number, &f.reason).await
    };
    let back = Which { account: f.account.clone() };
    match done {
        Ok(()) => Redirect::to(&format!("/blacklist?account={}", f.account.trim())).into_response(),
        Err(hongyan_engine::admin::AdminError::Store(e)) => super::store_error(&viewer, e),
        Err(hongyan_engine::admin::AdminError::Forbidden) => super::forbidden(&viewer),
        Err(e) => {
            let msg = super::api_message(&viewer, e.into());
            list_page(&state, &viewer, &back, Some(msg)).await
        }
    }
}
