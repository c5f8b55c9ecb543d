//! Statements: messages, billed segments and fees per carrier and category over whole Beijing
//! days — this month, last month, a payment period of the contract, or any range — for the
//! viewer's account, one account, or (staff) every account at once for the platform's own
//! invoice. The figures are `Engine::statement` / `all_statements`, the same as the API's; the
//! exports are the API's (same session).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongyan_api::AppState;
use hongyan_engine::statement::period;
use hongyan_store::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

#[derive(Deserialize, serde::Serialize, Default)]
pub(crate) struct Period {
    /// An account id, `all` (staff), or empty.
    #[serde(default)]
    account: String,
    /// `this_month`, `last_month`, a payment period's name, or empty for the dates below.
    #[serde(default)]
    period: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The days the form asks for, as `(from, to)` dates (this month up to today by default).
fn days(state: &AppState, q: &Period) -> (String, String) {
    let now = state.engine.clock().now();
    let today = now.to_rfc3339_beijing()[..10].to_owned();
    let month_start = now.beijing_month_start();
    match q.period.as_str() {
        "" if !q.from.is_empty() && !q.to.is_empty() => (q.from.clone(), q.to.clone()),
        "last_month" => {
            let last_day = month_start.plus_millis(-1);
            let first = last_day.beijing_month_start().to_rfc3339_beijing()[..10].to_owned();
            (first, last_day.to_rfc3339_beijing()[..10].to_owned())
        }
        "" | "this_month" => (month_start.to_rfc3339_beijing()[..10].to_owned(), today),
        name => state
            .engine
            .billing_periods()
            .into_iter()
            .find(|p| p.name == name)
            .map_or((String::new(), String::new()), |p| (p.from, p.to)),
    }
}

/// `GET /statements`
pub(crate) async fn page(State(state): State<AppState>, viewer: Viewer, Query(mut q): Query<Period>) -> Response {
    let custom = q.period.is_empty() && !q.from.is_empty();
    let (from, to) = days(&state, &q);
    (q.from, q.to) = (from, to);
    let accounts: Vec<Value> = if viewer.staff() {
        match state.engine.admin_accounts(&viewer.actor()).await {
            Ok(list) => list.iter().map(|a| json!({ "id": a.id.to_string(), "name": a.name })).collect(),
            Err(e) => return super::admin_error(&viewer, e),
        }
    } else {
        Vec::new()
    };
    let periods: Vec<String> = state.engine.billing_periods().into_iter().map(|p| p.name).collect();
    let mut ctx = json!({ "q": q, "accounts": accounts, "periods": periods, "custom": custom });
    let (start, until): (Timestamp, Timestamp) = match period(&q.from, &q.to) {
        Ok(p) => p,
        Err(e) => {
            ctx["error"] = json!(viewer.lang.error("invalid_period", &e.to_string()));
            let mut resp = render::page(&viewer, "statements.html", ctx);
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            return resp;
        }
    };
    let dates = format!("from={}&to={}", q.from, q.to);
    let account = match viewer.tenant_account() {
        Some(own) => Some(own),
        None if viewer.staff() && q.account == "all" => {
            return match state.engine.all_statements(start, until).await {
                Ok(all) => {
                    let rows: Vec<Value> = all
                        .accounts
                        .iter()
                        .map(|(name, s)| json!({ "account_id": s.account_id, "name": name, "lines": s.lines_json(), "messages": s.messages, "billed_segments": s.billed_segments, "amount": s.amount.to_string() }))
                        .collect();
                    ctx["all"] = json!(rows);
                    ctx["total"] = json!({ "messages": all.messages, "billed_segments": all.billed_segments, "amount": all.amount.to_string() });
                    ctx["export"] = json!(format!("/api/v1/admin/statements?{dates}"));
                    render::page(&viewer, "statements.html", ctx)
                }
                Err(e) => super::store_error(&viewer, e),
            };
        }
        None if viewer.staff() => q.account.trim().parse().ok(),
        None => None,
    };
    let Some(account) = account else { return render::page(&viewer, "statements.html", ctx) };
    match state.engine.statement(account, start, until).await {
        Ok(s) => {
            ctx["lines"] = json!(s.lines_json());
            ctx["total"] = json!({ "messages": s.messages, "billed_segments": s.billed_segments, "amount": s.amount.to_string(), "unpriced_segments": s.unpriced_segments });
            // The API's statement, which takes the same session: one copy of the figures.
            ctx["export"] = json!(match viewer.tenant_account() {
                Some(_) => format!("/api/v1/statement?{dates}"),
                None => format!("/api/v1/admin/accounts/{account}/statement?{dates}"),
            });
            render::page(&viewer, "statements.html", ctx)
        }
        Err(e) => super::store_error(&viewer, e),
    }
}
