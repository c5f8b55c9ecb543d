//! `/api/v1/messages`: send, look up one, list.

use axum::body::{to_bytes, Body};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Json;
use std::collections::BTreeMap;

use hongyan_engine::{Engine, SendRequest, TemplateRef};
use hongyan_store::MessageFilter;
use hongyan_types::{Category, MessageId, MessageStatus, PhoneNumber, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Authed;
use crate::console::ClientAddr;
use crate::{views, ApiError, AppState, MAX_BODY_BYTES};

/// Most messages one list call returns.
const MAX_PAGE: usize = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBody {
    to: Vec<Recipient>,
    #[serde(default)]
    content: String,
    category: String,
    client_ref: Option<String>,
    template_id: Option<i64>,
    #[serde(default)]
    params: BTreeMap<String, String>,
    send_at: Option<String>,
    callback_url: Option<String>,
}

/// A number, or a number with its own template values (a personalised batch).
#[derive(Deserialize)]
#[serde(untagged)]
enum Recipient {
    Number(String),
    Personal(Personal),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Personal {
    number: String,
    params: BTreeMap<String, String>,
}

/// The request's category, by its API name.
pub(crate) fn category(engine: &Engine, name: &str) -> Result<Category, ApiError> {
    engine.category(name).map_err(|e| ApiError::unprocessable("unknown_category", e.to_string()))
}

/// An optional `send_at`, in RFC 3339.
pub(crate) fn send_at(t: Option<&str>) -> Result<Option<Timestamp>, ApiError> {
    t.map(|t| {
        Timestamp::parse_rfc3339(t).ok_or_else(|| {
            ApiError::unprocessable(
                "invalid_send_at",
                format!("send_at `{t}` is not an RFC 3339 time such as 2026-12-01T09:00:00+08:00"),
            )
        })
    })
    .transpose()
}

/// A request's own callback URL, checked now so a typo is refused rather than failing later.
fn callback_url(url: Option<String>) -> Result<Option<String>, ApiError> {
    match url {
        Some(u) => match hongyan_notify::CallbackUrl::parse(&u) {
            Ok(_) => Ok(Some(u)),
            Err(e) => Err(ApiError::unprocessable("invalid_callback_url", e.to_string())),
        },
        None => Ok(None),
    }
}

/// `GET /api/v1/categories`: what `category` may be, for clients and the console.
pub(crate) async fn categories(State(state): State<AppState>, Authed(_): Authed) -> Json<Value> {
    let categories = state.engine.categories();
    let list: Vec<crate::shapes::CategoryView<'_>> = categories.iter().map(Into::into).collect();
    Json(json!({ "categories": list }))
}

/// `POST /api/v1/messages`
pub(crate) async fn send(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::response::Response, ApiError> {
    crate::auth::allow(&state, &caller, "send").await?;
    let body: SendBody = json_body(&headers, body).await?;
    let (category, send_at) = (category(&state.engine, &body.category)?, send_at(body.send_at.as_deref())?);
    let template = body.template_id.map(|id| TemplateRef { id, params: body.params });
    let personalised = body.to.iter().any(|r| matches!(r, Recipient::Personal(_)));
    let (to, personal): (Vec<String>, Vec<BTreeMap<String, String>>) = body
        .to
        .into_iter()
        .map(|r| match r {
            Recipient::Number(n) => (n, BTreeMap::new()),
            Recipient::Personal(p) => (p.number, p.params),
        })
        .unzip();
    // Plain numbers only: the same text for all, no per-number values.
    let personal = if personalised { personal } else { Vec::new() };
    let req = SendRequest {
        to,
        content: body.content,
        category,
        client_ref: body.client_ref,
        template,
        send_at,
        personal,
        origin: None,
        callback_url: callback_url(body.callback_url)?,
        provenance: Default::default(),
        avoid_channel: None,
    }
    .sent_by(crate::auth::principal(&caller), "http", addr);
    let outcome = state.engine.accept(caller.account_id, req).await?;
    Ok(Json(views::send_outcome(&outcome)).into_response())
}

/// Reads a JSON body: 415 for another media type, 413 over the limit, 400 for broken JSON,
/// 422 for well-formed JSON of the wrong shape.
pub(crate) async fn json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: Body) -> Result<T, ApiError> {
    let is_json = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(ApiError::new(
            axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ));
    }
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
        )
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        use serde_json::error::Category as C;
        match e.classify() {
            C::Data => ApiError::unprocessable("invalid_field", e.to_string()),
            C::Syntax | C::Eof | C::Io => {
                ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
            }
        }
    })
}

