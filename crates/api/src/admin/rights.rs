//! An account's rights and limits, read and set by administrators, enforced everywhere.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use hongyan_store::{Carrier, Money, PriceRule, PriceTable};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{account_or_404, present, ADMIN, MAX_QUOTA, MAX_RATE, READERS};
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
}

/// One price rule: carrier and category may be left out ("any").
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PriceBody {
    carrier: Option<String>,
    category: Option<String>,
    price: String,
}

/// At most this many rules: three networks × a handful of categories, with room.
const MAX_PRICE_RULES: usize = 64;

fn price_table(rules: &[PriceBody], categories: &[&str]) -> Result<PriceTable, ApiError> {
    let invalid = |why: String| ApiError::unprocessable("invalid_field", why);
    if rules.len() > MAX_PRICE_RULES {
        return Err(invalid(format!("prices has at most {MAX_PRICE_RULES} rules")));
    }
    let mut table = PriceTable::default();
    for r in rules {
        let carrier = match r.carrier.as_deref() {
            None => None,
            Some(c) => Some(Carrier::parse(c).ok_or_else(|| {
                invalid(format!("prices: `{c}` is not china_mobile, china_unicom, china_telecom or china_broadnet"))
            })?),
        };
        if let Some(c) = r.category.as_deref().filter(|c| !categories.contains(c)) {
            return Err(invalid(format!("prices: `{c}` is not a category (one of: {})", categories.join(", "))));
        }
        let price = Money::parse_price(&r.price).map_err(|e| invalid(format!("prices: {e}")))?;
        table.0.push(PriceRule { carrier, category: r.category.clone(), price });
    }
    if let Some(d) = table.duplicate() {
        let any = |v: Option<&str>| v.unwrap_or("any").to_owned();
        let (carrier, category) = (any(d.carrier.map(Carrier::as_str)), any(d.category.as_deref()));
        return Err(invalid(format!("prices: two rules for carrier {carrier} and category {category}")));
    }
    Ok(table)
}

fn prices_json(t: &PriceTable) -> Value {
    let rules: Vec<Value> = t
        .0
        .iter()
        .map(|r| json!({ "carrier": r.carrier.map(Carrier::as_str), "category": r.category, "price": r.price.to_string() }))
        .collect();
    Value::Array(rules)
}

async fn rights_json(state: &AppState, id: i64) -> Result<Value, ApiError> {
    let store = state.engine.store();
    let r = store.account_rights(id).await?;
    let limits = store.account_limits(id).await?;
    Ok(json!({
        "interfaces": r.interfaces, "operations": r.operations, "categories": r.categories,
        "ip_allow": r.ip_allow.map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
        "free_text": store.free_text_allowed(id).await?,
        "callback_per_request": store.callback_per_request(id).await?,
        "rate": limits.rate, "daily_quota": limits.daily_quota, "monthly_quota": limits.monthly_quota,
        "prices": r.prices.as_ref().map(prices_json),
    }))
}

fn subset(field: &'static str, v: &Option<Option<Vec<String>>>, allowed: &[&str]) -> Result<(), ApiError> {
    match v {
        Some(Some(items)) if items.iter().any(|i| !allowed.contains(&i.as_str())) => {
            Err(ApiError::unprocessable("invalid_field", format!("{field} are among: {}", allowed.join(", "))))
        }
        _ => Ok(()),
    }
}

