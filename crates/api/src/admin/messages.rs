//! Messages across accounts for administrators, operators and auditors: search, one message's
//! detail, and exports — each through the engine's administration, which masks by role and
//! writes the audit line.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;
use hongyan_engine::admin::masked_for;
use hongyan_store::MessageId;
use serde_json::{json, Value};

use crate::console::{ClientAddr, Console};
use crate::messages::SearchQuery;
use crate::{views, ApiError, AppState};

/// Most messages one page returns.
const MAX_PAGE: usize = 500;

/// `GET /api/v1/admin/messages?account=&to=&sender=&…`: every account's, or one's.
pub(crate) async fn search(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = console.actor(&addr)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    if q.format.is_some() {
        return Err(ApiError::bad_request("invalid_query", "format is for exports (/api/v1/admin/messages/export)"));
    }
    let account = q.account;
    let filter = q.filter(&state.engine, account, MAX_PAGE)?;
    let limit = filter.limit;
    let found = state.engine.admin_search_messages(&actor, filter).await?;
    Ok(Json(views::message_list(&found, limit)))
}

/// `GET /api/v1/admin/messages/{id}`: one message of any account, with every detail.
pub(crate) async fn detail(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let actor = console.actor(&addr)?;
    let parsed: MessageId = id.parse().map_err(|_| ApiError::not_found(format!("no message `{id}`")))?;
    let d = state.engine.admin_find_message(&actor, parsed).await?;
    let attempts = state.engine.push_attempts(parsed).await?;
    Ok(Json(json!(views::DetailView::new(&d, &attempts))))
}

/// `GET /api/v1/admin/messages/export?format=csv|xlsx&account=&…`
pub(crate) async fn export(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let actor = console.actor(&addr)?;
    if !hongyan_engine::Engine::may_export_all(&actor) {
        return Err(hongyan_engine::admin::AdminError::Forbidden.into());
    }
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let format = crate::export::Format::parse(q.format.as_deref())?;
    let account = q.account;
    let filter = q.filter(&state.engine, account, MAX_PAGE)?;
    let role = actor.role;
    let name = account.map_or_else(|| "messages".to_owned(), |a| format!("messages-{a}"));
    let show = move |d| masked_for(Some(role), d);
    let (answer, rows) = crate::export::messages(state.engine.clone(), filter.clone(), show, format, &name).await?;
    state.engine.audit_export(&actor.username, &addr, &filter, rows).await?;
    Ok(answer)
}
