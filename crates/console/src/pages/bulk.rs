//! Bulk sending from the console: upload a CSV or XLSX list, see what `engine::bulk` makes of
//! it (valid rows, invalid ones with the reason, duplicates), then send it now or at a time.
//!
//! The checked list waits on the server between the two steps (in [`Uploads`], for the user
//! who uploaded it, 30 minutes at most), so the page never carries 100,000 numbers back and
//! forth. A restart forgets it: the user uploads again, nothing was sent.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use hongyan_api::{ApiError, AppState};
use hongyan_engine::bulk::{self, BulkPreview};
use hongyan_engine::{SendRequest, TemplateRef};
use hongyan_store::{SignatureStatus, Timestamp};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::render;
use crate::viewer::Viewer;

/// How long an uploaded list waits to be sent.
const KEEP_MS: i64 = 30 * 60 * 1000;
/// Most lists waiting at once (the oldest goes first).
const MAX_WAITING: usize = 32;
/// Rows of each kind shown in the preview.
const SHOWN: usize = 200;

/// Lists checked and waiting to be sent: upload token → (user id, when, list).
#[derive(Default)]
pub(crate) struct Uploads {
    // std Mutex: an insert or a removal, never held across an await.
    waiting: Mutex<HashMap<String, (i64, Timestamp, BulkPreview)>>,
}

impl std::fmt::Debug for Uploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uploads").finish_non_exhaustive()
    }
}

impl Uploads {
    fn keep(&self, user_id: i64, now: Timestamp, list: BulkPreview) -> Option<String> {
        let token = hongyan_engine::auth::random_text(24).ok()?;
        let mut waiting = self.waiting.lock().expect("uploads");
        waiting.retain(|_, (_, at, _)| now.as_millis() - at.as_millis() < KEEP_MS);
        while waiting.len() >= MAX_WAITING {
            let oldest = waiting.iter().min_by_key(|(_, (_, at, _))| *at).map(|(k, _)| k.clone())?;
            waiting.remove(&oldest);
        }
        waiting.insert(token.clone(), (user_id, now, list));
        Some(token)
    }

    /// The list, taken out (a list is sent once), if it is this user's and not too old.
    fn take(&self, token: &str, user_id: i64, now: Timestamp) -> Option<BulkPreview> {
        let mut waiting = self.waiting.lock().expect("uploads");
        match waiting.get(token) {
            Some((owner, at, _)) if *owner == user_id && now.as_millis() - at.as_millis() < KEEP_MS => {
                waiting.remove(token).map(|(_, _, list)| list)
            }
            _ => None,
        }
    }

    /// Puts a list back (the send was refused and the user may fix the text and try again).
    fn put_back(&self, token: &str, user_id: i64, now: Timestamp, list: BulkPreview) {
        self.waiting.lock().expect("uploads").insert(token.to_owned(), (user_id, now, list));
    }
}

async fn categories_and_templates(state: &AppState, account: i64) -> (Vec<Value>, Vec<Value>) {
    let categories =
        state.engine.categories().iter().map(|d| json!({ "name": d.category.name(), "label": d.label })).collect();
    let templates = state.engine.templates(account).await.unwrap_or_default();
    let templates = templates
        .iter()
        .filter(|t| t.status == SignatureStatus::Approved)
        .map(|t| json!({ "id": t.id, "name": t.name, "body": t.body }))
        .collect();
    (categories, templates)
}

/// `GET /send/bulk`
pub(crate) async fn form(viewer: Viewer) -> Response {
    if viewer.tenant_account().is_none() {
        return super::forbidden(&viewer);
    }
    render::page(&viewer, "bulk.html", json!({}))
}

fn refused(viewer: &Viewer, message: String) -> Response {
    let mut resp = render::page(viewer, "bulk.html", json!({ "error": message }));
    *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    resp
}

/// `POST /send/bulk` (multipart, field `file`): checks the list and shows the preview.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Extension(uploads): Extension<Arc<Uploads>>,
    viewer: Viewer,
    mut multipart: Multipart,
) -> Response {
    let Some(account) = viewer.tenant_account() else { return super::forbidden(&viewer) };
    let lang = viewer.lang;
    let mut file = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            match field.bytes().await {
                Ok(bytes) => file = Some((name, bytes)),
                Err(_) => {
                    return refused(
                        &viewer,
                        lang.pick("文件过大或上传中断。", "The file is too large or the upload broke off.").into(),
                    )
                }
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return refused(&viewer, lang.pick("请选择 CSV 或 XLSX 文件。", "Choose a CSV or XLSX file.").into());
    };
    let list = match bulk::preview(&bytes) {
        Ok(list) => list,
        Err(e) => {
            return refused(&viewer, format!("{}（{e}）", lang.pick("无法读取该文件", "The file cannot be read")))
        }
    };
    let now = state.engine.clock().now();
    let shown = preview_json(&list, lang);
    let Some(token) = uploads.keep(viewer.user.id, now, list) else { return render::failure(lang) };
    let (categories, templates) = categories_and_templates(&state, account).await;
    let ctx = json!({ "file": name, "list": shown, "token": token, "categories": categories, "templates": templates, "form": { "category": "notification" } });
    render::page(&viewer, "bulk_preview.html", ctx)
}

