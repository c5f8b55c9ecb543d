//! Statements: an account's messages, billed segments and fees per carrier and category over a
//! period of whole Beijing days (this month by default), exported as CSV. The figures are
//! `Engine::statement`, the same as `GET /api/v1/statement`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use hongyan_api::AppState;
use hongyan_engine::statement::{period, Statement};
use hongyan_store::Money;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

#[derive(Deserialize, serde::Serialize, Default)]
pub(crate) struct Period {
    #[serde(default)]
    account: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn money(m: Option<Money>) -> Value {
    m.map_or(Value::Null, |m| Value::String(m.to_string()))
}

fn lines(s: &Statement) -> Vec<Value> {
    s.lines
        .iter()
        .map(|l| {
            let u = &l.usage;
            json!({
                "carrier": u.carrier.as_str(), "category": u.category.name(), "messages": u.messages,
                "billed_segments": u.billed_segments, "delivered": u.delivered,
                "unit_price": money(l.unit_price), "amount": money(l.amount),
            })
        })
        .collect()
}

/// The account and period asked for, defaulting to this month up to today.
fn resolve(state: &AppState, viewer: &Viewer, q: &mut Period) -> Option<i64> {
    let today = state.engine.clock().now().to_rfc3339_beijing();
    if q.from.is_empty() {
        q.from = format!("{}-01", &today[..7]);
    }
    if q.to.is_empty() {
        q.to = today[..10].to_owned();
    }
    match viewer.tenant_account() {
        Some(own) => Some(own),
        None if viewer.staff() => q.account.trim().parse().ok(),
        None => None,
    }
}

/// `GET /statements`
pub(crate) async fn page(State(state): State<AppState>, viewer: Viewer, Query(mut q): Query<Period>) -> Response {
    let account = resolve(&state, &viewer, &mut q);
    let accounts: Vec<Value> = if viewer.staff() {
        match state.engine.store().list_accounts().await {
            Ok(list) => list.iter().map(|a| json!({ "id": a.id.to_string(), "name": a.name })).collect(),
            Err(e) => return super::store_error(&viewer, e),
        }
    } else {
        Vec::new()
    };
    let mut ctx = json!({ "q": q, "accounts": accounts });
    let Some(account) = account else { return render::page(&viewer, "statements.html", ctx) };
    let (from, until) = match period(&q.from, &q.to) {
        Ok(p) => p,
        Err(e) => {
            ctx["error"] = json!(viewer.lang.error("invalid_period", &e.to_string()));
            let mut resp = render::page(&viewer, "statements.html", ctx);
            *resp.status_mut() = StatusCode::BAD_REQUEST;
            return resp;
        }
    };
    match state.engine.statement(account, from, until).await {
        Ok(s) => {
            ctx["account_id"] = json!(account.to_string());
            // The API's statement, which takes the same session: one copy of the figures.
            ctx["export"] = json!(match viewer.tenant_account() {
                Some(_) => format!("/api/v1/statement?from={}&to={}", q.from, q.to),
                None => format!("/api/v1/admin/accounts/{account}/statement?from={}&to={}", q.from, q.to),
            });
            ctx["lines"] = json!(lines(&s));
            ctx["total"] = json!({ "messages": s.messages, "billed_segments": s.billed_segments, "amount": s.amount.to_string(), "unpriced_segments": s.unpriced_segments });
            render::page(&viewer, "statements.html", ctx)
        }
        Err(e) => super::store_error(&viewer, e),
    }
}
