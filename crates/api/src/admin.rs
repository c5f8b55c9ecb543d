//! The administration API (`/api/v1/admin/...`) the console is built on: interface accounts,
//! their keys, console users, and the audit log. Every change is audited with who, from
//! where, and the state before and after.
//!
//! Roles: administrators change; operators and auditors read accounts; the audit log is for
//! administrators and auditors; tenant users see none of this.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::users::PasswordError;
use hongyan_store::{Account, AccountPatch, ApiKey, AuditFilter, AuditRecord, Role, StoreError, Timestamp};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::console::{ClientAddr, Console};
use crate::messages::json_body;
use crate::{ApiError, AppState};

const READERS: &[Role] = &[Role::Admin, Role::Operator, Role::Auditor];
const AUDIT_READERS: &[Role] = &[Role::Admin, Role::Auditor];
const ADMIN: &[Role] = &[Role::Admin];
/// Largest rate an account may be given (messages a second).
const MAX_RATE: u64 = 100_000;
/// Largest daily or monthly quota (billing segments).
const MAX_QUOTA: u64 = 1_000_000_000_000;

fn time(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()))
}

fn account_json(a: &Account, now: Timestamp) -> Value {
    let state = match () {
        () if a.deleted_at.is_some() => "deleted",
        () if !a.enabled => "disabled",
        () if !a.usable(now) => "expired",
        () => "active",
    };
    json!({
        "id": a.id, "name": a.name, "state": state, "enabled": a.enabled,
        "created_at": time(Some(a.created_at)), "expires_at": time(a.expires_at), "deleted_at": time(a.deleted_at),
    })
}

fn key_json(k: &ApiKey) -> Value {
    json!({
        "key_id": k.key_id, "created_at": time(Some(k.created_at)),
        "revoked_at": time(k.revoked_at), "last_used_at": time(k.last_used_at),
    })
}

fn parse_time(s: &str, field: &'static str) -> Result<Timestamp, ApiError> {
    Timestamp::parse_rfc3339(s).ok_or_else(|| {
        ApiError::unprocessable(
            "invalid_field",
            format!("{field} is an RFC 3339 time such as 2027-01-01T00:00:00+08:00"),
        )
    })
}

async fn account_or_404(state: &AppState, id: i64) -> Result<Account, ApiError> {
    state.engine.store().get_account(id).await?.ok_or_else(|| ApiError::not_found(format!("no account {id}")))
}

