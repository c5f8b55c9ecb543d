//! Pull: `GET /api/v1/reports` and `GET /api/v1/replies` hand out what the account is owed
//! past its acknowledged position; `POST …/ack` moves the position. Until a client
//! acknowledges, the same events come again (at least once), always in the order the platform
//! recorded them.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use hongyan_store::FeedConsumer;
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
    let events = state.engine.store().feed(account, consumer, limit).await?;
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
    let acked = state.engine.store().ack_feed(account, consumer, seq).await?;
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
