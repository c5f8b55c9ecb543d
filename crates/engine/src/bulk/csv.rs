//! CSV lists: RFC 4180 quoting (a quoted cell may hold commas, doubled quotes and line
//! breaks), UTF-8 or GBK, `\n` or `\r\n` line ends.

use super::BulkError;

/// UTF-8 when it is, otherwise GBK; without a byte-order mark.
fn decode(bytes: &[u8]) -> String {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => hongyan_text::Encoding::Gbk.decode(bytes),
    };
    text.trim_start_matches('\u{feff}').to_owned()
}

/// The records of a CSV file as (the 1-based line it starts on, cells), blank lines left out.
/// A quoted cell that never closes is an error naming the line its record starts on.
pub(super) fn rows(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, BulkError> {
    let text = decode(bytes).replace("\r\n", "\n");
    let mut out = Vec::new();
    let (mut line, mut start, mut quoted) = (1, 1, false);
    let (mut record, mut cell) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut cell).trim().to_owned()),
            ('\n', false) => {
                record.push(std::mem::take(&mut cell).trim().to_owned());
                keep(&mut out, start, std::mem::take(&mut record));
                line += 1;
                start = line;
            }
            ('\n', true) => {
                cell.push('\n');
                line += 1;
            }
            (c, _) => cell.push(c),
        }
    }
    if quoted {
        return Err(BulkError::Unclosed(start));
    }
    record.push(cell.trim().to_owned());
    keep(&mut out, start, record);
    Ok(out)
}

/// Adds a record unless it is a blank line (one empty cell).
fn keep(out: &mut Vec<(usize, Vec<String>)>, line: usize, record: Vec<String>) {
    if !(record.len() == 1 && record[0].is_empty()) {
        out.push((line, record));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_cell_may_hold_line_breaks_and_lines_are_counted_from_each_record() {
        let text =
            "number,note\r\n13800138000,\"line one\r\nline two, with a comma\"\r\n\r\n13900139000,\"a \"\"b\"\"\"\r\n";
        let got = rows(text.as_bytes()).unwrap();
        assert_eq!(
            got,
            [
                (1, vec!["number".to_owned(), "note".to_owned()]),
                (2, vec!["13800138000".to_owned(), "line one\nline two, with a comma".to_owned()]),
                (5, vec!["13900139000".to_owned(), "a \"b\"".to_owned()]),
            ]
        );
        assert_eq!(rows(b"1,2\n3,\"open\nstill open"), Err(BulkError::Unclosed(2)));
    }
}
