//! Incidents over HTTP. A tenant (an interface key, a signed request or a tenant's console
//! session) reports a fault and lists its own reports: `POST` / `GET /api/v1/incidents`.
//! Staff list every incident with its two clocks (`GET /api/v1/admin/incidents`), read one,
//! and administrators and operators record cause, actions, result and the fix
//! (`PATCH /api/v1/admin/incidents/{id}`).

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::admin::Actor;
use hongyan_engine::incidents::IncidentRecord;
use hongyan_store::{Incident, IncidentFilter, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::admin::parse_time;
use crate::auth::Authed;
use crate::console::{ClientAddr, Console};
use crate::messages::json_body;
use crate::shapes::IncidentView;
use crate::{ApiError, AppState};

/// An incident as the API answers it, its clocks as they stand at `now`.
pub(crate) fn incident_json(i: &Incident, now: Timestamp) -> Value {
    json!(IncidentView::new(i, now))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultBody {
    symptom: String,
    channel: Option<String>,
}

/// `POST /api/v1/incidents`: a fault report.
pub(crate) async fn report(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let body: FaultBody = json_body(&headers, body).await?;
    let actor = Actor::account(&caller.key_id, caller.account_id, &addr);
    let incident = state.engine.report_fault(&actor, body.channel, body.symptom).await?;
    Ok((StatusCode::CREATED, Json(incident_json(&incident, state.engine.clock().now()))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IncidentQuery {
    from: Option<String>,
    to: Option<String>,
    open: Option<bool>,
    channel: Option<String>,
    limit: Option<usize>,
}

impl IncidentQuery {
    fn filter(self, account_id: Option<i64>) -> Result<IncidentFilter, ApiError> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=1000).contains(&limit) {
            return Err(ApiError::bad_request("invalid_query", "limit is 1 to 1000"));
        }
        Ok(IncidentFilter {
            from: self.from.as_deref().map(|s| parse_time(s, "from")).transpose()?,
            to: self.to.as_deref().map(|s| parse_time(s, "to")).transpose()?,
            open_only: self.open.unwrap_or(false),
            account_id,
            channel: self.channel,
            limit,
        })
    }
}

fn list_json(state: &AppState, incidents: &[Incident]) -> Json<Value> {
    let now = state.engine.clock().now();
    let list: Vec<Value> = incidents.iter().map(|i| incident_json(i, now)).collect();
    Json(json!({ "incidents": list }))
}

/// `GET /api/v1/incidents`: the caller's own fault reports, newest first.
pub(crate) async fn mine(
    State(state): State<AppState>,
    Authed(caller): Authed,
    q: Result<Query<IncidentQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let found = state.engine.incidents_of(caller.account_id, q.filter(Some(caller.account_id))?).await?;
    Ok(list_json(&state, &found))
}

/// `GET /api/v1/admin/incidents`
pub(crate) async fn list(
    State(state): State<AppState>,
    console: Console,
    q: Result<Query<IncidentQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = console.reader()?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let found = state.engine.admin_incidents(&actor, q.filter(None)?).await?;
    Ok(list_json(&state, &found))
}

/// `GET /api/v1/admin/incidents/{id}`
pub(crate) async fn one(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let i = state.engine.admin_incident(&console.reader()?, id).await?;
    Ok(Json(incident_json(&i, state.engine.clock().now())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    fixed_at: Option<String>,
    cause: Option<String>,
    actions: Option<String>,
    result: Option<String>,
}

/// `PATCH /api/v1/admin/incidents/{id}`: cause, actions, result, and the fix time.
pub(crate) async fn record(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let actor = console.actor(&addr)?;
    let body: RecordBody = json_body(&headers, body).await?;
    let record = IncidentRecord {
        fixed_at: body.fixed_at.as_deref().map(|s| parse_time(s, "fixed_at")).transpose()?,
        cause: body.cause,
        actions: body.actions,
        result: body.result,
    };
    let i = state.engine.record_incident(&actor, id, record).await?;
    Ok(Json(incident_json(&i, state.engine.clock().now())))
}
