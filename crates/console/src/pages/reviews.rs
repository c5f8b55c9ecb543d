//! Signatures and templates under review: a tenant applies for a signature for its own
//! account; administrators approve or reject what waits (a rejection says why); operators and
//! auditors see the queue.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use hongyan_api::AppState;
use hongyan_engine::admin::{AdminError, Reviewed};
use hongyan_store::SignatureStatus;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

/// Signatures and templates waiting, every account's (staff) or the viewer's own (tenant).
async fn queue(state: &AppState, viewer: &Viewer) -> Result<(Vec<Value>, Vec<Value>), AdminError> {
    let (engine, actor) = (&state.engine, viewer.actor());
    let accounts = match viewer.tenant_account() {
        Some(own) if !viewer.staff() => engine.account(own).await?.into_iter().collect(),
        _ => engine.admin_accounts(&actor).await?,
    };
    let (mut waiting, mut own) = (Vec::new(), Vec::new());
    for a in accounts.iter().filter(|a| a.deleted_at.is_none()) {
        let mine = viewer.tenant_account() == Some(a.id);
        if !viewer.staff() && !mine {
            continue;
        }
        // Why something of the tenant's own was rejected.
        let notes = if mine { engine.admin_review_notes(&actor, a.id).await? } else { Vec::new() };
        let note = |kind: &str, id: i64| notes.iter().find(|n| n.0 == kind && n.1 == id).map(|n| n.2.clone());
        for s in engine.admin_signatures(&actor, a.id).await?.0 {
            let row = json!({ "kind": "signature", "id": s.id, "account": a.name, "text": format!("【{}】", s.text), "extension": s.extension, "status": s.status.as_str(), "reason": note("signature", s.id) });
            if mine {
                own.push(row.clone());
            }
            if s.status == SignatureStatus::Pending {
                waiting.push(row);
            }
        }
        for t in engine.admin_templates(&actor, a.id).await? {
            let row = json!({ "kind": "template", "id": t.id, "account": a.name, "name": t.name, "text": t.body, "extension": t.category.name(), "status": t.status.as_str(), "reason": note("template", t.id) });
            if mine {
                own.push(row.clone());
            }
            if t.status == SignatureStatus::Pending {
                waiting.push(row);
            }
        }
    }
    Ok((waiting, own))
}

async fn page_with(state: &AppState, viewer: &Viewer, form: Value, error: Option<String>) -> Response {
    let (waiting, own) = match queue(state, viewer).await {
        Ok(q) => q,
        Err(e) => return super::admin_error(viewer, e),
    };
    let failed = error.is_some();
    let categories: Vec<Value> =
        state.engine.categories().iter().map(|d| json!({ "name": d.category.name(), "label": d.label })).collect();
    let ctx = json!({ "waiting": waiting, "own": own, "form": form, "error": error, "categories": categories });
    let mut resp = render::page(viewer, "signatures.html", ctx);
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

/// `GET /signatures`
pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer) -> Response {
    page_with(&state, &viewer, json!({}), None).await
}

#[derive(Deserialize, serde::Serialize)]
pub(crate) struct ApplyForm {
    text: String,
    #[serde(default)]
    extension: String,
}

/// `POST /signatures`: a tenant applies for a signature of its own account.
pub(crate) async fn apply(State(state): State<AppState>, viewer: Viewer, Form(f): Form<ApplyForm>) -> Response {
    let Some(account) = viewer.tenant_account() else { return super::forbidden(&viewer) };
    let text = f.text.trim().trim_start_matches('【').trim_end_matches('】').to_owned();
    match state.engine.admin_add_signature(&viewer.actor(), account, &text, f.extension.trim()).await {
        Ok(_) => Redirect::to("/signatures").into_response(),
        Err(AdminError::Store(e)) => super::store_error(&viewer, e),
        Err(e) => {
            let message = super::api_message(&viewer, e.into());
            page_with(&state, &viewer, json!(f), Some(message)).await
        }
    }
}

#[derive(Deserialize, serde::Serialize)]
pub(crate) struct TemplateForm {
    name: String,
    category: String,
    body: String,
}

/// `POST /templates`: a tenant proposes a template of its own account.
pub(crate) async fn apply_template(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(f): Form<TemplateForm>,
) -> Response {
    let Some(account) = viewer.tenant_account() else { return super::forbidden(&viewer) };
    let category = match state.engine.category(&f.category) {
        Ok(c) => c,
        Err(e) => {
            return page_with(
                &state,
                &viewer,
                json!({ "template": f }),
                Some(viewer.lang.error("unknown_category", &e.to_string())),
            )
            .await
        }
    };
    match state.engine.admin_add_template(&viewer.actor(), account, &f.name, &f.body, category).await {
        Ok(_) => Redirect::to("/signatures").into_response(),
        Err(AdminError::Store(e)) => super::store_error(&viewer, e),
        Err(e) => {
            let message = super::api_message(&viewer, e.into());
            page_with(&state, &viewer, json!({ "template": f }), Some(message)).await
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct DecideForm {
    kind: String,
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /signatures/{id}/decide`: approve, or reject with a reason.
pub(crate) async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Response {
    let what = match f.kind.as_str() {
        "signature" => Reviewed::Signature,
        "template" => Reviewed::Template,
        _ => return render::error(&viewer, StatusCode::BAD_REQUEST, "kind is signature or template"),
    };
    let approve = f.decision == "approve";
    if !approve && f.reason.trim().is_empty() {
        let message = viewer.lang.pick("驳回时请填写原因。", "Give the reason for a rejection.");
        return page_with(&state, &viewer, json!({}), Some(message.to_owned())).await;
    }
    match state.engine.admin_decide(&viewer.actor(), what, id, approve, f.reason.trim()).await {
        Ok(()) => Redirect::to("/signatures").into_response(),
        Err(e) => super::admin_error(&viewer, e),
    }
}
