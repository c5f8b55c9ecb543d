//! Statements: sending volume and fees per carrier and category over whole Beijing days, for
//! the account itself (`GET /api/v1/statement`) and for administrators, operators and
//! auditors (`GET /api/v1/admin/accounts/{id}/statement`); JSON, or CSV for the bill.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::statement::{period, AllStatements, Statement};
use hongyan_store::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authed;
use crate::console::Console;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StatementQuery {
    from: Option<String>,
    to: Option<String>,
    /// A payment period of the contract, by name (instead of from and to).
    period: Option<String>,
    format: Option<String>,
}

/// What a statement query resolves to: the instants, the first and last day as written, and
/// the format.
type Resolved<'a> = ((Timestamp, Timestamp), (String, String), &'a str);

impl StatementQuery {
    /// The days asked for, by name or by dates, and the format.
    fn resolve(&self, state: &AppState) -> Result<Resolved<'_>, ApiError> {
        let format = self.format.as_deref().unwrap_or("json");
        if !["json", "csv", "xlsx"].contains(&format) {
            return Err(ApiError::bad_request("invalid_query", "format is json, csv or xlsx"));
        }
        match (&self.period, &self.from, &self.to) {
            (Some(name), None, None) => {
                let p = state.engine.billing_periods().into_iter().find(|p| &p.name == name).ok_or_else(|| {
                    let names: Vec<String> = state.engine.billing_periods().into_iter().map(|p| p.name).collect();
                    ApiError::bad_request(
                        "invalid_period",
                        format!("no payment period `{name}` (configured: {})", names.join(", ")),
                    )
                })?;
                let days =
                    period(&p.from, &p.to).map_err(|e| ApiError::bad_request("invalid_period", e.to_string()))?;
                Ok((days, (p.from, p.to), format))
            }
            (None, Some(from), Some(to)) => {
                let days = period(from, to).map_err(|e| ApiError::bad_request("invalid_period", e.to_string()))?;
                Ok((days, (from.clone(), to.clone()), format))
            }
            _ => Err(ApiError::bad_request("invalid_period", "give from and to (YYYY-MM-DD), or a period by name")),
        }
    }
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
    crate::admin::account_or_404(&state, &console, id).await?;
    answer(&state, id, q).await
}

async fn answer(
    state: &AppState,
    account_id: i64,
    q: Result<Query<StatementQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let ((from, until), (first, last), format) = q.resolve(state)?;
    let s = state.engine.statement(account_id, from, until).await?;
    let name = format!("statement-{account_id}-{first}-{last}");
    let account = state.engine.account(account_id).await?.map(|a| a.name).unwrap_or_default();
    Ok(match format {
        "csv" => ([(CONTENT_TYPE, "text/csv; charset=utf-8")], s.to_csv()).into_response(),
        "xlsx" => crate::export::statement_answer(&account, &s, &name)?,
        _ => Json(statement_json(&s, &first, &last)).into_response(),
    })
}

/// `GET /api/v1/admin/statements?from=&to=|period=[&format=]`: every account's statement at
/// once, for the platform's own invoice.
pub(crate) async fn all(
    State(state): State<AppState>,
    console: Console,
    q: Result<Query<StatementQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    console.require(crate::admin::READERS)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let ((from, until), (first, last), format) = q.resolve(&state)?;
    let all = state.engine.all_statements(from, until).await?;
    let name = format!("statements-{first}-{last}");
    Ok(match format {
        "csv" => ([(CONTENT_TYPE, "text/csv; charset=utf-8")], all.to_csv()).into_response(),
        "xlsx" => crate::export::all_statements_answer(&all, &name)?,
        _ => Json(all_statements_json(&all, &first, &last)).into_response(),
    })
}

/// One account's statement of the days `from` to `to`, as `GET /api/v1/statement` and
/// `hongyan statement --account ID --format json` answer it.
pub fn statement_json(s: &Statement, from: &str, to: &str) -> Value {
    let lines = s.lines_json();
    json!({
        "account_id": s.account_id, "from": from, "to": to, "currency": "CNY", "lines": lines,
        "total": {
            "messages": s.messages, "billed_segments": s.billed_segments, "amount": s.amount.to_string(),
            "unpriced_segments": s.unpriced_segments,
        },
    })
}

/// Every account's statements and their total, as `GET /api/v1/admin/statements` and
/// `hongyan statement --format json` answer them.
pub fn all_statements_json(all: &AllStatements, from: &str, to: &str) -> Value {
    let accounts: Vec<Value> = all
        .accounts
        .iter()
        .map(|(name, s)| {
            let mut v = statement_json(s, from, to);
            v["account"] = json!(name);
            v
        })
        .collect();
    let total =
        json!({ "messages": all.messages, "billed_segments": all.billed_segments, "amount": all.amount.to_string() });
    json!({ "from": from, "to": to, "currency": "CNY", "accounts": accounts, "total": total })
}
