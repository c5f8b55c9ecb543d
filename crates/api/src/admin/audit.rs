//! Console users and the audit log (JSON, or a CSV export).

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_store::{AuditFilter, Role};
use serde::Deserialize;
use serde_json::json;

use super::parse_time;
use crate::console::{ClientAddr, Console};
use crate::messages::json_body;
use crate::{ApiError, AppState};

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
    let actor = console.actor(&addr)?;
    let body: NewUserBody = json_body(&headers, body).await?;
    let role = Role::parse(&body.role)
        .ok_or_else(|| ApiError::unprocessable("invalid_field", "role is admin, operator, auditor or tenant"))?;
    let user = state.engine.admin_create_user(&actor, &body.username, role, body.account_id, &body.password).await?;
    let after = json!({ "username": user.username, "role": role.as_str(), "account_id": user.account_id });
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

pub use hongyan_engine::csv::field as csv_field;

/// `GET /api/v1/admin/audit`: newest first, by time, actor and action; `format=csv` exports.
pub(crate) async fn audit(
    State(state): State<AppState>,
    console: Console,
    q: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let actor = console.reader()?;
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
    let records = state.engine.admin_audit(&actor, filter).await?;
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
            Ok(Json(json!({ "entries": crate::shapes::all::<_, crate::shapes::AuditView<'_>>(&records) }))
                .into_response())
        }
        Some(_) => Err(ApiError::bad_request("invalid_query", "format is json or csv")),
    }
}
