//! Console users (administrators change, auditors look) and the audit log (administrators and
//! auditors). Changes are `Engine::admin_create_user` / `admin_change_user`; the audit log's CSV
//! export is the admin API's (`/api/v1/admin/audit?format=csv`), which takes the same session.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hongyan_api::AppState;
use hongyan_engine::admin::UserChange;
use hongyan_engine::statement::beijing_day;
use hongyan_store::{AuditFilter, Role, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

fn when(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()[..19].replace('T', " ")))
}

async fn users_page(state: &AppState, viewer: &Viewer, error: Option<String>) -> Response {
    users_page_with(state, viewer, error, json!({})).await
}

/// The page with what was typed into the new-user form kept (after a refusal).
async fn users_page_with(state: &AppState, viewer: &Viewer, error: Option<String>, form: Value) -> Response {
    let now = state.engine.clock().now();
    let actor = viewer.actor();
    let (users, accounts) = match (state.engine.admin_users(&actor).await, state.engine.admin_accounts(&actor).await) {
        (Ok(u), Ok(a)) => (u, a),
        (Err(e), _) | (_, Err(e)) => return super::admin_error(viewer, e),
    };
    let users: Vec<Value> = users
        .iter()
        .map(|u| {
            let locked = u.locked_until.is_some_and(|t| t > now);
            json!({ "username": u.username, "role": u.role.as_str(), "account_id": u.account_id, "disabled": u.disabled,
                    "locked": locked, "must_change": u.must_change, "created_at": when(Some(u.created_at)) })
        })
        .collect();
    let accounts: Vec<Value> =
        accounts.iter().filter(|a| a.deleted_at.is_none()).map(|a| json!({ "id": a.id, "name": a.name })).collect();
    let failed = error.is_some();
    let ctx = json!({ "users": users, "accounts": accounts, "error": error, "form": form });
    let mut resp = render::page(viewer, "users.html", ctx);
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /users`
pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer) -> Response {
    if !viewer.is(&[Role::Admin, Role::Auditor]) {
        return super::forbidden(&viewer);
    }
    users_page(&state, &viewer, None).await
}

#[derive(Deserialize, serde::Serialize)]
pub(crate) struct NewUserForm {
    username: String,
    role: String,
    #[serde(default)]
    account_id: String,
    password: String,
}

fn role_and_account(role: &str, account: &str) -> Option<(Role, Option<i64>)> {
    let role = Role::parse(role)?;
    let account = if role == Role::Tenant { Some(account.trim().parse().ok()?) } else { None };
    Some((role, account))
}

/// `POST /users`
pub(crate) async fn create(State(state): State<AppState>, viewer: Viewer, Form(f): Form<NewUserForm>) -> Response {
    let Some((role, account)) = role_and_account(&f.role, &f.account_id) else {
        let msg = viewer.lang.pick("业务用户须选择所属账号。", "A tenant user belongs to an account: choose it.");
        return users_page_with(&state, &viewer, Some(msg.to_owned()), typed(&f)).await;
    };
    match state.engine.admin_create_user(&viewer.actor(), &f.username, role, account, &f.password).await {
        Ok(_) => Redirect::to("/users").into_response(),
        Err(hongyan_engine::admin::AdminError::Store(e)) => super::store_error(&viewer, e),
        Err(hongyan_engine::admin::AdminError::Forbidden) => super::forbidden(&viewer),
        Err(e) => {
            let msg = super::api_message(&viewer, e.into());
            users_page_with(&state, &viewer, Some(msg), typed(&f)).await
        }
    }
}

/// The form as typed, the password left out.
fn typed(f: &NewUserForm) -> Value {
    json!({ "username": f.username, "role": f.role, "account_id": f.account_id })
}

#[derive(Deserialize)]
pub(crate) struct ChangeForm {
    change: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    account_id: String,
}

/// `POST /users/{username}`: `disable`, `enable`, `unlock`, `reset` (with `password`) or
/// `role` (with `role` and, for a tenant, `account_id`).
pub(crate) async fn change(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(username): Path<String>,
    Form(f): Form<ChangeForm>,
) -> Response {
    let change = match f.change.as_str() {
        "disable" => UserChange::Disable,
        "enable" => UserChange::Enable,
        "unlock" => UserChange::Unlock,
        "reset" => UserChange::ResetPassword(f.password.clone()),
        "role" => match role_and_account(&f.role, &f.account_id) {
            Some((role, account)) => UserChange::Role(role, account),
            None => {
                let msg =
                    viewer.lang.pick("业务用户须选择所属账号。", "A tenant user belongs to an account: choose it.");
                return users_page(&state, &viewer, Some(msg.to_owned())).await;
            }
        },
        _ => return render::error(&viewer, StatusCode::BAD_REQUEST, "unknown change"),
    };
    match state.engine.admin_change_user(&viewer.actor(), &username, change).await {
        Ok(_) => Redirect::to("/users").into_response(),
        Err(hongyan_engine::admin::AdminError::Store(e)) => super::store_error(&viewer, e),
        Err(e) => {
            let msg = super::api_message(&viewer, e.into());
            users_page(&state, &viewer, Some(msg)).await
        }
    }
}

#[derive(Deserialize, serde::Serialize, Default)]
pub(crate) struct AuditQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    before: String,
}

/// `GET /audit`: newest first, 100 a page, by Beijing days, actor and action.
pub(crate) async fn audit(State(state): State<AppState>, viewer: Viewer, Query(q): Query<AuditQuery>) -> Response {
    if !viewer.is(&[Role::Admin, Role::Auditor]) {
        return super::forbidden(&viewer);
    }
    let day = |s: &str, next: bool| -> Result<Option<Timestamp>, String> {
        match s.trim() {
            "" => Ok(None),
            d => beijing_day(d)
                .map(|t| Some(if next { t.plus_millis(86_400_000) } else { t }))
                .map_err(|e| viewer.lang.error("invalid_period", &e.to_string())),
        }
    };
    let (from, to) = match (day(&q.from, false), day(&q.to, true)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return render::error(&viewer, StatusCode::BAD_REQUEST, &e),
    };
    let filter = AuditFilter {
        from,
        to,
        actor: Some(q.actor.trim().to_owned()).filter(|s| !s.is_empty()),
        action: Some(q.action.trim().to_owned()).filter(|s| !s.is_empty()),
        before_id: q.before.trim().parse().ok(),
        limit: 100,
    };
    let records = match state.engine.admin_audit(&viewer.actor(), filter).await {
        Ok(r) => r,
        Err(e) => return super::admin_error(&viewer, e),
    };
    let next = (records.len() == 100).then(|| records.last().map(|r| r.id)).flatten();
    let rows: Vec<Value> = records
        .iter()
        .map(|r| {
            let e = &r.entry;
            json!({ "id": r.id, "at": when(Some(e.at)), "actor": e.actor, "address": e.address, "action": e.action,
                    "target": e.target, "before": e.before, "after": e.after, "outcome": e.outcome })
        })
        .collect();
    let iso = |t: Option<Timestamp>| t.map(Timestamp::to_rfc3339_beijing).unwrap_or_default();
    let export = json!({ "from": iso(from), "to": iso(to) });
    render::page(&viewer, "audit.html", json!({ "q": q, "rows": rows, "next": next, "export": export }))
}
