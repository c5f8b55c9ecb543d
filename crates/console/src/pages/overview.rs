//! The overview: today's and this month's figures, sends per minute and per hour, each
//! channel's state, and what needs attention.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use hongyan_api::AppState;
use hongyan_engine::admin::{Actor, AdminError};
use hongyan_store::{MessageId, MessageStatus, Role, SignatureStatus, StatusCount, Timestamp};
use serde_json::{json, Value};

use crate::svg;
use crate::viewer::Viewer;

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;

/// Pending = still on its way; failed = ended without delivery.
fn bucket(s: MessageStatus) -> &'static str {
    match s {
        MessageStatus::Delivered => "delivered",
        MessageStatus::Accepted | MessageStatus::Queued | MessageStatus::Submitted => "pending",
        _ => "failed",
    }
}

/// Totals, and the same split by carrier and by category.
fn figures(counts: &[StatusCount]) -> Value {
    let mut total: BTreeMap<&str, u64> = BTreeMap::new();
    let mut by_carrier: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    let mut by_category: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for c in counts {
        let category = by_category.entry(c.category.name().to_owned()).or_default();
        for map in [&mut total, by_carrier.entry(c.carrier.as_str()).or_default(), category] {
            *map.entry(bucket(c.status)).or_default() += c.messages;
            *map.entry("submitted").or_default() += c.messages;
        }
    }
    let rate = |m: &BTreeMap<&str, u64>| {
        let (d, all) = (m.get("delivered").copied().unwrap_or(0), m.get("submitted").copied().unwrap_or(0));
        if all == 0 {
            "—".to_owned()
        } else {
            format!("{:.1}%", d as f64 * 100.0 / all as f64)
        }
    };
    let rows = |m: Vec<(String, &BTreeMap<&str, u64>)>| -> Vec<Value> {
        m.into_iter().map(|(k, v)| json!({ "name": k, "n": v, "rate": rate(v) })).collect()
    };
    json!({
        "total": total, "rate": rate(&total),
        "by_carrier": rows(by_carrier.iter().map(|(k, v)| ((*k).to_owned(), v)).collect()),
        "by_category": rows(by_category.iter().map(|(k, v)| (k.clone(), v)).collect()),
    })
}

/// Every slice from `from` to `now` (empty ones as 0), labelled in Beijing time.
fn series(points: &[(Timestamp, u64)], from: Timestamp, now: Timestamp, step: i64) -> Vec<(String, u64)> {
    let found: BTreeMap<i64, u64> = points.iter().map(|(t, n)| (t.as_millis(), *n)).collect();
    let first = from.as_millis() - from.as_millis().rem_euclid(step);
    (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= now.as_millis())
        .map(|t| {
            let label = Timestamp::from_millis(t).to_rfc3339_beijing();
            (label[11..16].to_owned(), found.get(&t).copied().unwrap_or(0))
        })
        .collect()
}

/// `GET /overview`
pub(crate) async fn page(State(state): State<AppState>, viewer: Viewer) -> Response {
    match build(&state, &viewer).await {
        Ok(ctx) => crate::render::page(&viewer, "overview.html", ctx),
        Err(e) => super::admin_error(&viewer, e),
    }
}

