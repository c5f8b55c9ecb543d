//! Bulk lists uploaded as CSV: numbers and optional template-value columns, checked before
//! anything is sent (valid rows, invalid rows with reasons, duplicates).
//!
//! The first row is a header when its first cell is not a number (`number`, `号码`, `手机号`…);
//! further header cells name template variables. Excel in China saves CSV as GBK: a file that
//! is not UTF-8 is read as GBK. A leading byte-order mark is ignored.

use std::collections::{BTreeMap, HashMap};

use hongyan_types::PhoneNumber;

use crate::MAX_RECIPIENTS;

/// One usable row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkRow {
    /// 1-based line in the file.
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
}

/// UTF-8 when it is, otherwise GBK; without a byte-order mark.
fn decode(bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => hongyan_text::Encoding::Gbk.decode(bytes),
    };
    text.trim_start_matches('\u{feff}').to_owned()
}

/// Splits one CSV line (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`).
fn cells(line: &str, number: usize) -> Result<Vec<String>, BulkError> {
    let (mut out, mut cell, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cell).trim().to_owned()),
            (c, _) => cell.push(c),
        }
    }
    if quoted {
        return Err(BulkError::Unclosed(number));
    }
    out.push(cell.trim().to_owned());
    Ok(out)
}

/// Reads and checks a CSV bulk list.
pub fn preview(bytes: &[u8]) -> Result<BulkPreview, BulkError> {
    let text = decode(bytes);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty()).peekable();
    let mut p = BulkPreview::default();
    if let Some((n, first)) = lines.peek().copied() {
        let head = cells(first, n)?;
        if PhoneNumber::parse(&head[0]).is_err() && !head[0].chars().any(|c| c.is_ascii_digit()) {
            p.columns = head[1..].to_vec();
            lines.next();
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = 0;
    for (line, text) in lines {
        rows += 1;
        if rows > MAX_RECIPIENTS {
            return Err(BulkError::TooManyRows(rows));
        }
        let row = cells(text, line)?;
        let number = match PhoneNumber::parse(&row[0]) {
            Ok(n) => n.national().to_owned(),
            Err(e) => {
                p.invalid.push((line, row[0].clone(), e.to_string()));
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
    if rows == 0 {
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
}
