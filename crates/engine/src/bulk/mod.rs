//! Bulk lists uploaded as CSV or XLSX: numbers and optional template-value columns, checked before
//! anything is sent (valid rows, invalid rows with reasons, duplicates).
//!
//! The first row is a header when its first cell is not a number (`number`, `号码`, `手机号`…);
//! further header cells name template variables. Excel in China saves CSV as GBK: a file that
//! is not UTF-8 is read as GBK. A leading byte-order mark is ignored.

use std::collections::{BTreeMap, HashMap};

use hongyan_types::PhoneNumber;

use crate::MAX_RECIPIENTS;

mod csv;
mod xlsx;
mod zip;

/// One usable row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRow {
    /// 1-based line in the file (row number in a sheet).
    pub line: usize,
    /// 11-digit number.
    pub number: String,
    /// Template values from the extra columns.
    pub params: BTreeMap<String, String>,
}

/// What a file holds, before sending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BulkPreview {
    /// Names of the value columns (empty without a header).
    pub columns: Vec<String>,
    /// Rows that will be sent.
    pub valid: Vec<BulkRow>,
    /// (line, cell, reason) of rows that will not.
    pub invalid: Vec<(usize, String, String)>,
    /// (line, number, line of its first occurrence).
    pub duplicates: Vec<(usize, String, usize)>,
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BulkError {
    /// No data rows.
    #[error("the file has no rows")]
    Empty,
    /// More rows than one request may carry.
    #[error("the file has {0} rows; the limit is {MAX_RECIPIENTS}")]
    TooManyRows(usize),
    /// A quoted cell never ends.
    #[error("line {0}: a quoted cell is not closed")]
    Unclosed(usize),
    /// A zip archive that is not a readable XLSX workbook.
    #[error("not a readable XLSX workbook: {0}")]
    Xlsx(String),
}

/// Reads and checks a bulk list: an XLSX workbook (its first sheet) when the bytes are a zip
/// archive, CSV otherwise.
pub fn preview(bytes: &[u8]) -> Result<BulkPreview, BulkError> {
    let rows = if bytes.starts_with(zip::LOCAL_HEADER) { xlsx::rows(bytes)? } else { csv::rows(bytes)? };
    check(rows)
}

