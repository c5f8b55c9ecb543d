//! `GET /api/v1/admin/acceptance?from&to[&format=xlsx]`: the acceptance report as JSON or as a
//! workbook (three sheets: channels, incidents, billing). The same JSON and workbook are what
//! `hongyan acceptance` writes; the console's page prints it as HTML.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_engine::acceptance::{AcceptanceError, AcceptanceReport};
use hongyan_engine::incidents::clocks;
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::admin::READERS;
use crate::console::Console;
use crate::figures::AcceptanceView;
use crate::{ApiError, AppState};

/// The report as JSON.
pub fn report_json(r: &AcceptanceReport) -> Value {
    json!(AcceptanceView::new(r))
}

fn yes_no(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "pass",
        Some(false) => "FAIL",
        None => "not measured",
    }
}

/// The report as a workbook.
pub fn report_xlsx(r: &AcceptanceReport) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("channels")?;
    let head = [
        "channel",
        "availability",
        "latency_ms_mean",
        "latency_ms_p99",
        "jitter_ms",
        "loss",
        "submits",
        "drops",
        "latency",
        "jitter",
        "loss",
        "availability",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, c) in r.channels.iter().enumerate() {
        let row = i as u32 + 1;
        let p = &c.figures;
        sheet.write_string(row, 0, &c.name)?;
        let nums = [p.availability(), p.rtt_mean_ms(), p.rtt_ms(0.99), p.jitter_ms(), p.loss()];
        for (k, v) in nums.iter().enumerate() {
            if let Some(v) = v {
                sheet.write_number(row, k as u16 + 1, *v)?;
            }
        }
        sheet.write_number(row, 6, f64::from(p.total.submits))?;
        sheet.write_number(row, 7, f64::from(p.total.drops))?;
        for (k, met) in c.met.iter().enumerate() {
            sheet.write_string(row, 8 + k as u16, yes_no(*met))?;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("incidents")?;
    let head = [
        "id",
        "kind",
        "channel",
        "opened_at",
        "fixed_at",
        "reported_at",
        "fixed_within_4h",
        "reported_within_1h",
        "symptom",
        "cause",
        "actions",
        "result",
    ];
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, inc) in r.incidents.iter().enumerate() {
        let row = i as u32 + 1;
        let (fix, report) = clocks(inc, r.made_at);
        let at = |t: Option<hongyan_store::Timestamp>| t.map(|t| t.to_rfc3339_beijing()).unwrap_or_default();
        let overdue = |met: Option<bool>, overdue: bool| if overdue { "OVERDUE" } else { yes_no(met) };
        let cells = [
            inc.id.to_string(),
            inc.opened.kind.as_str().to_owned(),
            inc.opened.channel.clone().unwrap_or_default(),
            at(Some(inc.opened.opened_at)),
            at(inc.fixed_at),
            at(inc.reported_at),
            overdue(fix.met, fix.overdue).to_owned(),
            overdue(report.met, report.overdue).to_owned(),
            inc.opened.symptom.clone(),
            inc.cause.clone().unwrap_or_default(),
            inc.actions.clone().unwrap_or_default(),
            inc.result.clone().unwrap_or_default(),
        ];
        for (k, v) in cells.iter().enumerate() {
            sheet.write_string(row, k as u16, v)?;
        }
    }
    let sheet = book.add_worksheet();
    sheet.set_name("billing")?;
    for (c, h) in ["period", "from", "to", "messages", "billed_segments", "amount"].iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    let yuan = Format::new().set_num_format("0.0000");
    for (i, b) in r.billing.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &b.name)?;
        sheet.write_string(row, 1, &b.from)?;
        sheet.write_string(row, 2, &b.to)?;
        sheet.write_number(row, 3, b.messages as f64)?;
        sheet.write_number(row, 4, b.billed_segments as f64)?;
        sheet.write_number_with_format(row, 5, b.amount.0 as f64 / 10_000.0, &yuan)?;
    }
    book.save_to_buffer()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AcceptanceQuery {
    from: String,
    to: String,
    format: Option<String>,
}

/// `GET /api/v1/admin/acceptance`
pub(crate) async fn report(
    State(state): State<AppState>,
    console: Console,
    q: Result<Query<AcceptanceQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    console.require(READERS)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let format = q.format.as_deref().unwrap_or("json");
    if !["json", "xlsx"].contains(&format) {
        return Err(ApiError::bad_request("invalid_query", "format is json or xlsx"));
    }
    let r = state.engine.acceptance(&q.from, &q.to).await.map_err(|e| match e {
        AcceptanceError::Period(m) => ApiError::unprocessable("invalid_period", m),
        AcceptanceError::Store(e) => e.into(),
    })?;
    if format == "json" {
        return Ok(Json(report_json(&r)).into_response());
    }
    let bytes = report_xlsx(&r)
        .map_err(|e| ApiError::from(hongyan_store::StoreError::Backend(format!("writing the workbook: {e}"))))?;
    let name = format!("attachment; filename=\"acceptance-{}-{}.xlsx\"", r.from, r.to);
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok((StatusCode::OK, [(CONTENT_TYPE, xlsx.to_owned()), (CONTENT_DISPOSITION, name)], bytes).into_response())
}
