//! Finding messages: the list with filters and keyset paging, one message's every detail, and
//! the export of a search as CSV.
//!
//! A tenant user sees its own account's messages only, whatever the URL says (another
//! account's id is simply not found). Administrators, operators and auditors choose the
//! sending account. Verification codes are starred out for everyone in the console; numbers are
//! shown whole to the account's own users and to administrators, masked for operators and
//! auditors (least privilege).

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use hongyan_api::{csv_field, AppState};
use hongyan_store::{MessageDetail, MessageFilter, MessageId, MessageStatus, Role};
use hongyan_types::{mask, CategoryKind, PhoneNumber};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

const PAGE: usize = 50;
/// Most rows one export writes.
const MAX_EXPORT: usize = 100_000;

#[derive(Deserialize, Default, serde::Serialize, Clone)]
pub(crate) struct Search {
    #[serde(default)]
    account: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: String,
}

/// What the viewer may see of a message.
fn shown(viewer: &Viewer, mut d: MessageDetail) -> MessageDetail {
    if d.message.category.is(CategoryKind::Verification) {
        d.message.content = mask::codes(&d.message.content);
    }
    if viewer.is(&[Role::Operator, Role::Auditor]) {
        d.message.to = mask::number(&d.message.to);
    }
    d
}

/// The account a search is about: a tenant's own, or the one staff chose.
fn account_of(viewer: &Viewer, q: &Search) -> Option<i64> {
    match viewer.tenant_account() {
        Some(own) => Some(own),
        None if viewer.staff() => q.account.trim().parse().ok(),
        None => None,
    }
}

/// The store filter of a search, or what is wrong with it (shown next to the field).
fn filter(viewer: &Viewer, account_id: i64, q: &Search, limit: usize) -> Result<MessageFilter, (&'static str, String)> {
    let lang = viewer.lang;
    let to = match q.to.trim() {
        "" => None,
        raw => Some(
            PhoneNumber::parse(raw)
                .map_err(|e| ("to", lang.error("invalid_number", &e.to_string())))?
                .national()
                .to_owned(),
        ),
    };
    let status = match q.status.as_str() {
        "" => None,
        s => Some(MessageStatus::parse(s).ok_or(("status", lang.pick("未知状态", "unknown status").to_owned()))?),
    };
    let before = match q.before.trim() {
        "" => None,
        b => Some(
            b.parse::<MessageId>().map_err(|_| ("before", lang.pick("翻页位置无效", "bad page cursor").to_owned()))?,
        ),
    };
    Ok(MessageFilter { account_id, to, status, before, limit })
}

fn time(t: Option<hongyan_store::Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()[..19].replace('T', " ")))
}

fn row(d: &MessageDetail) -> Value {
    let m = &d.message;
    json!({
        "id": m.id.to_string(), "to": m.to, "carrier": m.carrier.as_str(), "category": m.category.name(),
        "content": m.content, "segments": m.segments, "channel": m.channel, "status": d.status.as_str(),
        "error": d.error, "accepted_at": time(Some(m.accepted_at)), "completed_at": time(d.completed_at),
    })
}

async fn accounts(state: &AppState) -> Vec<Value> {
    let list = state.engine.store().list_accounts().await.unwrap_or_default();
    list.iter().map(|a| json!({ "id": a.id.to_string(), "name": a.name })).collect()
}

/// `GET /messages`
pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer, Query(q): Query<Search>) -> Response {
    let choices = if viewer.staff() { accounts(&state).await } else { Vec::new() };
    let mut ctx = json!({ "q": q, "accounts": choices, "statuses": MessageStatus::ALL.map(MessageStatus::as_str), "rows": [], "searched": false });
    let Some(account) = account_of(&viewer, &q) else { return render::page(&viewer, "messages.html", ctx) };
    match filter(&viewer, account, &q, PAGE) {
        Err((field, message)) => {
            ctx["errors"] = json!({ field: message });
            let mut resp = render::page(&viewer, "messages.html", ctx);
            *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            resp
        }
        Ok(f) => match state.engine.store().list_messages(f).await {
            Err(e) => super::store_error(&viewer, e),
            Ok(found) => {
                let next = (found.len() == PAGE).then(|| found.last().map(|d| d.message.id.to_string())).flatten();
                let rows: Vec<Value> = found.into_iter().map(|d| row(&shown(&viewer, d))).collect();
                ctx["rows"] = Value::Array(rows);
                ctx["next"] = json!(next);
                ctx["searched"] = json!(true);
                ctx["account_id"] = json!(account.to_string());
                render::page(&viewer, "messages.html", ctx)
            }
        },
    }
}

