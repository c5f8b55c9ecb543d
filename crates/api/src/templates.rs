//! An account's own templates: `POST /api/v1/templates` proposes one (an administrator
//! approves it before use), `GET /api/v1/templates` lists them. The `templates` operation right.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::AddTemplateError;
use hongyan_store::StoreError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{allow, Authed};
use crate::messages::{category, json_body};
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
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    allow(&state, &caller, "templates").await?;
    let b: TemplateBody = json_body(&headers, body).await?;
    if b.name.trim().is_empty()
        || b.name.chars().count() > 64
        || b.body.trim().is_empty()
        || b.body.chars().count() > 500
    {
        return Err(ApiError::unprocessable("invalid_field", "name is 1 to 64 characters, body 1 to 500"));
    }
    let c = category(&state.engine, &b.category)?;
    let t = match state.engine.add_template(caller.account_id, b.name.trim(), &b.body, c).await {
        Ok(t) => t,
        Err(AddTemplateError::Body(e)) => return Err(ApiError::unprocessable("invalid_template", e.to_string())),
        Err(AddTemplateError::Store(StoreError::Conflict(_))) => {
            return Err(ApiError::new(StatusCode::CONFLICT, "name_taken", "the account has a template of that name"))
        }
        Err(AddTemplateError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::unprocessable("invalid_template", e.to_string())),
    };
    let out = json!({ "id": t.id, "name": t.name, "body": t.body, "category": t.category.name(), "status": t.status.as_str() });
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /api/v1/templates`
pub(crate) async fn list(State(state): State<AppState>, Authed(caller): Authed) -> Result<Json<Value>, ApiError> {
    allow(&state, &caller, "templates").await?;
    let list: Vec<Value> = state
        .engine
        .store()
        .list_templates(caller.account_id)
        .await?
        .iter()
        .map(|t| json!({ "id": t.id, "name": t.name, "body": t.body, "category": t.category.name(), "status": t.status.as_str() }))
        .collect();
    Ok(Json(json!({ "templates": list })))
}
