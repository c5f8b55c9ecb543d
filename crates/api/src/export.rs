//! Exports of a message search or a statement: CSV (streamed page by page, UTF-8 with a BOM so
//! spreadsheets read Chinese) or XLSX (rust_xlsxwriter in its constant-memory mode, filled page
//! by page). A search over [`MAX_EXPORT_ROWS`] is refused up front, so a file is never cut off
//! silently; every export is audited by the caller.

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hongyan_engine::statement::{AllStatements, Statement};
use hongyan_engine::Engine;
use hongyan_store::{MessageDetail, MessageFilter, StoreError};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};
use std::sync::Arc;

use crate::admin::csv_field;
use crate::ApiError;

/// Most rows one export holds.
pub const MAX_EXPORT_ROWS: u64 = 1_000_000;
/// Rows read from the store at a time.
const PAGE: usize = 1000;
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub(crate) fn parse(s: Option<&str>) -> Result<Self, ApiError> {
        match s {
            None | Some("csv") => Ok(Self::Csv),
            Some("xlsx") => Ok(Self::Xlsx),
            Some(f) => Err(ApiError::bad_request("invalid_query", format!("format `{f}` is csv or xlsx"))),
        }
    }
}

const COLUMNS: [&str; 16] = [
    "id",
    "accepted_at",
    "account_id",
    "sender",
    "interface",
    "client_addr",
    "to",
    "carrier",
    "category",
    "channel",
    "status",
    "segments",
    "error",
    "client_ref",
    "template_id",
    "content",
];

fn fields(d: &MessageDetail) -> [String; 16] {
    let m = &d.message;
    let p = &m.provenance;
    [
        m.id.to_string(),
        m.accepted_at.to_rfc3339_beijing(),
        m.account_id.to_string(),
        p.sender.clone(),
        p.interface.clone(),
        p.client_addr.clone(),
        m.to.clone(),
        m.carrier.as_str().to_owned(),
        m.category.name().to_owned(),
        m.channel.clone(),
        d.status.as_str().to_owned(),
        m.segments.to_string(),
        d.error.clone().unwrap_or_default(),
        p.client_ref.clone().unwrap_or_default(),
        p.template_id.map(|t| t.to_string()).unwrap_or_default(),
        m.content.to_string(),
    ]
}

fn attachment(name: &str, format: Format) -> String {
    let ext = if format == Format::Csv { "csv" } else { "xlsx" };
    format!("attachment; filename=\"{name}.{ext}\"")
}

fn xlsx_error(e: XlsxError) -> ApiError {
    ApiError::from(StoreError::Backend(format!("writing the workbook: {e}")))
}

/// The messages `filter` finds, every page, each shown as `show` decides (masking); refused
/// with 422 when there are more than [`MAX_EXPORT_ROWS`]. Returns the answer and the row count.
pub(crate) async fn messages<F>(
    engine: Arc<Engine>,
    filter: MessageFilter,
    show: F,
    format: Format,
    name: &str,
) -> Result<(Response, u64), ApiError>
where
    F: Fn(MessageDetail) -> MessageDetail + Send + Sync + 'static,
{
    let rows = engine.count_messages(filter.clone(), MAX_EXPORT_ROWS + 1).await?;
    if rows > MAX_EXPORT_ROWS {
        return Err(ApiError::unprocessable(
            "export_too_large",
            format!(
                "the search finds more than {MAX_EXPORT_ROWS} messages; narrow it (a shorter time range, a status)"
            ),
        ));
    }
    let first = MessageFilter { limit: PAGE, ..filter };
    let disposition = attachment(name, format);
    let show = Arc::new(show);
    if format == Format::Xlsx {
        let bytes = xlsx(engine, first, show).await?;
        let headers = [(CONTENT_TYPE, XLSX.to_owned()), (CONTENT_DISPOSITION, disposition)];
        return Ok(((StatusCode::OK, headers, bytes).into_response(), rows));
    }
    let header = Bytes::from(format!("\u{feff}{}\n", COLUMNS.join(",")));
    let pages = futures_util::stream::unfold(Some(first), move |next| {
        let (engine, show) = (engine.clone(), show.clone());
        async move {
            let f = next?;
            let page = match engine.messages(f.clone()).await {
                Ok(p) => p,
                Err(e) => return Some((Err(std::io::Error::other(e.to_string())), None)),
            };
            let more =
                (page.len() == f.limit).then(|| MessageFilter { before: page.last().map(|d| d.message.id), ..f });
            let mut out = String::new();
            for d in page.into_iter().map(|d| show(d)) {
                out.push_str(&fields(&d).iter().map(|s| csv_field(s)).collect::<Vec<_>>().join(","));
                out.push('\n');
            }
            Some((Ok(Bytes::from(out)), more))
        }
    });
    let body = Body::from_stream(futures_util::stream::once(async move { Ok(header) }).chain(pages));
    let headers = [(CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (CONTENT_DISPOSITION, disposition)];
    Ok(((headers, body).into_response(), rows))
}

/// Pages are read here and written by a blocking thread that owns the workbook (it is not
/// `Send` across awaits, and writing is CPU work).
async fn xlsx<F>(engine: Arc<Engine>, mut f: MessageFilter, show: Arc<F>) -> Result<Vec<u8>, ApiError>
where
    F: Fn(MessageDetail) -> MessageDetail + Send + Sync + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<[String; 16]>>(4);
    let writer = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory();
        sheet.set_name("messages")?;
        header(sheet, &COLUMNS)?;
        let mut row = 1u32;
        while let Some(page) = rx.blocking_recv() {
            for fields in page {
                for (c, v) in fields.iter().enumerate() {
                    sheet.write_string(row, c as u16, v)?;
                }
                row += 1;
            }
        }
        book.save_to_buffer()
    });
    loop {
        let page = engine.messages(f.clone()).await?;
        let (full, last) = (page.len() == f.limit, page.last().map(|d| d.message.id));
        let rows: Vec<[String; 16]> = page.into_iter().map(|d| fields(&show(d))).collect();
        if tx.send(rows).await.is_err() || !full {
            break;
        }
        f.before = last;
    }
    drop(tx);
    writer.await.map_err(|e| ApiError::from(StoreError::Backend(e.to_string())))?.map_err(xlsx_error)
}

