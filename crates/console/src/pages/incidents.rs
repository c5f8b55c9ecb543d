//! Incidents: the bureau's staff report a fault (故障申告) and follow their reports; platform
//! staff see every incident with its two clocks (fixed within 4 h, reported within 1 h of the
//! fix), and administrators and operators record the fix, cause, actions and result. All of
//! it through the engine, as the API does (`Engine::report_fault`, `record_incident`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hongyan_api::AppState;
use hongyan_engine::admin::AdminError;
use hongyan_engine::incidents::{clocks, IncidentRecord};
use hongyan_store::{Incident, IncidentFilter, Role, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

fn at(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| json!(t.to_rfc3339_beijing()[..19].replace('T', " ")))
}

fn row(i: &Incident, now: Timestamp) -> Value {
    let (fix, report) = clocks(i, now);
    json!({
        "id": i.id, "kind": i.opened.kind.as_str(), "channel": i.opened.channel, "symptom": i.opened.symptom,
        "opened_at": at(Some(i.opened.opened_at)), "opened_by": i.opened.opened_by,
        "fixed_at": at(i.fixed_at), "reported_at": at(i.reported_at),
        "cause": i.cause, "actions": i.actions, "result": i.result,
        "fix": { "due": at(fix.due), "met": fix.met, "overdue": fix.overdue },
        "report": { "due": at(report.due), "met": report.met, "overdue": report.overdue },
    })
}

async fn list_page(state: &AppState, viewer: &Viewer, error: Option<String>) -> Response {
    let filter = IncidentFilter {
        from: None,
        to: None,
        open_only: false,
        account_id: if viewer.staff() { None } else { viewer.tenant_account() },
        channel: None,
        limit: 200,
    };
    if !viewer.staff() && filter.account_id.is_none() {
        return super::forbidden(viewer);
    }
    let found = match viewer.tenant_account() {
        Some(own) if !viewer.staff() => state.engine.incidents_of(own, filter).await.map_err(Into::into),
        _ => state.engine.admin_incidents(&viewer.actor(), filter).await,
    };
    let list = match found {
        Ok(l) => l,
        Err(e) => return super::admin_error(viewer, e),
    };
    let now = state.engine.clock().now();
    let rows: Vec<Value> = list.iter().map(|i| row(i, now)).collect();
    let channels: Vec<String> = state.engine.channel_states().into_iter().map(|(s, _)| s.name).collect();
    let may_record = viewer.is(&[Role::Admin, Role::Operator]);
    let failed = error.is_some();
    let ctx = json!({ "rows": rows, "channels": channels, "may_record": may_record, "error": error });
    let mut resp = render::page(viewer, "incidents.html", ctx);
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /incidents`
pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer) -> Response {
    list_page(&state, &viewer, None).await
}

#[derive(Deserialize)]
pub(crate) struct FaultForm {
    symptom: String,
    #[serde(default)]
    channel: String,
}

/// Back to the list, or the page again with what was wrong.
fn answer(viewer: &Viewer, done: Result<Incident, AdminError>) -> Result<Response, String> {
    match done {
        Ok(_) => Ok(Redirect::to("/incidents").into_response()),
        Err(AdminError::Store(e)) => Ok(super::store_error(viewer, e)),
        Err(AdminError::Forbidden) => Ok(super::forbidden(viewer)),
        Err(e) => Err(super::api_message(viewer, e.into())),
    }
}

/// `POST /incidents`: a fault report, by a tenant for its account or by staff.
pub(crate) async fn report(State(state): State<AppState>, viewer: Viewer, Form(f): Form<FaultForm>) -> Response {
    let actor = viewer.actor();
    let channel = Some(f.channel.trim().to_owned()).filter(|c| !c.is_empty());
    let done = state.engine.report_fault(&actor, channel, f.symptom).await;
    match answer(&viewer, done) {
        Ok(resp) => resp,
        Err(msg) => list_page(&state, &viewer, Some(msg)).await,
    }
}

#[derive(Deserialize)]
pub(crate) struct RecordForm {
    #[serde(default)]
    fixed_now: Option<String>,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    actions: String,
    #[serde(default)]
    result: String,
}

/// `POST /incidents/{id}`: the fix, cause, actions and result.
pub(crate) async fn record(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<RecordForm>,
) -> Response {
    let given = |s: String| Some(s).filter(|s| !s.trim().is_empty());
    let record = IncidentRecord {
        fixed_at: f.fixed_now.map(|_| state.engine.clock().now()),
        cause: given(f.cause),
        actions: given(f.actions),
        result: given(f.result),
    };
    let done = state.engine.record_incident(&viewer.actor(), id, record).await;
    match answer(&viewer, done) {
        Ok(resp) => resp,
        Err(msg) => list_page(&state, &viewer, Some(msg)).await,
    }
}
