//! Just enough of the zip format to read an XLSX workbook: the central directory, and entries
//! stored or deflated. No zip64, encryption or split archives: a bulk list never needs them.
//! Every offset is checked against the buffer, and inflated sizes are capped so that a small
//! crafted file cannot fill memory.

use super::BulkError;

/// How every zip archive (and so every XLSX file) begins.
pub(super) const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const CENTRAL_HEADER: &[u8] = b"PK\x01\x02";
const END_OF_DIRECTORY: &[u8] = b"PK\x05\x06";
/// End-of-directory record without its trailing comment.
const END_LEN: usize = 22;
/// Largest entry we inflate; a 100,000-row sheet is a few MiB.
const MAX_ENTRY: usize = 64 << 20;

/// One file in the archive, not yet inflated.
pub(super) struct Entry<'a> {
    pub(super) name: String,
    method: u16,
    crc: u32,
    data: &'a [u8],
}

fn bad(why: &str) -> BulkError {
    BulkError::Xlsx(why.to_owned())
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, BulkError> {
    let s = b.get(at..at + 2).ok_or_else(|| bad("truncated zip header"))?;
    Ok(u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Result<usize, BulkError> {
    let s = b.get(at..at + 4).ok_or_else(|| bad("truncated zip header"))?;
    Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as usize)
}

/// The end-of-central-directory record sits in the last 22 bytes plus an optional comment
/// of up to 64 KiB, so it is searched for backwards.
fn end_of_directory(b: &[u8]) -> Result<usize, BulkError> {
    let last = b.len().checked_sub(END_LEN).ok_or_else(|| bad("too short for a zip archive"))?;
    let first = last.saturating_sub(u16::MAX as usize);
    (first..=last).rev().find(|&i| b[i..].starts_with(END_OF_DIRECTORY)).ok_or_else(|| bad("no zip directory"))
}

/// Lists the archive's entries from its central directory.
pub(super) fn entries(b: &[u8]) -> Result<Vec<Entry<'_>>, BulkError> {
    let end = end_of_directory(b)?;
    let count = u16_at(b, end + 10)?;
    let mut at = u32_at(b, end + 16)?;
    let mut out = Vec::with_capacity(count.into());
    for _ in 0..count {
        if !b.get(at..).is_some_and(|s| s.starts_with(CENTRAL_HEADER)) {
            return Err(bad("broken zip directory"));
        }
        let (method, size) = (u16_at(b, at + 10)?, u32_at(b, at + 20)?);
        let (name_len, extra_len, comment_len) =
            (u16_at(b, at + 28)? as usize, u16_at(b, at + 30)? as usize, u16_at(b, at + 32)? as usize);
        let (crc, local) = (u32_at(b, at + 16)? as u32, u32_at(b, at + 42)?);
        let name = b.get(at + 46..at + 46 + name_len).ok_or_else(|| bad("truncated zip directory"))?;
        let name = String::from_utf8_lossy(name).into_owned();
        out.push(Entry { name, method, crc, data: local_data(b, local, size)? });
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(out)
}

/// An entry's compressed bytes, found through its local header (whose own name and extra
/// lengths may differ from the directory's).
fn local_data(b: &[u8], at: usize, size: usize) -> Result<&[u8], BulkError> {
    if !b.get(at..).is_some_and(|s| s.starts_with(LOCAL_HEADER)) {
        return Err(bad("broken zip entry"));
    }
    let start = at + 30 + u16_at(b, at + 26)? as usize + u16_at(b, at + 28)? as usize;
    b.get(start..start.saturating_add(size)).ok_or_else(|| bad("truncated zip entry"))
}

/// An entry's contents, checked against the CRC-32 the archive recorded for them, so that a
/// damaged upload is refused rather than read wrongly.
pub(super) fn read(entry: &Entry<'_>) -> Result<Vec<u8>, BulkError> {
    let bytes = inflate(entry)?;
    if crc32(&bytes) != entry.crc {
        return Err(BulkError::Xlsx(format!("{}: checksum mismatch (the file is damaged)", entry.name)));
    }
    Ok(bytes)
}

/// CRC-32 as zip uses it (IEEE 802.3, reflected), bit by bit: a sheet is a few MiB at most.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn inflate(entry: &Entry<'_>) -> Result<Vec<u8>, BulkError> {
    match entry.method {
        0 if entry.data.len() <= MAX_ENTRY => Ok(entry.data.to_vec()),
        8 => miniz_oxide::inflate::decompress_to_vec_with_limit(entry.data, MAX_ENTRY)
            .map_err(|e| BulkError::Xlsx(format!("{}: cannot inflate ({:?})", entry.name, e.status))),
        m => Err(BulkError::Xlsx(format!("{}: unsupported zip method {m} or too large", entry.name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn a_wrong_checksum_is_refused() {
        let mut book = include_bytes!("../../tests/fixtures/bulk.xlsx").to_vec();
        let central: Vec<usize> =
            book.windows(4).enumerate().filter(|(_, w)| *w == CENTRAL_HEADER).map(|(i, _)| i).collect();
        central.iter().for_each(|&at| book[at + 16] ^= 1);
        let err = super::super::preview(&book).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }
}
