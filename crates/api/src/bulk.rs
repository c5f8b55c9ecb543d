//! `/api/v1/bulk`: a bulk list uploaded as CSV or XLSX — preview it, then send it.

use axum::body::{to_bytes, Body};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use hongyan_engine::bulk::{self, BulkPreview};
use hongyan_engine::{SendRequest, TemplateRef};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::auth::Authed;
use crate::console::ClientAddr;
use crate::messages::{category, send_at};
use crate::{views, ApiError, AppState, MAX_BODY_BYTES};

/// Rows shown back in a preview.
const SAMPLE: usize = 10;
/// The media type of an Excel workbook.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The uploaded file; its declared type must be CSV or XLSX (the reader then goes by content).
async fn list_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let media = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| v.split(';').next()).unwrap_or("");
    let media = media.trim();
    let xlsx = media.eq_ignore_ascii_case(XLSX);
    if !xlsx && !media.eq_ignore_ascii_case("text/csv") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("upload the list as text/csv (UTF-8 or GBK) or {XLSX}"),
        ));
    }
    let bytes = to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the file is larger than {MAX_BODY_BYTES} bytes"),
        )
    })?;
    if xlsx && !bytes.starts_with(b"PK\x03\x04") {
        return Err(ApiError::unprocessable("bad_file", "the body is not an XLSX workbook"));
    }
    Ok(bytes.to_vec())
}

fn read(bytes: &[u8]) -> Result<BulkPreview, ApiError> {
    bulk::preview(bytes).map_err(|e| ApiError::unprocessable("bad_file", e.to_string()))
}

/// The rows of a file that will not be sent: refused, or a number already on an earlier line.
#[derive(Serialize)]
pub(crate) struct FileProblems<'a> {
    invalid: Vec<InvalidRow<'a>>,
    duplicates: Vec<DuplicateRow<'a>>,
}

#[derive(Serialize)]
struct InvalidRow<'a> {
    line: usize,
    input: &'a str,
    reason: &'a str,
}

#[derive(Serialize)]
struct DuplicateRow<'a> {
    line: usize,
    number: &'a str,
    first_line: usize,
}

impl<'a> FileProblems<'a> {
    fn of(p: &'a BulkPreview) -> Self {
        Self {
            invalid: p.invalid.iter().map(|(line, input, reason)| InvalidRow { line: *line, input, reason }).collect(),
            duplicates: p
                .duplicates
                .iter()
                .map(|(line, number, first)| DuplicateRow { line: *line, number, first_line: *first })
                .collect(),
        }
    }
}

/// A preview: the columns, how many rows will be sent with the first few, and the problems.
#[derive(Serialize)]
struct PreviewView<'a> {
    columns: &'a [String],
    valid: usize,
    sample: Vec<SampleRow<'a>>,
    #[serde(flatten)]
    problems: FileProblems<'a>,
}

#[derive(Serialize)]
struct SampleRow<'a> {
    line: usize,
    number: &'a str,
    params: &'a std::collections::BTreeMap<String, String>,
}

/// `POST /api/v1/bulk/preview`: what would be sent, and what would not, and why.
pub(crate) async fn preview(
    State(state): State<AppState>,
    Authed(caller): Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    crate::auth::allow(&state, &caller, "send").await?;
    let p = read(&list_body(&headers, body).await?)?;
    let sample = p.valid.iter().take(SAMPLE).map(|r| SampleRow { line: r.line, number: &r.number, params: &r.params });
    Ok(Json(json!(PreviewView {
        columns: &p.columns,
        valid: p.valid.len(),
        sample: sample.collect(),
        problems: FileProblems::of(&p)
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendQuery {
    category: String,
    content: Option<String>,
    template_id: Option<i64>,
    client_ref: Option<String>,
    send_at: Option<String>,
}

/// `POST /api/v1/bulk?category=…&template_id=…|content=…`: sends the valid rows; with value
/// columns and a template, each row's values fill the template (a personalised batch).
pub(crate) async fn send(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ClientAddr(addr): ClientAddr,
    query: Result<Query<SendQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<axum::response::Response, ApiError> {
    crate::auth::allow(&state, &caller, "send").await?;
    let Query(q) = query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let (category, send_at) = (category(&state.engine, &q.category)?, send_at(q.send_at.as_deref())?);
    let p = read(&list_body(&headers, body).await?)?;
    if p.valid.is_empty() {
        return Err(ApiError::unprocessable("no_recipients", "no row of the file holds a valid number"));
    }
    let personal = if p.columns.is_empty() || q.template_id.is_none() {
        Vec::new()
    } else {
        p.valid.iter().map(|r| r.params.clone()).collect()
    };
    let req = SendRequest {
        to: p.valid.iter().map(|r| r.number.clone()).collect(),
        content: q.content.unwrap_or_default(),
        category,
        client_ref: q.client_ref,
        template: q.template_id.map(|id| TemplateRef { id, params: Default::default() }),
        send_at,
        personal,
        origin: None,
        callback_url: None,
        provenance: Default::default(),
        avoid_channel: None,
    }
    .sent_by(crate::auth::principal(&caller), "bulk", addr);
    let outcome = state.engine.accept(caller.account_id, req).await?;
    Ok(Json(views::SendOutcomeView { out: &outcome, file: Some(FileProblems::of(&p)) }).into_response())
}
