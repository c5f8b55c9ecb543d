//! What administrators approve and list for an account: signatures (and which is the default
//! per category), templates, and blacklists. Every change is audited.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::admin::Reviewed;
use serde::Deserialize;
use serde_json::{json, Value};

use super::account_or_404;
use crate::console::{ClientAddr, Console};
use crate::messages::json_body;
use crate::shapes::{BlacklistView, SignatureView, TemplateView};
use crate::{ApiError, AppState};

/// `GET /api/v1/admin/accounts/{id}/signatures`
pub(crate) async fn signatures(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    account_or_404(&state, &console, id).await?;
    let (signatures, rules) = state.engine.admin_signatures(&console.reader()?, id).await?;
    let list: Vec<SignatureView<'_>> = signatures.iter().map(|s| SignatureView::new(s, &rules)).collect();
    Ok(Json(json!({ "signatures": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SignatureBody {
    text: String,
    #[serde(default)]
    extension: String,
}

/// `POST /api/v1/admin/accounts/{id}/signatures`: recorded as pending.
pub(crate) async fn add_signature(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let actor = console.actor(&addr)?;
    let b: SignatureBody = json_body(&headers, body).await?;
    let sig = state.engine.admin_add_signature(&actor, id, &b.text, &b.extension).await?;
    let after = json!({ "id": sig.id, "text": sig.text, "extension": sig.extension, "status": "pending" });
    Ok((StatusCode::CREATED, Json(after)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct DecisionBody {
    #[serde(default)]
    reason: String,
}

/// A decision's optional body: `{"reason": "..."}`, or nothing at all.
async fn decision_body(headers: &HeaderMap, body: Body) -> Result<DecisionBody, ApiError> {
    if headers.get(axum::http::header::CONTENT_TYPE).is_none() {
        return Ok(DecisionBody::default());
    }
    json_body(headers, body).await
}

/// `POST /api/v1/admin/signatures/{sid}/approve` and `…/reject` (optional body: a reason).
pub(crate) async fn decide_signature(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path((sid, decision)): Path<(i64, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let actor = console.actor(&addr)?;
    let approve = decision_approves(&decision)?;
    let b = decision_body(&headers, body).await?;
    state.engine.admin_decide(&actor, Reviewed::Signature, sid, approve, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn decision_approves(decision: &str) -> Result<bool, ApiError> {
    match decision {
        "approve" => Ok(true),
        "reject" => Ok(false),
        _ => Err(ApiError::not_found("no such endpoint")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DefaultBody {
    signature_id: i64,
    /// One category; every configured one when absent.
    category: Option<String>,
}

/// `PUT /api/v1/admin/accounts/{id}/default-signature`
pub(crate) async fn set_default(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let actor = console.actor(&addr)?;
    let b: DefaultBody = json_body(&headers, body).await?;
    let category = b.category.as_deref().map(|name| crate::messages::category(&state.engine, name)).transpose()?;
    state.engine.admin_set_default_signature(&actor, id, b.signature_id, category).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/admin/accounts/{id}/templates`
pub(crate) async fn templates(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    account_or_404(&state, &console, id).await?;
    let list: Vec<Value> = state
        .engine
        .admin_templates(&console.reader()?, id)
        .await?
        .iter()
        .map(|t| json!(TemplateView::staff(t)))
        .collect();
    Ok(Json(json!({ "templates": list })))
}

/// `POST /api/v1/admin/templates/{tid}/approve` and `…/reject` (optional body: a reason).
pub(crate) async fn decide_template(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path((tid, decision)): Path<(i64, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let actor = console.actor(&addr)?;
    let approve = decision_approves(&decision)?;
    let b = decision_body(&headers, body).await?;
    state.engine.admin_decide(&actor, Reviewed::Template, tid, approve, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    account: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BlacklistBody {
    number: String,
    account: Option<i64>,
    #[serde(default)]
    reason: String,
}

/// `GET /api/v1/admin/blacklist?account=`: the global list, or an account's.
pub(crate) async fn blacklist(
    State(state): State<AppState>,
    console: Console,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = console.reader()?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let list: Vec<Value> =
        state.engine.admin_blacklist(&actor, q.account).await?.iter().map(|e| json!(BlacklistView::from(e))).collect();
    Ok(Json(json!({ "entries": list })))
}

/// `POST /api/v1/admin/blacklist` and `DELETE /api/v1/admin/blacklist` (same body).
pub(crate) async fn blacklist_change(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    method: axum::http::Method,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, ApiError> {
    let actor = console.actor(&addr)?;
    let b: BlacklistBody = json_body(&headers, body).await?;
    if method == axum::http::Method::DELETE {
        state.engine.admin_blacklist_remove(&actor, b.account, &b.number).await?;
        return Ok(StatusCode::NO_CONTENT);
    }
    state.engine.admin_blacklist_add(&actor, b.account, &b.number, &b.reason).await?;
    Ok(StatusCode::CREATED)
}
