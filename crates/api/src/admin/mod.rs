//! The administration API (`/api/v1/admin/...`) the console is built on: interface accounts,
//! their keys, console users, and the audit log. Every change is audited with who, from
//! where, and the state before and after.
//!
//! Roles: administrators change; operators and auditors read accounts; the audit log is for
//! administrators and auditors; tenant users see none of this.

pub(crate) mod alerts;
mod audit;
pub(crate) mod channels;
mod content;
mod messages;
mod rights;
mod system;

pub(crate) use alerts::alerts;
pub use audit::csv_field;
pub(crate) use audit::{audit, create_user};
pub(crate) use channels::{channels, quality as channel_quality};
pub(crate) use content::{
    add_signature, blacklist, blacklist_change, decide_signature, decide_template, set_default, signatures, templates,
};
pub(crate) use messages::{detail as message_detail, export as export_messages, search as search_messages};
pub(crate) use rights::{get_rights, push_failures, put_callback, put_rights, resend_failure};
pub(crate) use system::system;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::admin::NewAccount;
use hongyan_store::{Account, AccountPatch, Role, Timestamp};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::console::{ClientAddr, Console};
use crate::messages::json_body;
use crate::shapes::{self, AccountView, AccountWithKeys};
use crate::{ApiError, AppState};

pub(crate) const READERS: &[Role] = &[Role::Admin, Role::Operator, Role::Auditor];

pub(crate) fn parse_time(s: &str, field: &'static str) -> Result<Timestamp, ApiError> {
    Timestamp::parse_rfc3339(s).ok_or_else(|| {
        ApiError::unprocessable(
            "invalid_field",
            format!("{field} is an RFC 3339 time such as 2027-01-01T00:00:00+08:00"),
        )
    })
}

/// The account `id`, if the console user may read accounts.
pub(crate) async fn account_or_404(state: &AppState, console: &Console, id: i64) -> Result<Account, ApiError> {
    Ok(state.engine.admin_account(&console.reader()?, id).await?)
}

/// `GET /api/v1/admin/accounts`
pub(crate) async fn list_accounts(State(state): State<AppState>, console: Console) -> Result<Json<Value>, ApiError> {
    let accounts = state.engine.admin_accounts(&console.reader()?).await?;
    let now = state.engine.clock().now();
    let list: Vec<AccountView<'_>> = accounts.iter().map(|a| AccountView::new(a, now)).collect();
    Ok(Json(json!({ "accounts": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewAccountBody {
    name: String,
    signature: Option<String>,
    #[serde(default)]
    extension: String,
    expires_at: Option<String>,
}

/// `POST /api/v1/admin/accounts`: the account, its first key (the secret shown this once),
/// and, if given, an approved signature as its default for every category.
pub(crate) async fn create_account(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let actor = console.actor(&addr)?;
    let body: NewAccountBody = json_body(&headers, body).await?;
    let expires_at = body.expires_at.as_deref().map(|s| parse_time(s, "expires_at")).transpose()?;
    let new = NewAccount { name: body.name, signature: body.signature, extension: body.extension, expires_at };
    let cred = state.engine.admin_create_account(&actor, new).await?;
    let after = AccountView::new(&cred.account, state.engine.clock().now());
    let out = json!({ "account": after, "key_id": cred.key_id, "secret": cred.secret });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/admin/accounts/{id}`
pub(crate) async fn get_account(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let account = account_or_404(&state, &console, id).await?;
    let keys = state.engine.admin_api_keys(&console.reader()?, id).await?;
    let account = AccountView::new(&account, state.engine.clock().now());
    Ok(Json(json!(AccountWithKeys { account, keys: shapes::all(&keys) })))
}

/// Absent stays `None`; `null` becomes `Some(None)`.
pub(crate) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatchBody {
    enabled: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    expires_at: Option<Option<String>>,
}

/// `PATCH /api/v1/admin/accounts/{id}`: enable, disable, set or clear the expiry.
pub(crate) async fn patch_account(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let actor = console.actor(&addr)?;
    let body: PatchBody = json_body(&headers, body).await?;
    let expires_at = match body.expires_at {
        Some(Some(s)) => Some(Some(parse_time(&s, "expires_at")?)),
        Some(None) => Some(None),
        None => None,
    };
    let after =
        state.engine.admin_update_account(&actor, id, AccountPatch { enabled: body.enabled, expires_at }).await?;
    Ok(Json(json!(AccountView::new(&after, state.engine.clock().now()))))
}

/// `DELETE /api/v1/admin/accounts/{id}`: soft; every record stays, nothing works.
pub(crate) async fn delete_account(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    state.engine.admin_delete_account(&console.actor(&addr)?, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/accounts/{id}/keys`: a new key; the secret is in this answer only.
pub(crate) async fn add_key(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let cred = state.engine.admin_add_key(&console.actor(&addr)?, id).await?;
    Ok((StatusCode::CREATED, Json(json!({ "key_id": cred.key_id, "secret": cred.secret }))).into_response())
}

/// `DELETE /api/v1/admin/accounts/{id}/keys/{key_id}`: revoked at once.
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path((id, key_id)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    state.engine.admin_revoke_key(&console.actor(&addr)?, id, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
