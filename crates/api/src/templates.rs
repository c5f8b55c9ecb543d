//! An account's own templates: `POST /api/v1/templates` proposes one (an administrator
//! approves it before use), `GET /api/v1/templates` lists them. The `templates` operation right.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::admin::Actor;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{allow, Authed};
use crate::messages::{category, json_body};
use crate::shapes::TemplateView;
use crate::{ApiError, AppState};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateBody {
    name: String,
    body: String,
    category: String,
}

/// `POST /api/v1/templates`
pub(crate) async fn add(
    State(state): State<AppState>,
    Authed(caller): Authed,
    crate::console::ClientAddr(addr): crate::console::ClientAddr,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    allow(&state, &caller, "templates").await?;
    let b: TemplateBody = json_body(&headers, body).await?;
    let c = category(&state.engine, &b.category)?;
    let actor = Actor::account(&crate::auth::principal(&caller), caller.account_id, &addr);
    let t = state.engine.admin_add_template(&actor, caller.account_id, &b.name, &b.body, c).await?;
    let out = json!(TemplateView::own(&t));
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/templates`
pub(crate) async fn list(State(state): State<AppState>, Authed(caller): Authed) -> Result<Json<Value>, ApiError> {
    allow(&state, &caller, "templates").await?;
    let templates = state.engine.templates(caller.account_id).await?;
    let list: Vec<TemplateView<'_>> = templates.iter().map(TemplateView::own).collect();
    Ok(Json(json!({ "templates": list })))
}
