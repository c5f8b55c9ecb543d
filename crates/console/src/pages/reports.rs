//! Status reports and replies looked back on (by time, stat and account), and the callback
//! batches that were given up, with their re-send (administrators, through
//! `Engine::admin_resend_push_failure`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hongyan_api::AppState;
use hongyan_engine::statement::beijing_day;
use hongyan_store::{FeedFilter, FeedItem, FeedKind, Role, Timestamp};
use hongyan_types::mask;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

const PAGE: usize = 100;

#[derive(Deserialize, serde::Serialize, Default)]
pub(crate) struct ReportQuery {
    /// `reports` (default), `replies` or `failures`.
    #[serde(default)]
    tab: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    stat: String,
    #[serde(default)]
    before: String,
}

fn when(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()[..19].replace('T', " ")))
}

/// `GET /reports`
pub(crate) async fn page(State(state): State<AppState>, viewer: Viewer, Query(q): Query<ReportQuery>) -> Response {
    let account = match viewer.tenant_account() {
        Some(own) => Some(own),
        None => q.account.trim().parse().ok(),
    };
    let store = state.engine.store();
    let accounts: Vec<Value> = if viewer.staff() {
        store
            .list_accounts()
            .await
            .unwrap_or_default()
            .iter()
            .map(|a| json!({ "id": a.id.to_string(), "name": a.name }))
            .collect()
    } else {
        Vec::new()
    };
    let tab = match q.tab.as_str() {
        "replies" | "failures" => q.tab.clone(),
        _ => "reports".to_owned(),
    };
    let mut ctx = json!({ "q": q, "tab": tab, "accounts": accounts, "rows": [] });
    if tab == "failures" {
        return match store.push_failures(account).await {
            Ok(list) => {
                let rows: Vec<Value> = list
                    .iter()
                    .map(|f| json!({ "id": f.id, "account_id": f.account_id, "seqs": format!("{}–{}", f.seqs.0, f.seqs.1),
                                      "error": f.error, "failed_at": when(Some(f.failed_at)), "resent_at": when(f.resent_at) }))
                    .collect();
                ctx["rows"] = json!(rows);
                render::page(&viewer, "reports.html", ctx)
            }
            Err(e) => super::store_error(&viewer, e),
        };
    }
    let day = |s: &str, next: bool| match s.trim() {
        "" => Ok(None),
        d => beijing_day(d).map(|t| Some(if next { t.plus_millis(86_400_000) } else { t })),
    };
    let (from, to) = match (day(&q.from, false), day(&q.to, true)) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => {
            return render::error(
                &viewer,
                StatusCode::BAD_REQUEST,
                &viewer.lang.error("invalid_period", &e.to_string()),
            )
        }
    };
    let filter = FeedFilter {
        kind: Some(if tab == "replies" { FeedKind::Mo } else { FeedKind::Report }),
        account_id: account,
        from,
        to,
        stat: Some(q.stat.trim().to_ascii_uppercase()).filter(|s| !s.is_empty() && tab == "reports"),
        before_seq: q.before.trim().parse().ok(),
        limit: PAGE,
    };
    let found = match store.feed_history(filter).await {
        Ok(f) => f,
        Err(e) => return super::store_error(&viewer, e),
    };
    let masked = viewer.is(&[Role::Operator, Role::Auditor]);
    let number = |n: &str| if masked { mask::number(n) } else { n.to_owned() };
    let rows: Vec<Value> = found
        .iter()
        .filter_map(|(account_id, e)| match &e.item {
            FeedItem::Report(r) => Some(json!({
                "seq": e.seq, "account_id": account_id, "message_id": r.message_id.to_string(), "to": number(&r.to),
                "segment": format!("{}/{}", r.segment, r.segments), "stat": r.stat, "status": r.status.as_str(),
                "done_at": when(r.done_at), "reported_at": when(Some(r.reported_at)),
            })),
            FeedItem::Mo(m) => Some(json!({
                "seq": e.seq, "account_id": account_id, "from": number(&m.from), "to": m.to, "extension": m.extension,
                "text": m.text, "unsubscribed": m.unsubscribed, "received_at": when(Some(m.received_at)), "channel": m.channel,
            })),
            FeedItem::Final(_) => None,
        })
        .collect();
    ctx["next"] = json!((found.len() == PAGE).then(|| found.last().map(|(_, e)| e.seq)).flatten());
    ctx["rows"] = json!(rows);
    render::page(&viewer, "reports.html", ctx)
}

/// `POST /reports/failures/{id}/resend`
pub(crate) async fn resend(State(state): State<AppState>, viewer: Viewer, Path(id): Path<i64>) -> Response {
    match state.engine.admin_resend_push_failure(&viewer.actor(), id).await {
        Ok(()) => Redirect::to("/reports?tab=failures").into_response(),
        Err(e) => super::admin_error(&viewer, e),
    }
}