/// `GET /api/v1/admin/accounts`
pub(crate) async fn list_accounts(State(state): State<AppState>, console: Console) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    let now = state.engine.clock().now();
    let list: Vec<Value> = state.engine.store().list_accounts().await?.iter().map(|a| account_json(a, now)).collect();
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
    let actor = console.require(ADMIN)?.username.clone();
    let body: NewAccountBody = json_body(&headers, body).await?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::unprocessable("invalid_field", "name is 1 to 64 characters, no control characters"));
    }
    if !body.extension.chars().all(|c| c.is_ascii_digit()) || body.extension.len() > 6 {
        return Err(ApiError::unprocessable("invalid_field", "extension is up to 6 digits"));
    }
    let expires = body.expires_at.as_deref().map(|s| parse_time(s, "expires_at")).transpose()?;
    let cred = match state.engine.create_account(name).await {
        Ok(c) => c,
        Err(StoreError::Conflict(_)) => {
            return Err(ApiError::new(StatusCode::CONFLICT, "name_taken", format!("an account named `{name}` exists")))
        }
        Err(e) => return Err(e.into()),
    };
    let id = cred.account.id;
    if let Some(sig) = body.signature.as_deref() {
        state.engine.sign_with(id, sig, &body.extension).await?;
    }
    let mut account = cred.account.clone();
    if expires.is_some() {
        let patch = AccountPatch { enabled: None, expires_at: Some(expires) };
        account = state.engine.store().update_account(id, patch).await?.unwrap_or(account);
    }
    let now = state.engine.clock().now();
    let after = account_json(&account, now);
    state
        .engine
        .audit(&actor, &addr, "account.create", &format!("account:{id}"), (None, Some(after.to_string())), "ok")
        .await?;
    let out = json!({ "account": after, "key_id": cred.key_id, "secret": cred.secret });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/admin/accounts/{id}`
pub(crate) async fn get_account(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    let account = account_or_404(&state, id).await?;
    let keys: Vec<Value> = state.engine.store().list_api_keys(id).await?.iter().map(key_json).collect();
    let mut out = account_json(&account, state.engine.clock().now());
    out["keys"] = Value::Array(keys);
    Ok(Json(out))
}

/// Absent stays `None`; `null` becomes `Some(None)`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
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
    let actor = console.require(ADMIN)?.username.clone();
    let body: PatchBody = json_body(&headers, body).await?;
    let expires_at = match body.expires_at {
        Some(Some(s)) => Some(Some(parse_time(&s, "expires_at")?)),
        Some(None) => Some(None),
        None => None,
    };
    let before = account_or_404(&state, id).await?;
    if before.deleted_at.is_some() {
        return Err(ApiError::new(StatusCode::CONFLICT, "account_deleted", "a deleted account does not change"));
    }
    let now = state.engine.clock().now();
    let after = state
        .engine
        .store()
        .update_account(id, AccountPatch { enabled: body.enabled, expires_at })
        .await?
        .unwrap_or(before.clone());
    state.engine.forget_cached_keys();
    let change = (Some(account_json(&before, now).to_string()), Some(account_json(&after, now).to_string()));
    state.engine.audit(&actor, &addr, "account.update", &format!("account:{id}"), change, "ok").await?;
    Ok(Json(account_json(&after, now)))
}

/// `DELETE /api/v1/admin/accounts/{id}`: soft; every record stays, nothing works.
pub(crate) async fn delete_account(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let actor = console.require(ADMIN)?.username.clone();
    let before = account_or_404(&state, id).await?;
    let now = state.engine.clock().now();
    if !state.engine.store().delete_account(id, now).await? {
        return Err(ApiError::new(StatusCode::CONFLICT, "account_deleted", "the account is already deleted"));
    }
    state.engine.forget_cached_keys();
    let after = account_or_404(&state, id).await?;
    let change = (Some(account_json(&before, now).to_string()), Some(account_json(&after, now).to_string()));
    state.engine.audit(&actor, &addr, "account.delete", &format!("account:{id}"), change, "ok").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/accounts/{id}/keys`: a new key; the secret is in this answer only.
pub(crate) async fn add_key(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let actor = console.require(ADMIN)?.username.clone();
    let account = account_or_404(&state, id).await?;
    if account.deleted_at.is_some() {
        return Err(ApiError::new(StatusCode::CONFLICT, "account_deleted", "a deleted account gets no keys"));
    }
    let cred = state.engine.add_api_key(account).await?;
    let after = json!({ "key_id": cred.key_id }).to_string();
    state.engine.audit(&actor, &addr, "key.create", &format!("account:{id}"), (None, Some(after)), "ok").await?;
    Ok((StatusCode::CREATED, Json(json!({ "key_id": cred.key_id, "secret": cred.secret }))).into_response())
}