#[derive(Deserialize)]
pub(crate) struct Which {
    account: Option<i64>,
}

/// `GET /messages/{id}`: every detail; another account's message does not exist here.
pub(crate) async fn detail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(w): Query<Which>,
) -> Response {
    let account = match viewer.tenant_account() {
        Some(own) => own,
        None if viewer.staff() => match w.account {
            Some(a) => a,
            None => return super::not_found(&viewer),
        },
        None => return super::not_found(&viewer),
    };
    let Ok(id) = id.parse::<MessageId>() else { return super::not_found(&viewer) };
    let d = match state.engine.store().get_message(account, id).await {
        Ok(Some(d)) => shown(&viewer, d),
        Ok(None) => return super::not_found(&viewer),
        Err(e) => return super::store_error(&viewer, e),
    };
    let segments: Vec<Value> = d
        .segments
        .iter()
        .map(|s| {
            json!({
                "number": s.number, "carrier_msg_id": s.carrier_msg_id, "submit_result": s.submit_result,
                "submitted_at": time(Some(s.submitted_at)), "stat": s.report_stat, "done_at": time(s.done_at),
                "reported_at": time(s.reported_at), "raw": s.report_raw,
            })
        })
        .collect();
    let mut m = row(&d);
    m["source_ext"] = json!(d.message.source_ext);
    m["send_at"] = time(d.message.send_at);
    m["submitted_at"] = time(d.submitted_at);
    m["account_id"] = json!(d.message.account_id);
    render::page(&viewer, "message.html", json!({ "m": m, "segments": segments }))
}

/// `GET /messages/export.csv?…`: the whole search (up to 100,000 rows), newest first.
pub(crate) async fn export(State(state): State<AppState>, viewer: Viewer, Query(q): Query<Search>) -> Response {
    let Some(account) = account_of(&viewer, &q) else { return super::not_found(&viewer) };
    let mut f = match filter(&viewer, account, &q, 500) {
        Ok(f) => f,
        Err((_, message)) => return render::error(&viewer, axum::http::StatusCode::BAD_REQUEST, &message),
    };
    let mut out = String::from("\u{feff}id,accepted_at,to,carrier,category,status,segments,channel,error,content\n");
    let mut written = 0;
    while written < MAX_EXPORT {
        let page = match state.engine.store().list_messages(f.clone()).await {
            Ok(p) => p,
            Err(e) => return super::store_error(&viewer, e),
        };
        let Some(last) = page.last().map(|d| d.message.id) else { break };
        let full = page.len() == f.limit;
        for d in page.into_iter().map(|d| shown(&viewer, d)) {
            let m = &d.message;
            let fields = [
                m.id.to_string(),
                m.accepted_at.to_rfc3339_beijing(),
                m.to.clone(),
                m.carrier.as_str().to_owned(),
                m.category.name().to_owned(),
                d.status.as_str().to_owned(),
                m.segments.to_string(),
                m.channel.clone(),
                d.error.clone().unwrap_or_default(),
                m.content.clone(),
            ];
            out.push_str(&fields.iter().map(|s| csv_field(s)).collect::<Vec<_>>().join(","));
            out.push('\n');
            written += 1;
        }
        if !full {
            break;
        }
        f.before = Some(last);
    }
    let disposition = format!("attachment; filename=\"messages-{account}.csv\"");
    ([(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, disposition)], out).into_response()
}