/// What the caller may see of a message: people in the console (tenant users) see
/// verification codes starred out; the system that sent them sees them whole.
fn for_caller(caller: &hongyan_engine::auth::Caller, d: hongyan_store::MessageDetail) -> hongyan_store::MessageDetail {
    let role = caller.key_id.starts_with("user:").then_some(hongyan_store::Role::Tenant);
    hongyan_engine::admin::masked_for(role, d)
}

/// `GET /api/v1/messages/export?format=csv|xlsx&…`: the caller's own search as a file
/// (at most a million rows), audited.
pub(crate) async fn export(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ClientAddr(addr): ClientAddr,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<axum::response::Response, ApiError> {
    crate::auth::allow(&state, &caller, "query").await?;
    let Query(q) = query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    if q.account.is_some() || q.before.is_some() || q.limit.is_some() {
        return Err(ApiError::bad_request(
            "invalid_query",
            "an export takes the search's filters, not account, before or limit",
        ));
    }
    let format = crate::export::Format::parse(q.format.as_deref())?;
    let filter = q.filter(&state.engine, Some(caller.account_id), MAX_PAGE)?;
    let role = caller.key_id.starts_with("user:").then_some(hongyan_store::Role::Tenant);
    let show = move |d| hongyan_engine::admin::masked_for(role, d);
    let name = format!("messages-{}", caller.account_id);
    let (answer, rows) = crate::export::messages(state.engine.clone(), filter.clone(), show, format, &name).await?;
    state.engine.audit_export(&crate::auth::principal(&caller), &addr, &filter, rows).await?;
    Ok(answer)
}

/// `GET /api/v1/messages/{id}`: only the caller's own messages exist for it.
pub(crate) async fn get_one(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(&state, &caller, "query").await?;
    let not_found = || ApiError::not_found(format!("no message `{id}`"));
    let parsed: MessageId = id.parse().map_err(|_| not_found())?;
    let detail = state.engine.message(caller.account_id, parsed).await?.ok_or_else(not_found)?;
    let detail = for_caller(&caller, detail);
    let attempts = state.engine.push_attempts(parsed).await?;
    Ok(Json(json!(views::DetailView::new(&detail, &attempts))))
}

/// A query value: absent or empty is `None` (a form's empty field), anything else must parse.
pub(crate) fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = Option::deserialize(d)?;
    match s.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// The filters of a search, as a query string (or the console's search form) names them.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// Administrators, operators and auditors only: one account (else every account).
    #[serde(default, deserialize_with = "opt")]
    pub account: Option<i64>,
    #[serde(default, deserialize_with = "opt")]
    to: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    sender: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    client_ref: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    status: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    carrier: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    category: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    channel: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    template_id: Option<i64>,
    #[serde(default, deserialize_with = "opt")]
    since: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    until: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    before: Option<String>,
    #[serde(default, deserialize_with = "opt")]
    limit: Option<usize>,
    /// Exports only: `csv` or `xlsx`.
    #[serde(default, deserialize_with = "opt")]
    pub format: Option<String>,
}

/// An RFC 3339 time, or a Beijing day (`2026-12-01`: its first instant) or minute
/// (`2026-12-01T09:30`, as a browser's `datetime-local` field sends it).
pub(crate) fn beijing_time(t: &str) -> Option<Timestamp> {
    match t.len() {
        10 => hongyan_engine::statement::beijing_day(t).ok(),
        16 => Timestamp::parse_rfc3339(&format!("{t}:00+08:00")),
        _ => Timestamp::parse_rfc3339(t),
    }
}