/// `GET /api/v1/admin/accounts/{id}/rights`
pub(crate) async fn get_rights(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    account_or_404(&state, id).await?;
    Ok(Json(rights_json(&state, id).await?))
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
    use hongyan_engine::rights::{INTERFACES, OPERATIONS};
    let actor = console.require(ADMIN)?.username.clone();
    let b: RightsBody = json_body(&headers, body).await?;
    account_or_404(&state, id).await?;
    let too_big = |v: Option<Option<u64>>, max: u64| v.flatten().is_some_and(|n| n > max);
    if too_big(b.rate.map(|r| r.map(u64::from)), MAX_RATE)
        || too_big(b.daily_quota, MAX_QUOTA)
        || too_big(b.monthly_quota, MAX_QUOTA)
    {
        let why = format!("rate is at most {MAX_RATE} a second, quotas at most {MAX_QUOTA} segments");
        return Err(ApiError::unprocessable("invalid_field", why));
    }
    subset("interfaces", &b.interfaces, &INTERFACES)?;
    subset("operations", &b.operations, &OPERATIONS)?;
    let names: Vec<String> = state.engine.categories().iter().map(|d| d.category.name().to_owned()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    subset("categories", &b.categories, &names)?;
    let prices = match &b.prices {
        Some(Some(rules)) => Some(Some(price_table(rules, &names)?)),
        Some(None) => Some(None),
        None => None,
    };
    let ranges = match &b.ip_allow {
        Some(Some(list)) => Some(Some(
            list.iter()
                .map(|c| hongyan_types::Cidr::parse(c))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ApiError::unprocessable("invalid_field", e.to_string()))?,
        )),
        Some(None) => Some(None),
        None => None,
    };
    let before = rights_json(&state, id).await?;
    let store = state.engine.store();
    let mut r = store.account_rights(id).await?;
    if let Some(v) = b.interfaces {
        r.interfaces = v;
    }
    if let Some(v) = b.operations {
        r.operations = v;
    }
    if let Some(v) = b.categories {
        r.categories = v;
    }
    if let Some(v) = ranges {
        r.ip_allow = v;
    }
    if let Some(v) = prices {
        r.prices = v;
    }
    state.engine.set_rights(id, r).await?;
    if let Some(v) = b.free_text {
        store.set_free_text(id, v).await?;
    }
    if let Some(v) = b.callback_per_request {
        store.set_callback_per_request(id, v).await?;
    }
    if b.rate.is_some() || b.daily_quota.is_some() || b.monthly_quota.is_some() {
        let mut limits = store.account_limits(id).await?;
        if let Some(v) = b.rate {
            limits.rate = v;
        }
        if let Some(v) = b.daily_quota {
            limits.daily_quota = v;
        }
        if let Some(v) = b.monthly_quota {
            limits.monthly_quota = v;
        }
        store.set_account_limits(id, limits).await?;
        state.engine.forget_account_limits(id);
    }
    let after = rights_json(&state, id).await?;
    state
        .engine
        .audit(
            &actor,
            &addr,
            "account.rights",
            &format!("account:{id}"),
            (Some(before.to_string()), Some(after.to_string())),
            "ok",
        )
        .await?;
    Ok(Json(after))
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
    let actor = console.require(ADMIN)?.username.clone();
    let b: CallbackBody = json_body(&headers, body).await?;
    account_or_404(&state, id).await?;
    let before = state.engine.store().callback(id).await?.map(|c| c.url);
    let set = match hongyan_notify::set_callback(&state.engine, id, b.url.as_deref()).await {
        Ok(set) => set,
        Err(hongyan_notify::SetCallbackError::Url(e)) => {
            return Err(ApiError::unprocessable("invalid_callback_url", e.to_string()))
        }
        Err(hongyan_notify::SetCallbackError::NoAccount(_)) => {
            return Err(ApiError::not_found(format!("no account {id}")))
        }
        Err(hongyan_notify::SetCallbackError::Store(e)) => return Err(e.into()),
    };
    let after = set.as_ref().map(|c| c.url.clone());
    let change = (Some(json!({ "url": before }).to_string()), Some(json!({ "url": after }).to_string()));
    state.engine.audit(&actor, &addr, "account.callback", &format!("account:{id}"), change, "ok").await?;
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
    console.require(READERS)?;
    let axum::extract::Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let list: Vec<Value> = state
        .engine
        .store()
        .push_failures(q.account)
        .await?
        .iter()
        .map(|f| {
            json!({
                "id": f.id, "account_id": f.account_id, "first_seq": f.seqs.0.to_string(), "last_seq": f.seqs.1.to_string(),
                "error": f.error, "failed_at": super::time(Some(f.failed_at)), "resent_at": super::time(f.resent_at),
            })
        })
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
