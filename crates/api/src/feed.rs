//! Pull: `GET /api/v1/reports` and `GET /api/v1/replies` hand out what the account is owed
//! past its acknowledged position; `POST …/ack` moves the position. Until a client
//! acknowledges, the same events come again (at least once), always in the order the platform
//! recorded them.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use hongyan_store::{FeedConsumer, FeedEvent, FeedFilter, FeedItem, FeedKind};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authed;
use crate::messages::json_body;
use crate::{ApiError, AppState};

/// Most events one pull returns.
const MAX_PULL: usize = 1000;
const DEFAULT_PULL: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PullQuery {
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AckBody {
    cursor: String,
}

async fn pull(state: &AppState, account: i64, consumer: FeedConsumer, limit: Option<usize>) -> Result<Value, ApiError> {
    let limit = match limit {
        None => DEFAULT_PULL,
        Some(n @ 1..=MAX_PULL) => n,
        Some(_) => return Err(ApiError::bad_request("invalid_query", format!("limit is 1 to {MAX_PULL}"))),
    };
    let events = state.engine.feed().feed(account, consumer, limit).await?;
    let cursor = events.last().map(|e| e.seq.to_string());
    let key = match consumer {
        FeedConsumer::PullReplies => "replies",
        _ => "reports",
    };
    Ok(json!({ key: hongyan_notify::json::events(&events), "cursor": cursor, "more": events.len() == limit }))
}

async fn ack(
    state: &AppState,
    account: i64,
    consumer: FeedConsumer,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, ApiError> {
    let body: AckBody = json_body(headers, body).await?;
    let seq: u64 = body
        .cursor
        .parse()
        .map_err(|_| ApiError::unprocessable("invalid_cursor", "cursor is the decimal string a pull returned"))?;
    let acked = state.engine.feed().ack_feed(account, consumer, seq).await?;
    Ok(json!({ "acked": acked.to_string() }))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(q)| q).map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))
}

/// `GET /api/v1/reports`
pub(crate) async fn reports(
    State(state): State<AppState>,
    Authed(caller): Authed,
    q: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(&state, &caller, "reports").await?;
    Ok(Json(pull(&state, caller.account_id, FeedConsumer::PullReports, query(q)?.limit).await?))
}

/// `POST /api/v1/reports/ack`
pub(crate) async fn ack_reports(
    State(state): State<AppState>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(&state, &caller, "reports").await?;
    Ok(Json(ack(&state, caller.account_id, FeedConsumer::PullReports, &headers, body).await?))
}

/// `GET /api/v1/replies`
pub(crate) async fn replies(
    State(state): State<AppState>,
    Authed(caller): Authed,
    q: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(&state, &caller, "reports").await?;
    Ok(Json(pull(&state, caller.account_id, FeedConsumer::PullReplies, query(q)?.limit).await?))
}

/// `POST /api/v1/replies/ack`
pub(crate) async fn ack_replies(
    State(state): State<AppState>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(&state, &caller, "reports").await?;
    Ok(Json(ack(&state, caller.account_id, FeedConsumer::PullReplies, &headers, body).await?))
}

/// The filters of a search of past reports or replies.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// Administrators, operators and auditors only: one account (else every account).
    #[serde(default, deserialize_with = "crate::messages::opt")]
    pub account: Option<i64>,
    #[serde(default, deserialize_with = "crate::messages::opt")]
    since: Option<String>,
    #[serde(default, deserialize_with = "crate::messages::opt")]
    until: Option<String>,
    /// Reports: the stat or error code, e.g. `DELIVRD`, `UNDELIV`, `MK:0001`.
    #[serde(default, deserialize_with = "crate::messages::opt")]
    stat: Option<String>,
    #[serde(default, deserialize_with = "crate::messages::opt")]
    carrier: Option<String>,
    #[serde(default, deserialize_with = "crate::messages::opt")]
    channel: Option<String>,
    /// Replies: the handset's number.
    #[serde(default, deserialize_with = "crate::messages::opt")]
    from: Option<String>,
    #[serde(default, deserialize_with = "crate::messages::opt")]
    before: Option<u64>,
    #[serde(default, deserialize_with = "crate::messages::opt")]
    limit: Option<usize>,
}

/// Most events one search returns.
const MAX_SEARCH: usize = 500;

