//! Statements: sending volume and fees per carrier and category over whole Beijing days, for
//! the account itself (`GET /api/v1/statement`) and for administrators, operators and
//! auditors (`GET /api/v1/admin/accounts/{id}/statement`); JSON, or CSV for the bill.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::statement::{period, Statement};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authed;
use crate::console::Console;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatementQuery {
    from: String,
    to: String,
    format: Option<String>,
}

/// `GET /api/v1/statement?from=YYYY-MM-DD&to=YYYY-MM-DD[&format=csv]`: the caller's own.
pub(crate) async fn own(
    State(state): State<AppState>,
    Authed(caller): Authed,
    q: Result<Query<StatementQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    crate::auth::allow(&state, &caller, "query").await?;
    answer(&state, caller.account_id, q).await
}

/// `GET /api/v1/admin/accounts/{id}/statement?from=&to=[&format=csv]`
pub(crate) async fn of_account(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
    q: Result<Query<StatementQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    console.require(crate::admin::READERS)?;
    crate::admin::account_or_404(&state, id).await?;
    answer(&state, id, q).await
}

async fn answer(
    state: &AppState,
    account_id: i64,
    q: Result<Query<StatementQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let format = q.format.as_deref().unwrap_or("json");
    if !["json", "csv", "xlsx"].contains(&format) {
        return Err(ApiError::bad_request("invalid_query", "format is json, csv or xlsx"));
    }
    let (from, until) = period(&q.from, &q.to).map_err(|e| ApiError::bad_request("invalid_period", e.to_string()))?;
    let s = state.engine.statement(account_id, from, until).await?;
    let name = format!("statement-{account_id}-{}-{}", q.from, q.to);
    Ok(match format {
        "csv" => ([(CONTENT_TYPE, "text/csv; charset=utf-8")], s.to_csv()).into_response(),
        "xlsx" => crate::export::statement_answer(&s, &name)?,
        _ => Json(to_json(&s, &q.from, &q.to)).into_response(),
    })
}

fn money(m: Option<hongyan_store::Money>) -> Value {
    m.map_or(Value::Null, |m| Value::String(m.to_string()))
}

fn to_json(s: &Statement, from: &str, to: &str) -> Value {
    let lines: Vec<Value> = s
        .lines
        .iter()
        .map(|l| {
            let u = &l.usage;
            json!({
                "carrier": u.carrier.as_str(), "category": u.category.name(), "messages": u.messages,
                "billed_segments": u.billed_segments, "delivered": u.delivered,
                "unit_price": money(l.unit_price), "amount": money(l.amount),
            })
        })
        .collect();
    json!({
        "account_id": s.account_id, "from": from, "to": to, "currency": "CNY", "lines": lines,
        "total": {
            "messages": s.messages, "billed_segments": s.billed_segments, "amount": s.amount.to_string(),
            "unpriced_segments": s.unpriced_segments,
        },
    })
}