/// Longest time range one search covers.
const MAX_RANGE_DAYS: i64 = 400;

fn bad(code: &'static str, message: String) -> ApiError {
    ApiError::bad_request(code, message)
}

impl SearchQuery {
    /// The store filter for `account_id` (the caller's own, or the one staff chose), every
    /// value checked with a clear reason; `max` bounds the page.
    pub fn filter(self, engine: &Engine, account_id: Option<i64>, max: usize) -> Result<MessageFilter, ApiError> {
        let to = match self.to.as_deref() {
            Some(raw) => {
                Some(PhoneNumber::parse(raw).map_err(|e| bad("invalid_number", e.to_string()))?.national().to_owned())
            }
            None => None,
        };
        let status = match self.status.as_deref() {
            Some(s) => {
                Some(MessageStatus::parse(s).ok_or_else(|| bad("invalid_status", format!("unknown status `{s}`")))?)
            }
            None => None,
        };
        let carrier = match self.carrier.as_deref() {
            Some(c) => Some(hongyan_types::Carrier::parse(c).ok_or_else(|| {
                bad(
                    "invalid_carrier",
                    format!("`{c}` is not china_mobile, china_unicom, china_telecom or china_broadnet"),
                )
            })?),
            None => None,
        };
        let category = match self.category.as_deref() {
            Some(c) => Some(engine.category(c).map_err(|e| bad("unknown_category", e.to_string()))?),
            None => None,
        };
        let time = |t: Option<&str>, field: &str| {
            t.map(|t| {
                beijing_time(t).ok_or_else(|| {
                    bad("invalid_time", format!("{field} `{t}` is not a time such as 2026-12-01T09:30:00+08:00, 2026-12-01T09:30 or 2026-12-01 (Beijing)"))
                })
            })
            .transpose()
        };
        let (since, until) = (time(self.since.as_deref(), "since")?, time(self.until.as_deref(), "until")?);
        if let (Some(a), Some(b)) = (since, until) {
            if b <= a {
                return Err(bad("invalid_range", "until must come after since".into()));
            }
            if b.as_millis() - a.as_millis() > MAX_RANGE_DAYS * 86_400_000 {
                return Err(bad("invalid_range", format!("a search covers at most {MAX_RANGE_DAYS} days")));
            }
        }
        let before = match self.before.as_deref() {
            Some(b) => Some(b.parse().map_err(|_| bad("invalid_cursor", format!("`{b}` is not a message id")))?),
            None => None,
        };
        let limit = self.limit.unwrap_or(50);
        if limit == 0 || limit > max {
            return Err(bad("invalid_limit", format!("limit must be between 1 and {max}")));
        }
        let text = |v: Option<String>, field: &str| match v {
            Some(v) if v.is_empty() || v.len() > 128 => {
                Err(bad("invalid_query", format!("{field} is 1 to 128 characters")))
            }
            v => Ok(v),
        };
        Ok(MessageFilter {
            account_id,
            to,
            sender: text(self.sender, "sender")?,
            client_ref: text(self.client_ref, "client_ref")?,
            status,
            carrier,
            category,
            channel: text(self.channel, "channel")?,
            template_id: self.template_id,
            since,
            until,
            before,
            limit,
        })
    }
}

/// `GET /api/v1/messages?to=&sender=&status=&carrier=&category=&channel=&template_id=&client_ref=&since=&until=&before=&limit=`,
/// the caller's own messages, newest first.
pub(crate) async fn list(
    State(state): State<AppState>,
    Authed(caller): Authed,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(&state, &caller, "query").await?;
    let Query(q) = query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    if q.account.is_some() || q.format.is_some() {
        return Err(ApiError::bad_request("invalid_query", "account and format are not filters of this search"));
    }
    let filter = q.filter(&state.engine, Some(caller.account_id), MAX_PAGE)?;
    let limit = filter.limit;
    let found: Vec<_> = state.engine.messages(filter).await?.into_iter().map(|d| for_caller(&caller, d)).collect();
    Ok(Json(views::message_list(&found, limit)))
}