/// Sorts rows into valid, invalid and duplicate; a first row that does not hold a number is
/// the header.
fn check(rows: Vec<(usize, Vec<String>)>) -> Result<BulkPreview, BulkError> {
    let mut rows = rows.into_iter().filter(|(_, r)| r.iter().any(|c| !c.is_empty())).peekable();
    let mut p = BulkPreview::default();
    if let Some((_, head)) = rows.peek() {
        let first = head.first().map(String::as_str).unwrap_or("");
        if PhoneNumber::parse(first).is_err() && !first.chars().any(|c| c.is_ascii_digit()) {
            p.columns = head.iter().skip(1).cloned().collect();
            rows.next();
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut count = 0;
    for (line, row) in rows {
        count += 1;
        if count > MAX_RECIPIENTS {
            return Err(BulkError::TooManyRows(count));
        }
        let cell = row.first().cloned().unwrap_or_default();
        let number = match PhoneNumber::parse(&cell) {
            Ok(n) => n.national().to_owned(),
            Err(e) => {
                p.invalid.push((line, cell, e.to_string()));
                continue;
            }
        };
        if let Some(&first) = seen.get(&number) {
            p.duplicates.push((line, number, first));
            continue;
        }
        seen.insert(number.clone(), line);
        let params = p.columns.iter().cloned().zip(row.into_iter().skip(1)).collect();
        p.valid.push(BulkRow { line, number, params });
    }
    if count == 0 {
        return Err(BulkError::Empty);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_numbers_values_and_problems() {
        let csv = "\u{feff}号码,name,amount\n13800138000,张三,\"1,200\"\n+86 139-0013-9000,\"李\"\"四\",300\n\nabc,王五,1\n8613800138000,重复,1\n";
        let p = preview(csv.as_bytes()).unwrap();
        assert_eq!(p.columns, ["name", "amount"]);
        assert_eq!(p.valid.len(), 2);
        assert_eq!(p.valid[0].params.get("amount").map(String::as_str), Some("1,200"));
        assert_eq!(p.valid[1].number, "13900139000");
        assert_eq!(p.valid[1].params.get("name").map(String::as_str), Some("李\"四"));
        assert_eq!(p.invalid.len(), 1);
        assert_eq!((p.invalid[0].0, p.invalid[0].1.as_str()), (5, "abc"));
        assert_eq!(p.duplicates, [(6, "13800138000".to_owned(), 2)]);
    }

    #[test]
    fn plain_lists_gbk_and_errors() {
        let p = preview(b"13800138000\n13900139000\n").unwrap();
        assert!(p.columns.is_empty());
        assert_eq!(p.valid.len(), 2);
        // "号码" in GBK, then a number: read as GBK, header skipped.
        let mut gbk = vec![0xBA, 0xC5, 0xC2, 0xEB, b'\n'];
        gbk.extend_from_slice(b"13800138000\n");
        assert_eq!(preview(&gbk).unwrap().valid.len(), 1);
        assert_eq!(preview(b"number\n"), Err(BulkError::Empty));
        assert_eq!(preview(b"13800138000,\"open\n"), Err(BulkError::Unclosed(1)));
    }

    /// Written by openpyxl: inline strings, number cells, the list on the first tab.
    #[test]
    fn reads_an_openpyxl_workbook() {
        let p = preview(include_bytes!("../../tests/fixtures/bulk.xlsx")).unwrap();
        assert_eq!(p.columns, ["name", "amount"]);
        let got: Vec<_> = p.valid.iter().map(|r| (r.line, r.number.as_str())).collect();
        assert_eq!(got, [(2, "13800138000"), (3, "13900139000"), (8, "13700137000")]);
        assert_eq!(p.valid[0].params.get("amount").map(String::as_str), Some("1200"));
        assert_eq!(p.valid[1].params.get("name").map(String::as_str), Some("Li \"Si\" & <co>"));
        assert_eq!(p.valid[1].params.get("amount").map(String::as_str), Some("300.5"));
        assert_eq!(p.valid[2].params.get("name").map(String::as_str), Some(""));
        let invalid: Vec<_> = p.invalid.iter().map(|(l, c, _)| (*l, c.as_str())).collect();
        assert_eq!(invalid, [(5, "abc"), (7, "")]);
        assert_eq!(p.duplicates, [(6, "13800138000".to_owned(), 2)]);
    }

    /// Written by XlsxWriter: text in the shared-string table, as Excel writes it.
    #[test]
    fn reads_shared_strings() {
        let p = preview(include_bytes!("../../tests/fixtures/bulk-shared.xlsx")).unwrap();
        assert_eq!(p.columns, ["code"]);
        assert_eq!(p.valid.len(), 2);
        assert_eq!(p.valid[0].params.get("code").map(String::as_str), Some("0042"));
        assert_eq!(p.valid[1].params.get("code").map(String::as_str), Some("ß<&>"));
        assert_eq!(p.duplicates, [(4, "13800138000".to_owned(), 2)]);
        assert_eq!(p.invalid.iter().map(|(l, c, _)| (*l, c.as_str())).collect::<Vec<_>>(), [(5, "TRUE")]);
    }

    #[test]
    fn broken_workbooks_are_errors_not_panics() {
        let book = include_bytes!("../../tests/fixtures/bulk.xlsx");
        for cut in (4..book.len()).step_by(97) {
            assert!(matches!(preview(&book[..cut]), Err(BulkError::Xlsx(_))), "cut at {cut}");
        }
        let mut flipped = book.to_vec();
        for i in (200..flipped.len()).step_by(211) {
            flipped[i] ^= 0x5A;
            let _ = preview(&flipped);
        }
    }
}