impl FeedQuery {
    /// The store filter of reports (`FeedKind::Report`) or replies, for `account_id`.
    pub fn filter(self, kind: FeedKind, account_id: Option<i64>) -> Result<FeedFilter, ApiError> {
        let bad = |code, m: String| ApiError::bad_request(code, m);
        if kind == FeedKind::Report && self.from.is_some() {
            return Err(bad("invalid_query", "from is a filter of replies".into()));
        }
        if kind == FeedKind::Mo && (self.stat.is_some() || self.carrier.is_some()) {
            return Err(bad("invalid_query", "stat and carrier are filters of reports".into()));
        }
        let time = |t: Option<&str>, field: &str| {
            t.map(|t| {
                crate::messages::beijing_time(t).ok_or_else(|| bad("invalid_time", format!("{field} `{t}` is not a time such as 2026-12-01T09:30:00+08:00, 2026-12-01T09:30 or 2026-12-01")))
            })
            .transpose()
        };
        let (from, to) = (time(self.since.as_deref(), "since")?, time(self.until.as_deref(), "until")?);
        if let (Some(a), Some(b)) = (from, to) {
            if b <= a {
                return Err(bad("invalid_range", "until must come after since".into()));
            }
        }
        let carrier = match self.carrier.as_deref() {
            Some(c) => Some(
                hongyan_types::Carrier::parse(c)
                    .ok_or_else(|| bad("invalid_carrier", format!("`{c}` is not a carrier")))?,
            ),
            None => None,
        };
        let from_number = match self.from.as_deref() {
            Some(n) => Some(
                hongyan_types::PhoneNumber::parse(n)
                    .map_err(|e| bad("invalid_number", e.to_string()))?
                    .national()
                    .to_owned(),
            ),
            None => None,
        };
        let limit = self.limit.unwrap_or(50);
        if limit == 0 || limit > MAX_SEARCH {
            return Err(bad("invalid_limit", format!("limit must be between 1 and {MAX_SEARCH}")));
        }
        let stat = self.stat.map(|s| s.trim().to_owned());
        if stat.as_ref().is_some_and(|s| s.len() > 32) || self.channel.as_ref().is_some_and(|c| c.len() > 128) {
            return Err(bad("invalid_query", "stat is up to 32 characters, channel up to 128".into()));
        }
        Ok(FeedFilter {
            kind: Some(kind),
            account_id,
            from,
            to,
            stat,
            carrier,
            channel: self.channel,
            from_number,
            before_seq: self.before,
            limit,
        })
    }
}

/// One found event with its account and, for a report, the carrier's raw fields.
pub(crate) fn found_json(list: &[(i64, FeedEvent)], limit: usize, key: &str) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|(account, e)| {
            let mut v = hongyan_notify::json::event(e);
            v["account_id"] = json!(account);
            if let FeedItem::Report(r) = &e.item {
                v["raw"] =
                    r.raw.as_deref().map_or(Value::Null, |r| serde_json::from_str(r).unwrap_or_else(|_| json!(r)));
            }
            v
        })
        .collect();
    let next = (list.len() == limit).then(|| list.last().map(|(_, e)| e.seq.to_string())).flatten();
    json!({ key: items, "next_before": next })
}

async fn search_own(
    state: &AppState,
    caller: &hongyan_engine::auth::Caller,
    q: Result<Query<FeedQuery>, QueryRejection>,
    kind: FeedKind,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(state, caller, "reports").await?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    if q.account.is_some() {
        return Err(ApiError::bad_request("invalid_query", "account is not a filter of this search"));
    }
    let filter = q.filter(kind, Some(caller.account_id))?;
    let limit = filter.limit;
    let found = state.engine.feed().feed_history(filter).await?;
    let key = if kind == FeedKind::Mo { "replies" } else { "reports" };
    Ok(Json(found_json(&found, limit, key)))
}

/// `GET /api/v1/reports/search?since=&until=&stat=&carrier=&channel=&before=&limit=`: the
/// account's past reports with their raw contents, newest first.
pub(crate) async fn search_reports(
    State(state): State<AppState>,
    Authed(caller): Authed,
    q: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    search_own(&state, &caller, q, FeedKind::Report).await
}

/// `GET /api/v1/replies/search?from=&since=&until=&channel=&before=&limit=`
pub(crate) async fn search_replies(
    State(state): State<AppState>,
    Authed(caller): Authed,
    q: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    search_own(&state, &caller, q, FeedKind::Mo).await
}

async fn search_any(
    state: &AppState,
    console: &crate::console::Console,
    addr: &str,
    q: Result<Query<FeedQuery>, QueryRejection>,
    kind: FeedKind,
) -> Result<Json<Value>, ApiError> {
    let actor = console.actor(addr)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let account = q.account;
    let filter = q.filter(kind, account)?;
    let limit = filter.limit;
    let found = state.engine.admin_search_feed(&actor, filter).await?;
    let key = if kind == FeedKind::Mo { "replies" } else { "reports" };
    Ok(Json(found_json(&found, limit, key)))
}

/// `GET /api/v1/admin/reports?account=&…`: every account's (administrators, operators,
/// auditors; audited).
pub(crate) async fn admin_reports(
    State(state): State<AppState>,
    crate::console::ClientAddr(addr): crate::console::ClientAddr,
    console: crate::console::Console,
    q: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    search_any(&state, &console, &addr, q, FeedKind::Report).await
}

/// `GET /api/v1/admin/replies?account=&from=&…`
pub(crate) async fn admin_replies(
    State(state): State<AppState>,
    crate::console::ClientAddr(addr): crate::console::ClientAddr,
    console: crate::console::Console,
    q: Result<Query<FeedQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    search_any(&state, &console, &addr, q, FeedKind::Mo).await
}
