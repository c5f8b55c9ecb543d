//! The first sheet of an XLSX workbook as rows of text: shared strings, inline strings,
//! numbers and booleans. Formats, formulas and styles are not evaluated — a bulk list is data.
//!
//! Excel often keeps a mobile number as a number cell, which some writers store in exponent
//! form (`1.38001380000E10`); whole numbers are written back without exponent or `.0`.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::zip::{self, Entry};
use super::BulkError;
use crate::MAX_RECIPIENTS;

/// Columns read per row: the number and template values. Further cells are ignored, so that a
/// stray cell far to the right cannot make every row huge.
const MAX_COLUMNS: usize = 64;

fn xml_error(e: impl std::fmt::Display) -> BulkError {
    BulkError::Xlsx(e.to_string())
}

/// Reads the first sheet as (row number, cells).
pub(super) fn rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, BulkError> {
    let entries = zip::entries(bytes)?;
    let find = |name: &str| entries.iter().find(|e| e.name == name);
    let strings = match find("xl/sharedStrings.xml") {
        Some(e) => shared_strings(&zip::read(e)?)?,
        None => Vec::new(),
    };
    let path = first_sheet_path(&entries)?;
    let sheet = find(&path).ok_or_else(|| BulkError::Xlsx(format!("the workbook has no {path}")))?;
    sheet_rows(&zip::read(sheet)?, &strings)
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// The first `<sheet>` of `workbook.xml`, through its relationship to a part name. A
/// workbook without those parts falls back to the customary `sheet1.xml`.
fn first_sheet_path(entries: &[Entry<'_>]) -> Result<String, BulkError> {
    let part = |name: &str| entries.iter().find(|e| e.name == name).map(zip::read).transpose();
    let (Some(book), Some(rels)) = (part("xl/workbook.xml")?, part("xl/_rels/workbook.xml.rels")?) else {
        return Ok("xl/worksheets/sheet1.xml".to_owned());
    };
    let id = first_attr(&book, b"sheet", b"id", None)?.ok_or_else(|| xml_error("the workbook lists no sheet"))?;
    let target = first_attr(&rels, b"Relationship", b"Target", Some(&id))?
        .ok_or_else(|| xml_error("the workbook's first sheet has no part"))?;
    Ok(match target.strip_prefix('/') {
        Some(absolute) => absolute.to_owned(),
        None => format!("xl/{target}"),
    })
}

/// Attribute `want` of the first `element` (whose `Id` is `id`, when given).
fn first_attr(xml: &[u8], element: &[u8], want: &[u8], id: Option<&str>) -> Result<Option<String>, BulkError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) | Event::Empty(e)
                if e.local_name().as_ref() == element && id.is_none_or(|id| attr(&e, b"Id").as_deref() == Some(id)) =>
            {
                return Ok(attr(&e, want));
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
        buf.clear();
    }
}

/// `<si>` items in order; phonetic runs (`<rPh>`) are not part of the text.
fn shared_strings(xml: &[u8]) -> Result<Vec<String>, BulkError> {
    let mut reader = Reader::from_reader(xml);
    let (mut buf, mut out, mut text) = (Vec::new(), Vec::new(), String::new());
    let (mut in_t, mut in_phonetic) = (false, false);
    loop {
        match reader.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) => match e.local_name().as_ref() {
                b"si" => text.clear(),
                b"t" => in_t = true,
                b"rPh" => in_phonetic = true,
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"si" => out.push(std::mem::take(&mut text)),
                b"t" => in_t = false,
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            Event::Text(t) if in_t && !in_phonetic => text.push_str(&t.unescape().map_err(xml_error)?),
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

/// Zero-based column of a cell reference such as `C7` or `AA12`.
fn column(reference: &str) -> Option<usize> {
    let letters = reference.bytes().take_while(u8::is_ascii_alphabetic);
    let n =
        letters.fold(0usize, |n, c| n.saturating_mul(26).saturating_add((c.to_ascii_uppercase() - b'A' + 1).into()));
    // Beyond Excel's last column (XFD) the reference is not a spreadsheet's.
    (1..=16_384).contains(&n).then(|| n - 1)
}

/// A cell under construction.
#[derive(Default)]
struct Cell {
    column: usize,
    kind: String,
    value: String,
}

impl Cell {
    fn text(self, strings: &[String]) -> Result<String, BulkError> {
        Ok(match self.kind.as_str() {
            "s" => {
                let i: usize = self.value.trim().parse().map_err(|_| xml_error("bad shared-string index"))?;
                strings.get(i).cloned().ok_or_else(|| xml_error("shared-string index out of range"))?
            }
            "b" => (if self.value.trim() == "1" { "TRUE" } else { "FALSE" }).to_owned(),
            "n" | "" => number(self.value.trim()),
            _ => self.value,
        })
    }
}

/// Whole numbers without exponent or fraction; anything else as written.
fn number(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 && (v.contains(['e', 'E']) || v.contains('.')) => {
            format!("{}", f as i64)
        }
        _ => v.to_owned(),
    }
}

/// Rows of a worksheet; cells keep their columns, so a blank cell stays blank.
fn sheet_rows(xml: &[u8], strings: &[String]) -> Result<Vec<(usize, Vec<String>)>, BulkError> {
    let mut reader = Reader::from_reader(xml);
    let (mut buf, mut out) = (Vec::new(), Vec::new());
    let (mut row, mut cells, mut cell, mut in_value) = (0usize, Vec::<String>::new(), None::<Cell>, false);
    loop {
        match reader.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"row" => {
                row = attr(&e, b"r").and_then(|r| r.parse().ok()).unwrap_or(row + 1);
                cells.clear();
            }
            Event::Start(e) if e.local_name().as_ref() == b"c" => {
                let column = attr(&e, b"r").map_or(Some(cells.len()), |r| column(&r));
                let column = column.ok_or_else(|| xml_error("bad cell reference"))?;
                cell = Some(Cell { column, kind: attr(&e, b"t").unwrap_or_default(), value: String::new() });
            }
            Event::Start(e) => in_value |= matches!(e.local_name().as_ref(), b"v" | b"t"),
            Event::Text(t) if in_value => {
                if let Some(c) = cell.as_mut() {
                    c.value.push_str(&t.unescape().map_err(xml_error)?);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"v" | b"t" => in_value = false,
                b"c" => place(&mut cells, cell.take(), strings)?,
                b"row" if out.len() > MAX_RECIPIENTS => return Err(BulkError::TooManyRows(out.len())),
                b"row" => out.push((row, std::mem::take(&mut cells))),
                _ => {}
            },
            Event::Eof => return Ok(out),
            _ => {}
        }
        buf.clear();
    }
}

fn place(cells: &mut Vec<String>, cell: Option<Cell>, strings: &[String]) -> Result<(), BulkError> {
    let Some(cell) = cell.filter(|c| c.column < MAX_COLUMNS) else { return Ok(()) };
    let column = cell.column;
    if cells.len() <= column {
        cells.resize(column + 1, String::new());
    }
    cells[column] = cell.text(strings)?.trim().to_owned();
    Ok(())
}
