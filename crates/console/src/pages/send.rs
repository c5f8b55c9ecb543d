//! Sending from the console (tenant users, for their own account): numbers, category, free
//! text or an approved template, a live preview of the final text, and the per-number result.
//!
//! The send itself is `Engine::accept`, the same call as `POST /api/v1/messages`, after the
//! same rights check; the preview is `Engine::preview`, the same signing rule.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use hongyan_api::{ApiError, AppState};
use hongyan_engine::{NumberResult, SendRequest, TemplateRef};
use hongyan_store::{SignatureStatus, StoreError};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

/// What the form sends (and gets back filled in after an error).
#[derive(Deserialize, Default, serde::Serialize)]
pub(crate) struct SendForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    template_id: String,
    #[serde(default)]
    params: String,
}

/// Numbers as people paste them: one per line, or separated by commas, spaces or semicolons.
fn numbers(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '，' | '；'))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Template values as `name=value` lines.
fn params(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    account_id: i64,
    form: &SendForm,
    error: Option<String>,
) -> Response {
    let categories: Vec<Value> =
        state.engine.categories().iter().map(|d| json!({ "name": d.category.name(), "label": d.label })).collect();
    let templates = match state.engine.templates(account_id).await {
        Ok(list) => list,
        Err(e) => return super::store_error(viewer, e),
    };
    let templates: Vec<Value> = templates
        .iter()
        .filter(|t| t.status == SignatureStatus::Approved)
        .map(|t| json!({ "id": t.id, "name": t.name, "body": t.body, "category": t.category.name() }))
        .collect();
    let ctx = json!({ "form": form, "categories": categories, "templates": templates, "error": error });
    let mut resp = render::page(viewer, "send.html", ctx);
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    resp
}

fn own_account(viewer: &Viewer) -> Option<i64> {
    viewer.tenant_account()
}

/// `GET /send`
pub(crate) async fn form(State(state): State<AppState>, viewer: Viewer) -> Response {
    let Some(account) = own_account(&viewer) else { return super::forbidden(&viewer) };
    let form = SendForm { category: "verification".into(), ..SendForm::default() };
    form_page(&state, &viewer, account, &form, None).await
}

/// `POST /send/preview` (htmx): the final text with its signature, characters and segments.
pub(crate) async fn preview(State(state): State<AppState>, viewer: Viewer, Form(f): Form<SendForm>) -> Response {
    let Some(account) = own_account(&viewer) else { return super::forbidden(&viewer) };
    let ctx = match state.engine.category(&f.category) {
        Err(e) => json!({ "error": viewer.lang.error("unknown_category", &e.to_string()) }),
        Ok(_) if f.content.trim().is_empty() => json!({ "empty": true }),
        Ok(category) => match state.engine.preview(account, &f.content, category).await {
            Ok(p) => json!({ "text": p.text, "chars": p.chars, "segments": p.segments }),
            Err(e) => json!({ "error": super::api_message(&viewer, ApiError::from(e)) }),
        },
    };
    render::page(&viewer, "send_preview.html", ctx)
}

/// `POST /send`: accepted (and stored) before the result page shows.
pub(crate) async fn submit(State(state): State<AppState>, viewer: Viewer, Form(f): Form<SendForm>) -> Response {
    let Some(account) = own_account(&viewer) else { return super::forbidden(&viewer) };
    match send(&state, &viewer, account, &f).await {
        Ok(outcome) => result_page(&viewer, &outcome),
        Err(Failure::Store(e)) => super::store_error(&viewer, e),
        Err(Failure::Refused(message)) => form_page(&state, &viewer, account, &f, Some(message)).await,
    }
}

enum Failure {
    Store(StoreError),
    Refused(String),
}

async fn send(
    state: &AppState,
    viewer: &Viewer,
    account: i64,
    f: &SendForm,
) -> Result<hongyan_engine::SendOutcome, Failure> {
    let refuse = |e: ApiError| Failure::Refused(super::api_message(viewer, e));
    let ip = viewer.addr.parse().ok();
    state.engine.check_access(account, "http", Some("send"), ip).await.map_err(|e| refuse(e.into()))?;
    let category = state
        .engine
        .category(&f.category)
        .map_err(|e| Failure::Refused(viewer.lang.error("unknown_category", &e.to_string())))?;
    let template = match f.template_id.trim() {
        "" => None,
        id => Some(TemplateRef {
            id: id.parse().map_err(|_| Failure::Refused(viewer.lang.error("unknown_template", "no such template")))?,
            params: params(&f.params),
        }),
    };
    let content = if template.is_some() { String::new() } else { f.content.clone() };
    let req = SendRequest { template, ..SendRequest::new(numbers(&f.to), content, category) }.sent_by(
        format!("user:{}", viewer.user.username),
        "console",
        viewer.addr.clone(),
    );
    state.engine.accept(account, req).await.map_err(|e| match e {
        hongyan_engine::AcceptError::Store(e) => Failure::Store(e),
        e => refuse(e.into()),
    })
}

/// Most rows of each kind the result page lists (a list of 100,000 is summed up, not drawn).
const RESULT_ROWS: usize = 1000;

/// The per-number outcome of a send (one message or a list): the counts, every refused number
/// (up to a thousand) with its reason, and the first accepted ones with their message ids.
pub(crate) fn result_page(viewer: &Viewer, out: &hongyan_engine::SendOutcome) -> Response {
    let row = |r: &NumberResult| match r {
        NumberResult::Accepted { input, message_id, carrier, segments, .. } => json!({
            "input": input, "ok": true, "id": message_id.to_string(), "carrier": carrier.as_str(), "segments": segments,
        }),
        NumberResult::Rejected { input, code, reason } => {
            json!({ "input": input, "ok": false, "reason": viewer.lang.error(code, reason) })
        }
        NumberResult::Duplicate { input, .. } => {
            json!({ "input": input, "ok": false, "reason": viewer.lang.pick("与本次请求中的号码重复", "repeats a number of this request") })
        }
    };
    let is_ok = |r: &&NumberResult| matches!(r, NumberResult::Accepted { .. });
    let accepted = out.results.iter().filter(is_ok).count();
    let refused_rows = out.results.iter().filter(|r| !is_ok(r)).take(RESULT_ROWS).map(row);
    let rows: Vec<Value> = refused_rows.chain(out.results.iter().filter(is_ok).take(RESULT_ROWS).map(row)).collect();
    let ctx = json!({ "rows": rows, "accepted": accepted, "refused": out.results.len() - accepted, "cut": out.results.len() > rows.len() });
    render::page(viewer, "send_result.html", ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_numbers_and_values_are_split_as_people_write_them() {
        assert_eq!(
            numbers("13800138000\n13900139000, 13700137000；13600136000"),
            ["13800138000", "13900139000", "13700137000", "13600136000"]
        );
        assert!(numbers(" \n ").is_empty());
        let p = params("code = 123456\nbad line\nminutes=5");
        assert_eq!(p.get("code").map(String::as_str), Some("123456"));
        assert_eq!(p.len(), 2);
    }
}
