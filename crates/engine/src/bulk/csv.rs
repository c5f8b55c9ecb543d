//! CSV lists: RFC 4180 quoting within a line, UTF-8 or GBK.

use super::BulkError;

/// UTF-8 when it is, otherwise GBK; without a byte-order mark.
fn decode(bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => hongyan_text::Encoding::Gbk.decode(bytes),
    };
    text.trim_start_matches('\u{feff}').to_owned()
}

/// Splits one CSV line (RFC 4180 quoting: `"a,b"`, `"say ""hi"""`).
pub(super) fn cells(line: &str, number: usize) -> Result<Vec<String>, BulkError> {
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

/// The non-empty lines of a CSV file as (1-based line, cells).
pub(super) fn rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, BulkError> {
    let text = decode(bytes);
    let lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    lines.map(|(i, l)| Ok((i + 1, cells(l, i + 1)?))).collect()
}