/// `DELETE /api/v1/admin/accounts/{id}/keys/{key_id}`: revoked at once.
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path((id, key_id)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let actor = console.require(ADMIN)?.username.clone();
    let now = state.engine.clock().now();
    if !state.engine.store().revoke_api_key(id, &key_id, now).await? {
        return Err(ApiError::not_found(format!("no live key {key_id} on account {id}")));
    }
    state.engine.forget_cached_keys();
    state.engine.audit(&actor, &addr, "key.revoke", &format!("account:{id}/key:{key_id}"), (None, None), "ok").await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserBody {
    username: String,
    role: String,
    account_id: Option<i64>,
    password: String,
}

/// `POST /api/v1/admin/users`: the new user must change the password at first login.
pub(crate) async fn create_user(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let actor = console.require(ADMIN)?.username.clone();
    let body: NewUserBody = json_body(&headers, body).await?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| ApiError::unprocessable("invalid_field", "role is admin, operator, auditor or tenant"))?;
    let username = body.username.trim();
    if username.is_empty()
        || username.len() > 64
        || !username.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c))
    {
        return Err(ApiError::unprocessable(
            "invalid_field",
            "username is 1 to 64 letters, digits, `.`, `_`, `-` or `@`",
        ));
    }
    if (role == Role::Tenant) != body.account_id.is_some() {
        return Err(ApiError::unprocessable("invalid_field", "a tenant user names its account_id; other roles do not"));
    }
    if let Some(id) = body.account_id {
        account_or_404(&state, id).await?;
    }
    let user = match state.engine.create_user(username, role, body.account_id, &body.password, true).await {
        Ok(u) => u,
        Err(PasswordError::Store(StoreError::Conflict(_))) => {
            return Err(ApiError::new(StatusCode::CONFLICT, "name_taken", "that username is taken"))
        }
        Err(PasswordError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::unprocessable("weak_password", e.to_string())),
    };
    let after = json!({ "username": user.username, "role": role.as_str(), "account_id": user.account_id });
    state
        .engine
        .audit(&actor, &addr, "user.create", &format!("user:{}", user.username), (None, Some(after.to_string())), "ok")
        .await?;
    Ok((StatusCode::CREATED, Json(after)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuditQuery {
    from: Option<String>,
    to: Option<String>,
    actor: Option<String>,
    action: Option<String>,
    before: Option<i64>,
    limit: Option<usize>,
    format: Option<String>,
}

fn audit_json(r: &AuditRecord) -> Value {
    let e = &r.entry;
    json!({
        "id": r.id, "at": time(Some(e.at)), "actor": e.actor, "address": e.address, "action": e.action,
        "target": e.target, "before": e.before, "after": e.after, "outcome": e.outcome,
    })
}

fn csv_field(s: &str) -> String {
    // Quoted, quotes doubled; a leading =, +, - or @ is defused so a spreadsheet shows text.
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// `GET /api/v1/admin/audit`: newest first, by time, actor and action; `format=csv` exports.
pub(crate) async fn audit(
    State(state): State<AppState>,
    console: Console,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    console.require(AUDIT_READERS)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", "limit is 1 to 10000"));
    }
    let filter = AuditFilter {
        from: q.from.as_deref().map(|s| parse_time(s, "from")).transpose()?,
        to: q.to.as_deref().map(|s| parse_time(s, "to")).transpose()?,
        actor: q.actor,
        action: q.action,
        before_id: q.before,
        limit,
    };
    let records = state.engine.store().audit(filter).await?;
    match q.format.as_deref() {
        Some("csv") => {
            let mut out = String::from("id,at,actor,address,action,target,before,after,outcome\n");
            for r in &records {
                let e = &r.entry;
                let fields = [
                    e.at.to_rfc3339_beijing(),
                    e.actor.clone(),
                    e.address.clone(),
                    e.action.clone(),
                    e.target.clone(),
                    e.before.clone().unwrap_or_default(),
                    e.after.clone().unwrap_or_default(),
                    e.outcome.clone(),
                ];
                let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
                out.push_str(&format!("{},{}\n", r.id, line.join(",")));
            }
            Ok(([(CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response())
        }
        None | Some("json") => {
            Ok(Json(json!({ "entries": records.iter().map(audit_json).collect::<Vec<_>>() })).into_response())
        }
        Some(_) => Err(ApiError::bad_request("invalid_query", "format is json or csv")),
    }
}

/// Absent leaves a list as it is; `null` lifts the restriction; a list restricts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RightsBody {
    #[serde(default, deserialize_with = "present")]
    interfaces: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    operations: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    categories: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    ip_allow: Option<Option<Vec<String>>>,
    free_text: Option<bool>,
    callback_per_request: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    rate: Option<Option<u32>>,
    #[serde(default, deserialize_with = "present")]
    daily_quota: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    monthly_quota: Option<Option<u64>>,
}

async fn rights_json(state: &AppState, id: i64) -> Result<Value, ApiError> {
    let store = state.engine.store();
    let r = store.account_rights(id).await?;
    let limits = store.account_limits(id).await?;
    Ok(json!({
        "interfaces": r.interfaces, "operations": r.operations, "categories": r.categories,
        "ip_allow": r.ip_allow.map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
        "free_text": store.free_text_allowed(id).await?,
        "callback_per_request": store.callback_per_request(id).await?,
        "rate": limits.rate, "daily_quota": limits.daily_quota, "monthly_quota": limits.monthly_quota,
    }))
}

fn subset(field: &'static str, v: &Option<Option<Vec<String>>>, allowed: &[&str]) -> Result<(), ApiError> {
    match v {
        Some(Some(items)) if items.iter().any(|i| !allowed.contains(&i.as_str())) => {
            Err(ApiError::unprocessable("invalid_field", format!("{field} are among: {}", allowed.join(", "))))
        }
        _ => Ok(()),
    }
}

/// `GET /api/v1/admin/accounts/{id}/rights`
pub(crate) async fn get_rights(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    account_or_404(&state, id).await?;
    Ok(Json(rights_json(&state, id).await?))
}

/// `PUT /api/v1/admin/accounts/{id}/rights`: what the account may do, enforced on HTTP, SMPP
/// and CMPP alike from the next call.
pub(crate) async fn put_rights(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    use hongyan_engine::rights::{INTERFACES, OPERATIONS};
    let actor = console.require(ADMIN)?.username.clone();
    let b: RightsBody = json_body(&headers, body).await?;
    account_or_404(&state, id).await?;
    let too_big = |v: Option<Option<u64>>, max: u64| v.flatten().is_some_and(|n| n > max);
    if too_big(b.rate.map(|r| r.map(u64::from)), MAX_RATE)
        || too_big(b.daily_quota, MAX_QUOTA)
        || too_big(b.monthly_quota, MAX_QUOTA)
    {
        let why = format!("rate is at most {MAX_RATE} a second, quotas at most {MAX_QUOTA} segments");
        return Err(ApiError::unprocessable("invalid_field", why));
    }
    subset("interfaces", &b.interfaces, &INTERFACES)?;
    subset("operations", &b.operations, &OPERATIONS)?;
    let names: Vec<String> = state.engine.categories().iter().map(|d| d.category.name().to_owned()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    subset("categories", &b.categories, &names)?;
    let ranges = match &b.ip_allow {
        Some(Some(list)) => Some(Some(
            list.iter()
                .map(|c| hongyan_types::Cidr::parse(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ApiError::unprocessable("invalid_field", e.to_string()))?,
        )),
        Some(None) => Some(None),
        None => None,
    };
    let before = rights_json(&state, id).await?;
    let store = state.engine.store();
    let mut r = store.account_rights(id).await?;
    if let Some(v) = b.interfaces {
        r.interfaces = v;
    }
    if let Some(v) = b.operations {
        r.operations = v;
    }
    if let Some(v) = b.categories {
        r.categories = v;
    }
    if let Some(v) = ranges {
        r.ip_allow = v;
    }
    state.engine.set_rights(id, r).await?;
    if let Some(v) = b.free_text {
        store.set_free_text(id, v).await?;
    }
    if let Some(v) = b.callback_per_request {
        store.set_callback_per_request(id, v).await?;
    }
    if b.rate.is_some() || b.daily_quota.is_some() || b.monthly_quota.is_some() {
        let mut limits = store.account_limits(id).await?;
        if let Some(v) = b.rate {
            limits.rate = v;
        }
        if let Some(v) = b.daily_quota {
            limits.daily_quota = v;
        }
        if let Some(v) = b.monthly_quota {
            limits.monthly_quota = v;
        }
        store.set_account_limits(id, limits).await?;
        state.engine.forget_account_limits(id);
    }
    let after = rights_json(&state, id).await?;
    state
        .engine
        .audit(
            &actor,
            &addr,
            "account.rights",
            &format!("account:{id}"),
            (Some(before.to_string()), Some(after.to_string())),
            "ok",
        )
        .await?;
    Ok(Json(after))
}