async fn build(state: &AppState, viewer: &Viewer) -> Result<Value, AdminError> {
    let engine = &state.engine;
    let now = state.engine.clock().now();
    let account = if viewer.staff() { None } else { viewer.user.account_id };
    let end = MessageId::floor(now.plus_millis(1));
    let today = engine.status_counts(account, MessageId::floor(now.beijing_day_start()), end).await?;
    let month = engine.status_counts(account, MessageId::floor(now.beijing_month_start()), end).await?;
    let hour_ago = now.plus_millis(-HOUR);
    let day_ago = now.plus_millis(-24 * HOUR);
    let per_minute = engine.accepted_series(account, (MessageId::floor(hour_ago), end), MINUTE).await?;
    let per_hour = engine.accepted_series(account, (MessageId::floor(day_ago), end), HOUR).await?;
    let lang = viewer.lang;
    let minute_chart = svg::bars(
        lang.pick("最近一小时每分钟发送量", "Sends per minute, last hour"),
        &series(&per_minute, hour_ago, now, MINUTE),
        10,
    );
    let hour_chart = svg::bars(
        lang.pick("最近一天每小时发送量", "Sends per hour, last day"),
        &series(&per_hour, day_ago, now, HOUR),
        4,
    );
    let channels = if viewer.staff() { channels(state) } else { Vec::new() };
    let failures = super::reports::push_failures(state, viewer, None).await?;
    let failed_callbacks = failures.iter().filter(|f| f.resent_at.is_none()).count();
    let pending_reviews = if viewer.is(&[Role::Admin]) { pending_reviews(state, &viewer.actor()).await? } else { 0 };
    let alerts: Vec<Value> = if viewer.staff() {
        let active = state.engine.list_alerts(true, 20).await?;
        let at = |t: Timestamp| t.to_rfc3339_beijing()[..19].replace('T', " ");
        active
            .iter()
            .map(|a| json!({ "rule": a.rule, "subject": a.subject, "message": a.message, "since": at(a.started_at) }))
            .collect()
    } else {
        Vec::new()
    };
    Ok(json!({
        "alerts": alerts,
        "today": figures(&today), "month": figures(&month),
        "minute_chart": minute_chart, "hour_chart": hour_chart,
        "channels": channels, "failed_callbacks": failed_callbacks, "pending_reviews": pending_reviews,
        "as_of": now.to_rfc3339_beijing()[..19].replace('T', " "),
    }))
}

/// Every channel: its routing (carriers, priority, weight, up or down) with what its gateway
/// reports live (links, windows in use, backlog, submits, throttling, the last error).
pub(crate) fn channels(state: &AppState) -> Vec<Value> {
    let figures = state.engine.channel_figures();
    state
        .engine
        .channel_states()
        .iter()
        .map(|(c, up)| {
            let carriers: Vec<&str> = c.carriers.iter().map(|c| c.as_str()).collect();
            let mut v = json!({ "name": c.name, "up": up, "carriers": carriers, "priority": c.priority, "weight": c.weight, "prefixes": c.prefixes });
            if let Some(f) = figures.iter().find(|f| f.name == c.name) {
                let s = &f.setup;
                v["live"] = json!({
                    "protocol": s.protocol, "addr": s.addr, "simulated": s.simulated, "connections": s.connections,
                    "links_up": f.links_up, "in_flight": f.in_flight, "window": s.window * s.connections,
                    "rate": s.rate, "backlog": f.backlog, "submitted": f.submitted, "throttled": f.throttled,
                    "last_error": f.last_error.as_ref().map(|(t, e)| format!("{} {e}", &t.to_rfc3339_beijing()[..19].replace('T', " "))),
                });
            }
            v
        })
        .collect()
}

/// `GET /channels`: the channels' configuration and live figures (staff).
pub(crate) async fn channels_page(State(state): State<AppState>, viewer: Viewer) -> Response {
    if !viewer.staff() {
        return super::forbidden(&viewer);
    }
    crate::render::page(&viewer, "channels.html", json!({ "channels": channels(&state) }))
}

/// Signatures and templates waiting for an administrator.
async fn pending_reviews(state: &AppState, actor: &Actor) -> Result<usize, AdminError> {
    let engine = &state.engine;
    let mut n = 0;
    for a in engine.admin_accounts(actor).await?.iter().filter(|a| a.deleted_at.is_none()) {
        n += engine
            .admin_signatures(actor, a.id)
            .await?
            .0
            .iter()
            .filter(|s| s.status == SignatureStatus::Pending)
            .count();
        n += engine.admin_templates(actor, a.id).await?.iter().filter(|t| t.status == SignatureStatus::Pending).count();
    }
    Ok(n)
}
