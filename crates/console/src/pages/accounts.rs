//! Interface accounts: the list (staff), opening one with its first key, keys added and
//! revoked, disabling, enabling and deleting (administrators). Every change is one call of the
//! engine's administration, which checks the role and writes the audit line.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hongyan_api::AppState;
use hongyan_engine::admin::{account_state, NewAccount};
use hongyan_engine::auth::NewCredential;
use hongyan_store::{Account, AccountPatch, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

fn when(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339_beijing()[..19].replace('T', " ")))
}

fn account_json(a: &Account, now: Timestamp) -> Value {
    json!({ "id": a.id, "name": a.name, "state": account_state(a, now), "created_at": when(Some(a.created_at)), "expires_at": when(a.expires_at) })
}

async fn list_page(state: &AppState, viewer: &Viewer, form: Value, error: Option<String>) -> Response {
    let now = state.engine.clock().now();
    let accounts = match state.engine.admin_accounts(&viewer.actor()).await {
        Ok(list) => list.iter().map(|a| account_json(a, now)).collect::<Vec<_>>(),
        Err(e) => return super::admin_error(viewer, e),
    };
    let failed = error.is_some();
    let mut resp = render::page(viewer, "accounts.html", json!({ "accounts": accounts, "form": form, "error": error }));
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /accounts`
pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer) -> Response {
    if !viewer.staff() {
        return super::forbidden(&viewer);
    }
    list_page(&state, &viewer, json!({}), None).await
}

#[derive(Deserialize, serde::Serialize)]
pub(crate) struct NewAccountForm {
    name: String,
    #[serde(default)]
    signature: String,
    #[serde(default)]
    extension: String,
}

/// `POST /accounts`: the account and its first key; the secret is on the next page only.
pub(crate) async fn create(State(state): State<AppState>, viewer: Viewer, Form(f): Form<NewAccountForm>) -> Response {
    let signature = Some(f.signature.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
    let new =
        NewAccount { name: f.name.clone(), signature, extension: f.extension.trim().to_owned(), expires_at: None };
    match state.engine.admin_create_account(&viewer.actor(), new).await {
        Ok(cred) => secret_page(&viewer, &cred, true),
        Err(hongyan_engine::admin::AdminError::Forbidden) => super::forbidden(&viewer),
        Err(hongyan_engine::admin::AdminError::Store(e)) => super::store_error(&viewer, e),
        Err(e) => {
            let message = super::api_message(&viewer, e.into());
            list_page(&state, &viewer, json!(f), Some(message)).await
        }
    }
}

/// The one page that shows a secret: it is not stored anywhere in clear.
fn secret_page(viewer: &Viewer, cred: &NewCredential, new_account: bool) -> Response {
    let ctx = json!({ "account": { "id": cred.account.id, "name": cred.account.name }, "key_id": cred.key_id, "secret": cred.secret, "new_account": new_account });
    let mut resp = render::page(viewer, "secret.html", ctx);
    *resp.status_mut() = StatusCode::CREATED;
    resp
}

/// `GET /accounts/{id}`
pub(crate) async fn detail(State(state): State<AppState>, viewer: Viewer, Path(id): Path<i64>) -> Response {
    detail_page(&state, &viewer, id, None).await
}

/// The account's page: state, keys, signatures, rights; with the error of a refused change.
pub(crate) async fn detail_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    error: Option<(String, Value)>,
) -> Response {
    if !viewer.staff() {
        return super::not_found(viewer);
    }
    let actor = viewer.actor();
    let account = match state.engine.admin_account(&actor, id).await {
        Ok(a) => a,
        Err(hongyan_engine::admin::AdminError::NotFound(_)) => return super::not_found(viewer),
        Err(e) => return super::admin_error(viewer, e),
    };
    let (keys, signatures) =
        match (state.engine.admin_api_keys(&actor, id).await, state.engine.admin_signatures(&actor, id).await) {
            (Ok(k), Ok((s, _))) => (k, s),
            (Err(e), _) | (_, Err(e)) => return super::admin_error(viewer, e),
        };
    let rights = match state.engine.rights_view(id).await {
        Ok(r) => r,
        Err(e) => return super::admin_error(viewer, e),
    };
    let categories: Vec<String> = state.engine.categories().iter().map(|d| d.category.name().to_owned()).collect();
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| json!({ "key_id": k.key_id, "created_at": when(Some(k.created_at)), "revoked_at": when(k.revoked_at), "last_used_at": when(k.last_used_at) }))
        .collect();
    let signatures: Vec<Value> = signatures
        .iter()
        .map(|s| json!({ "text": s.text, "extension": s.extension, "status": s.status.as_str() }))
        .collect();
    let now = state.engine.clock().now();
    let (rights_error, rights) = match error {
        Some((message, typed)) => (Some(message), typed),
        None => (None, super::rights::form_values(&rights, &categories)),
    };
    let ctx = json!({
        "account": account_json(&account, now), "keys": keys, "signatures": signatures,
        "rights": rights, "rights_error": rights_error,
    });
    render::page(viewer, "account.html", ctx)
}

/// `POST /accounts/{id}/keys`
pub(crate) async fn add_key(State(state): State<AppState>, viewer: Viewer, Path(id): Path<i64>) -> Response {
    match state.engine.admin_add_key(&viewer.actor(), id).await {
        Ok(cred) => secret_page(&viewer, &cred, false),
        Err(e) => super::admin_error(&viewer, e),
    }
}

/// `POST /accounts/{id}/keys/{key_id}/revoke`
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((id, key_id)): Path<(i64, String)>,
) -> Response {
    match state.engine.admin_revoke_key(&viewer.actor(), id, &key_id).await {
        Ok(()) => Redirect::to(&format!("/accounts/{id}")).into_response(),
        Err(e) => super::admin_error(&viewer, e),
    }
}

#[derive(Deserialize)]
pub(crate) struct StateForm {
    to: String,
}

/// `POST /accounts/{id}/state`: `enable`, `disable` or `delete`.
pub(crate) async fn change_state(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<StateForm>,
) -> Response {
    let actor = viewer.actor();
    let done = match f.to.as_str() {
        "enable" | "disable" => {
            let patch = AccountPatch { enabled: Some(f.to == "enable"), expires_at: None };
            state.engine.admin_update_account(&actor, id, patch).await.map(|_| ())
        }
        "delete" => state.engine.admin_delete_account(&actor, id).await,
        _ => return render::error(&viewer, StatusCode::BAD_REQUEST, "enable, disable or delete"),
    };
    match done {
        Ok(()) => Redirect::to(&format!("/accounts/{id}")).into_response(),
        Err(e) => super::admin_error(&viewer, e),
    }
}
