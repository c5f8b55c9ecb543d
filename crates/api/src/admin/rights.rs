//! An account's rights and limits, read and set by administrators, enforced everywhere.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use hongyan_engine::admin::{PriceInput, RightsChange};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{present, READERS};
use crate::console::{ClientAddr, Console};
use crate::messages::json_body;
use crate::{ApiError, AppState};

/// Absent leaves a list as it is; `null` lifts the restriction; a list restricts.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RightsBody {
    #[serde(default, deserialize_with = "present")]
    interfaces: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    operations: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    categories: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    ip_allow: Option<Option<Vec<String>>>,
    free_text: Option<bool>,
    callback_per_request: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    rate: Option<Option<u32>>,
    #[serde(default, deserialize_with = "present")]
    daily_quota: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    monthly_quota: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    prices: Option<Option<Vec<PriceBody>>>,
    #[serde(default, deserialize_with = "present")]
    verification_per_minute: Option<Option<u32>>,
    #[serde(default, deserialize_with = "present")]
    verification_per_hour: Option<Option<u32>>,
    #[serde(default, deserialize_with = "present")]
    verification_per_day: Option<Option<u32>>,
}

/// One price rule: carrier and category may be left out ("any").
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriceBody {
    carrier: Option<String>,
    category: Option<String>,
    price: String,
}

/// `GET /api/v1/admin/accounts/{id}/rights`
pub(crate) async fn get_rights(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    Ok(Json(state.engine.rights_view(id).await?.to_json()))
}

/// `PUT /api/v1/admin/accounts/{id}/rights`: what the account may do, enforced on HTTP, SMPP
/// and CMPP alike from the next call.
pub(crate) async fn put_rights(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let actor = console.actor(&addr)?;
    let b: RightsBody = json_body(&headers, body).await?;
    let prices = b.prices.map(|p| {
        p.map(|rules| {
            rules.into_iter().map(|r| PriceInput { carrier: r.carrier, category: r.category, price: r.price }).collect()
        })
    });
    let change = RightsChange {
        interfaces: b.interfaces,
        operations: b.operations,
        categories: b.categories,
        ip_allow: b.ip_allow,
        free_text: b.free_text,
        callback_per_request: b.callback_per_request,
        rate: b.rate,
        daily_quota: b.daily_quota,
        monthly_quota: b.monthly_quota,
        prices,
        verification_limits: [b.verification_per_minute, b.verification_per_hour, b.verification_per_day],
    };
    Ok(Json(state.engine.admin_set_rights(&actor, id, change).await?.to_json()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CallbackBody {
    url: Option<String>,
}

/// `PUT /api/v1/admin/accounts/{id}/callback`: sets the callback URL with a new signing secret
/// (in this answer only), or clears it with `{"url": null}`.
pub(crate) async fn put_callback(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let actor = console.actor(&addr)?;
    let b: CallbackBody = json_body(&headers, body).await?;
    let set = match hongyan_notify::set_callback(&state.engine, &actor, id, b.url.as_deref()).await {
        Ok(set) => set,
        Err(hongyan_notify::SetCallbackError::Url(e)) => {
            return Err(ApiError::unprocessable("invalid_callback_url", e.to_string()))
        }
        Err(hongyan_notify::SetCallbackError::Admin(e)) => return Err(e.into()),
        Err(hongyan_notify::SetCallbackError::Store(e)) => return Err(e.into()),
    };
    Ok(Json(match set {
        Some(c) => json!({ "url": c.url, "secret": c.secret }),
        None => json!({ "url": null }),
    }))
}

/// `GET /api/v1/admin/push-failures?account=`: callback batches given up after the retry period.
pub(crate) async fn push_failures(
    State(state): State<AppState>,
    console: Console,
    q: Result<axum::extract::Query<FailuresQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let actor = console.reader()?;
    let axum::extract::Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let list: Vec<Value> = state
        .engine
        .admin_push_failures(&actor, q.account)
        .await?
        .iter()
        .map(|f| json!(crate::shapes::PushFailureView::from(f)))
        .collect();
    Ok(Json(json!({ "failures": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FailuresQuery {
    account: Option<i64>,
}

/// `POST /api/v1/admin/push-failures/{id}/resend`: the batch's events go to the end of the feed.
pub(crate) async fn resend_failure(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    console: Console,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    state.engine.admin_resend_push_failure(&console.actor(&addr)?, id).await?;
    Ok(axum::http::StatusCode::ACCEPTED)
}
