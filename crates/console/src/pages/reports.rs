//! Status reports and replies looked back on (by time, stat, carrier, channel, account, the
//! handset's number), with the API's own query (`FeedQuery`); staff through
//! `Engine::admin_search_feed` (masked by role, audited). And the callback batches that were
//! given up, with their re-send (administrators, `Engine::admin_resend_push_failure`).

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongyan_api::{AppState, FeedQuery};
use hongyan_store::{FeedItem, FeedKind, Timestamp};
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

const PAGE: usize = 100;

fn when(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()[..19].replace('T', " ")))
}

async fn context(state: &AppState, viewer: &Viewer, tab: &str, raw: Option<&str>) -> Value {
    let accounts: Vec<Value> = if viewer.staff() {
        let list = state.engine.admin_accounts(&viewer.actor()).await.unwrap_or_default();
        list.iter().map(|a| json!({ "id": a.id.to_string(), "name": a.name })).collect()
    } else {
        Vec::new()
    };
    let form: std::collections::HashMap<String, String> =
        raw.map(|r| form_urlencoded::parse(r.as_bytes()).into_owned().collect()).unwrap_or_default();
    let query: String = raw
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("before="))
        .collect::<Vec<_>>()
        .join("&");
    json!({ "tab": tab, "q": form, "accounts": accounts, "rows": [], "query": query })
}

/// `GET /reports` (status reports) and `GET /reports/replies`.
async fn search(
    state: AppState,
    viewer: Viewer,
    raw: Option<String>,
    q: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
    kind: FeedKind,
) -> Response {
    let tab = if kind == FeedKind::Mo { "replies" } else { "reports" };
    let mut ctx = context(&state, &viewer, tab, raw.as_deref()).await;
    let refused = |mut ctx: Value, message: String| {
        ctx["error"] = json!(message);
        let mut resp = render::page(&viewer, "reports.html", ctx);
        *resp.status_mut() = StatusCode::BAD_REQUEST;
        resp
    };
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return refused(ctx, e.body_text()),
    };
    let account = viewer.tenant_account().or(q.account);
    let filter = match q.filter(kind, account) {
        Ok(f) => hongyan_store::FeedFilter { limit: PAGE, ..f },
        Err(e) => return refused(ctx, super::api_message(&viewer, e)),
    };
    let found = match viewer.tenant_account() {
        Some(_) => state.engine.feed().feed_history(filter).await.map_err(Into::into),
        None => state.engine.admin_search_feed(&viewer.actor(), filter).await,
    };
    let found = match found {
        Ok(f) => f,
        Err(e) => return super::admin_error(&viewer, e),
    };
    // Staff results come back masked from the engine; a tenant sees its own numbers whole.
    let rows: Vec<Value> = found
        .iter()
        .filter_map(|(account_id, e)| match &e.item {
            FeedItem::Report(r) => Some(json!({
                "seq": e.seq, "account_id": account_id, "message_id": r.message_id.to_string(), "to": r.to,
                "segment": format!("{}/{}", r.segment, r.segments), "stat": r.stat, "status": r.status.as_str(),
                "done_at": when(r.done_at), "reported_at": when(Some(r.reported_at)), "raw": r.raw,
            })),
            FeedItem::Mo(m) => Some(json!({
                "seq": e.seq, "account_id": account_id, "from": m.from, "to": m.to, "extension": m.extension,
                "text": m.text, "unsubscribed": m.unsubscribed, "received_at": when(Some(m.received_at)), "channel": m.channel,
            })),
            FeedItem::Final(_) => None,
        })
        .collect();
    ctx["next"] = json!((found.len() == PAGE).then(|| found.last().map(|(_, e)| e.seq)).flatten());
    ctx["rows"] = json!(rows);
    render::page(&viewer, "reports.html", ctx)
}

/// `GET /reports`
pub(crate) async fn reports(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
    q: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    search(state, viewer, raw, q, FeedKind::Report).await
}

/// `GET /reports/replies`
pub(crate) async fn replies(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
    q: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    search(state, viewer, raw, q, FeedKind::Mo).await
}

/// `GET /reports/failures`: callback batches given up after the retry period.
pub(crate) async fn failures(State(state): State<AppState>, viewer: Viewer, RawQuery(raw): RawQuery) -> Response {
    let mut ctx = context(&state, &viewer, "failures", raw.as_deref()).await;
    let account = ctx["q"]["account"].as_str().and_then(|a| a.parse().ok());
    match push_failures(&state, &viewer, account).await {
        Ok(list) => {
            let rows: Vec<Value> = list
                .iter()
                .map(|f| json!({ "id": f.id, "account_id": f.account_id, "seqs": format!("{}–{}", f.seqs.0, f.seqs.1),
                                  "error": f.error, "failed_at": when(Some(f.failed_at)), "resent_at": when(f.resent_at) }))
                .collect();
            ctx["rows"] = json!(rows);
            render::page(&viewer, "reports.html", ctx)
        }
        Err(e) => super::admin_error(&viewer, e),
    }
}

/// Given-up callback batches: a tenant's own, or (staff) one account's or every account's.
pub(crate) async fn push_failures(
    state: &AppState,
    viewer: &Viewer,
    account: Option<i64>,
) -> Result<Vec<hongyan_store::PushFailure>, hongyan_engine::admin::AdminError> {
    match viewer.tenant_account() {
        Some(own) => Ok(state.engine.push_failures_of(own).await?),
        None => state.engine.admin_push_failures(&viewer.actor(), account).await,
    }
}

/// `POST /reports/failures/{id}/resend`
pub(crate) async fn resend(State(state): State<AppState>, viewer: Viewer, Path(id): Path<i64>) -> Response {
    match state.engine.admin_resend_push_failure(&viewer.actor(), id).await {
        Ok(()) => Redirect::to("/reports/failures").into_response(),
        Err(e) => super::admin_error(&viewer, e),
    }
}