fn header(sheet: &mut Worksheet, names: &[&str]) -> Result<(), XlsxError> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    Ok(())
}

/// Statements as a workbook: a line per account, carrier and category, then the total; counts
/// and amounts as numbers.
fn statement_xlsx(
    accounts: &[(String, &Statement)],
    total: (u64, u64, hongyan_store::Money),
) -> Result<Vec<u8>, ApiError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("statement")?;
        let names = [
            "account_id",
            "account",
            "carrier",
            "category",
            "messages",
            "billed_segments",
            "delivered",
            "unit_price",
            "amount",
        ];
        header(sheet, &names)?;
        let yuan = rust_xlsxwriter::Format::new().set_num_format("0.0000");
        let money = |m: hongyan_store::Money| m.0 as f64 / 10_000.0;
        let mut row = 1u32;
        for (name, s) in accounts {
            for l in &s.lines {
                let u = &l.usage;
                sheet.write_number(row, 0, s.account_id as f64)?;
                sheet.write_string(row, 1, name)?;
                sheet.write_string(row, 2, u.carrier.as_str())?;
                sheet.write_string(row, 3, u.category.name())?;
                sheet.write_number(row, 4, u.messages as f64)?;
                sheet.write_number(row, 5, u.billed_segments as f64)?;
                sheet.write_number(row, 6, u.delivered as f64)?;
                if let Some(p) = l.unit_price {
                    sheet.write_number_with_format(row, 7, money(p), &yuan)?;
                }
                if let Some(a) = l.amount {
                    sheet.write_number_with_format(row, 8, money(a), &yuan)?;
                }
                row += 1;
            }
        }
        sheet.write_string(row, 0, "total")?;
        sheet.write_number(row, 4, total.0 as f64)?;
        sheet.write_number(row, 5, total.1 as f64)?;
        sheet.write_number_with_format(row, 8, money(total.2), &yuan)?;
        book.save_to_buffer()
    };
    build().map_err(xlsx_error)
}

fn xlsx_answer(bytes: Vec<u8>, name: &str) -> Response {
    let headers = [(CONTENT_TYPE, XLSX.to_owned()), (CONTENT_DISPOSITION, attachment(name, Format::Xlsx))];
    (StatusCode::OK, headers, bytes).into_response()
}

/// The answer carrying one account's statement as a workbook.
pub(crate) fn statement_answer(account: &str, s: &Statement, name: &str) -> Result<Response, ApiError> {
    let bytes = statement_xlsx(&[(account.to_owned(), s)], (s.messages, s.billed_segments, s.amount))?;
    Ok(xlsx_answer(bytes, name))
}

/// The answer carrying every account's statement as one workbook.
pub(crate) fn all_statements_answer(all: &AllStatements, name: &str) -> Result<Response, ApiError> {
    let accounts: Vec<(String, &Statement)> = all.accounts.iter().map(|(n, s)| (n.clone(), s)).collect();
    let bytes = statement_xlsx(&accounts, (all.messages, all.billed_segments, all.amount))?;
    Ok(xlsx_answer(bytes, name))
}