fn preview_json(p: &BulkPreview, lang: crate::i18n::Lang) -> Value {
    json!({
        "columns": p.columns,
        "valid": p.valid.len(),
        "sample": p.valid.iter().take(10).map(|r| json!({ "line": r.line, "number": r.number, "params": r.params })).collect::<Vec<_>>(),
        "invalid": p.invalid.iter().take(SHOWN).map(|(l, i, r)| json!({ "line": l, "input": i, "reason": lang.error("invalid_number", r) })).collect::<Vec<_>>(),
        "invalid_count": p.invalid.len(),
        "duplicates": p.duplicates.iter().take(SHOWN).map(|(l, n, f)| json!({ "line": l, "number": n, "first": f })).collect::<Vec<_>>(),
        "duplicate_count": p.duplicates.len(),
    })
}

#[derive(Deserialize, serde::Serialize)]
pub(crate) struct BulkSendForm {
    token: String,
    category: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    template_id: String,
    /// `YYYY-MM-DDTHH:MM` in Beijing time (a `datetime-local` field), or empty for now.
    #[serde(default)]
    send_at: String,
}

/// A `datetime-local` value read as Beijing time.
fn beijing_local(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    let with_seconds = if s.len() == 16 { format!("{s}:00") } else { s.to_owned() };
    Timestamp::parse_rfc3339(&format!("{with_seconds}+08:00"))
}

/// `POST /send/bulk/send`: sends the waiting list's valid rows (each row's values fill the
/// template when the file has value columns).
pub(crate) async fn send(
    State(state): State<AppState>,
    Extension(uploads): Extension<Arc<Uploads>>,
    viewer: Viewer,
    Form(f): Form<BulkSendForm>,
) -> Response {
    let Some(account) = viewer.tenant_account() else { return super::forbidden(&viewer) };
    let now = state.engine.clock().now();
    let Some(list) = uploads.take(&f.token, viewer.user.id, now) else {
        let msg = viewer
            .lang
            .pick("名单已过期或已发送，请重新上传。", "The list expired or was already sent: upload it again.");
        return refused(&viewer, msg.into());
    };
    match send_list(&state, &viewer, account, &f, &list).await {
        Ok(outcome) => super::send::result_page(&viewer, &outcome),
        Err(message) => {
            uploads.put_back(&f.token, viewer.user.id, now, list.clone());
            let (categories, templates) = categories_and_templates(&state, account).await;
            let ctx = json!({ "list": preview_json(&list, viewer.lang), "token": f.token, "categories": categories, "templates": templates, "form": f, "error": message });
            let mut resp = render::page(&viewer, "bulk_preview.html", ctx);
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            resp
        }
    }
}

async fn send_list(
    state: &AppState,
    viewer: &Viewer,
    account: i64,
    f: &BulkSendForm,
    list: &BulkPreview,
) -> Result<hongyan_engine::SendOutcome, String> {
    let lang = viewer.lang;
    let api = |e: ApiError| super::api_message(viewer, e);
    let ip = viewer.addr.parse().ok();
    state.engine.check_access(account, "http", Some("send"), ip).await.map_err(|e| api(e.into()))?;
    let category = state.engine.category(&f.category).map_err(|e| lang.error("unknown_category", &e.to_string()))?;
    let send_at = match f.send_at.trim() {
        "" => None,
        s => Some(beijing_local(s).ok_or_else(|| lang.error("invalid_send_at", s))?),
    };
    let template = match f.template_id.trim() {
        "" => None,
        id => Some(TemplateRef {
            id: id.parse().map_err(|_| lang.error("unknown_template", id))?,
            params: Default::default(),
        }),
    };
    let personal = if list.columns.is_empty() || template.is_none() {
        Vec::new()
    } else {
        list.valid.iter().map(|r| r.params.clone()).collect()
    };
    let content = if template.is_some() { String::new() } else { f.content.clone() };
    let to = list.valid.iter().map(|r| r.number.clone()).collect();
    let req = SendRequest { template, send_at, personal, ..SendRequest::new(to, content, category) }.sent_by(
        format!("user:{}", viewer.user.username),
        "console",
        viewer.addr.clone(),
    );
    state.engine.accept(account, req).await.map_err(|e| api(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_is_sent_once_by_its_own_user_within_the_time() {
        let u = Uploads::default();
        let now = Timestamp::from_millis(1_000_000);
        let token = u.keep(7, now, BulkPreview::default()).unwrap();
        assert!(u.take(&token, 8, now).is_none(), "another user");
        assert!(u.take(&token, 7, now.plus_millis(KEEP_MS)).is_none(), "too old");
        assert!(u.take(&token, 7, now).is_some());
        assert!(u.take(&token, 7, now).is_none(), "sent once");
        assert_eq!(beijing_local("2026-12-07T09:30").unwrap().to_rfc3339_beijing(), "2026-12-07T09:30:00.000+08:00");
    }
}
