//! Finding messages: the search (the API's filters, parsed by the API's own `SearchQuery`),
//! keyset pages, one message's every detail, and exports (links to the API's export, which
//! takes the same session and audits it).
//!
//! A tenant user sees its own account's messages only, whatever the URL says (another
//! account's id is simply not found). Administrators, operators and auditors search every
//! account or one, through `Engine::admin_search_messages`, which masks by role and audits.

use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use hongyan_api::{AppState, SearchQuery};
use hongyan_engine::admin::masked_for;
use hongyan_store::{MessageDetail, MessageId, MessageStatus, Role};
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

const PAGE: usize = 50;

fn time(t: Option<hongyan_store::Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()[..19].replace('T', " ")))
}

fn row(d: &MessageDetail) -> Value {
    let m = &d.message;
    json!({
        "id": m.id.to_string(), "account_id": m.account_id, "to": m.to, "carrier": m.carrier.as_str(),
        "category": m.category.name(), "content": &*m.content, "segments": m.segments, "channel": m.channel,
        "status": d.status.as_str(), "error": d.error, "accepted_at": time(Some(m.accepted_at)),
        "completed_at": time(d.completed_at), "sender": m.provenance.sender, "interface": m.provenance.interface,
    })
}

/// The query string without `before`, for the next page's link and the export's.
fn query_without_cursor(raw: Option<&str>) -> String {
    raw.unwrap_or("").split('&').filter(|p| !p.is_empty() && !p.starts_with("before=")).collect::<Vec<_>>().join("&")
}

/// `GET /messages`
pub(crate) async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
    q: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let accounts: Vec<Value> = if viewer.staff() {
        let list = state.engine.admin_accounts(&viewer.actor()).await.unwrap_or_default();
        list.iter().map(|a| json!({ "id": a.id.to_string(), "name": a.name })).collect()
    } else {
        Vec::new()
    };
    let categories: Vec<String> = state.engine.categories().iter().map(|d| d.category.name().to_owned()).collect();
    let form: Value = raw.as_deref().map_or(json!({}), |r| {
        json!(form_urlencoded::parse(r.as_bytes()).into_owned().collect::<std::collections::HashMap<String, String>>())
    });
    let mut ctx = json!({
        "q": form, "accounts": accounts, "categories": categories, "rows": [], "searched": raw.is_some(),
        "statuses": MessageStatus::ALL.map(MessageStatus::as_str), "query": query_without_cursor(raw.as_deref()),
    });
    let q = match q {
        Ok(Query(q)) => q,
        Err(e) => return refused(&viewer, ctx, e.body_text()),
    };
    if raw.is_none() {
        return render::page(&viewer, "messages.html", ctx);
    }
    let account = viewer.tenant_account().or(q.account);
    let filter = match q.filter(&state.engine, account, PAGE) {
        Ok(f) => f,
        Err(e) => {
            // Said next to the field it is about.
            let field = match e.code {
                "invalid_number" => "to",
                "invalid_status" => "status",
                "invalid_carrier" => "carrier",
                "unknown_category" => "category",
                "invalid_time" | "invalid_range" => "since",
                _ => "form",
            };
            ctx["errors"] = json!({ field: super::api_message(&viewer, e) });
            return refused(&viewer, ctx, String::new());
        }
    };
    // Staff searches come back masked (and audited) from the engine; a tenant's own are masked here.
    let found = match viewer.tenant_account() {
        Some(_) => state
            .engine
            .messages(filter)
            .await
            .map_err(Into::into)
            .map(|found| found.into_iter().map(|d| masked_for(Some(Role::Tenant), d)).collect::<Vec<_>>()),
        None => state.engine.admin_search_messages(&viewer.actor(), filter).await,
    };
    let found: Vec<MessageDetail> = match found {
        Ok(f) => f,
        Err(e) => return super::admin_error(&viewer, e),
    };
    let next = (found.len() == PAGE).then(|| found.last().map(|d| d.message.id.to_string())).flatten();
    ctx["rows"] = Value::Array(found.iter().map(row).collect());
    ctx["next"] = json!(next);
    ctx["export"] = json!(if viewer.tenant_account().is_some() {
        "/api/v1/messages/export"
    } else {
        "/api/v1/admin/messages/export"
    });
    render::page(&viewer, "messages.html", ctx)
}

fn refused(viewer: &Viewer, mut ctx: Value, message: String) -> Response {
    if !message.is_empty() {
        ctx["errors"] = json!({ "form": message });
    }
    let mut resp = render::page(viewer, "messages.html", ctx);
    *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    resp
}

/// `GET /messages/{id}`: every detail; another account's message does not exist for a tenant.
pub(crate) async fn detail(State(state): State<AppState>, viewer: Viewer, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<MessageId>() else { return super::not_found(&viewer) };
    let d = match viewer.tenant_account() {
        Some(own) => match state.engine.message(own, id).await {
            Ok(Some(d)) => masked_for(Some(Role::Tenant), d),
            Ok(None) => return super::not_found(&viewer),
            Err(e) => return super::store_error(&viewer, e),
        },
        None => match state.engine.admin_find_message(&viewer.actor(), id).await {
            Ok(d) => d,
            Err(hongyan_engine::admin::AdminError::NotFound(_) | hongyan_engine::admin::AdminError::Forbidden) => {
                return super::not_found(&viewer)
            }
            Err(e) => return super::admin_error(&viewer, e),
        },
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
    let p = &d.message.provenance;
    let mut m = row(&d);
    m["source_ext"] = json!(d.message.source_ext);
    m["send_at"] = time(d.message.send_at);
    m["submitted_at"] = time(d.submitted_at);
    m["client_addr"] = json!(p.client_addr);
    m["client_ref"] = json!(p.client_ref);
    m["template_id"] = json!(p.template_id);
    let callbacks: Vec<Value> = match state.engine.push_attempts(id).await {
        Ok(list) => list.iter().map(|a| json!({ "url": a.url, "at": time(Some(a.at)), "error": a.error })).collect(),
        Err(e) => return super::store_error(&viewer, e),
    };
    let events: Vec<Value> = hongyan_engine::events::message_events(&d)
        .iter()
        .map(|e| {
            json!({
                "kind": e.kind.as_str(), "at": time(Some(e.at)), "segment": e.segment, "detail": e.detail,
                "carrier_time": time(e.carrier_time),
            })
        })
        .collect();
    let ctx = json!({ "m": m, "segments": segments, "events": events, "callbacks": callbacks });
    render::page(&viewer, "message.html", ctx)
}
