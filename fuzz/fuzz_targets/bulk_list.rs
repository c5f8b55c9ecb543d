//! The bulk-list reader (`hongyan_engine::bulk::preview`) on arbitrary bytes: CSV in UTF-8 or
//! GBK, and XLSX. Raw input reaches the zip reader as it is; to get past the zip layer into
//! the XML readers, the input is also split into a shared-string table, a workbook, its
//! relationships and a sheet, and wrapped in a well-formed stored zip archive.
//! Never panics; every valid row has an 11-digit number and its line is unique.
#![no_main]

use std::collections::HashSet;

use hongyan_engine::bulk::preview;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    check(data);
    let parts: Vec<&[u8]> = data.splitn(4, |&b| b == 0xFF).collect();
    let names = ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"];
    let files: Vec<(&str, &[u8])> = names.iter().copied().zip(parts).collect();
    check(&stored_zip(&files));
});

fn check(data: &[u8]) {
    let Ok(p) = preview(data) else { return };
    let mut lines = HashSet::new();
    for row in &p.valid {
        assert!(row.number.len() == 11 && row.number.bytes().all(|b| b.is_ascii_digit()), "{row:?}");
        assert!(lines.insert(row.line), "line {} twice", row.line);
    }
}

/// A zip archive of uncompressed entries with their checksums.
fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, body) in files {
        let offset = out.len() as u32;
        let (n, len, crc) = (name.len() as u16, body.len() as u32, checksum(body).to_le_bytes());
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        out.extend_from_slice(&crc);
        out.extend_from_slice(&[len.to_le_bytes(), len.to_le_bytes()].concat());
        out.extend_from_slice(&[n.to_le_bytes(), [0, 0]].concat());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(body);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&crc);
        central.extend_from_slice(&[len.to_le_bytes(), len.to_le_bytes()].concat());
        central.extend_from_slice(&[n.to_le_bytes(), [0, 0], [0, 0], [0, 0], [0, 0]].concat());
        central.extend_from_slice(&[0, 0, 0, 0]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let (at, size, count) = (out.len() as u32, central.len() as u32, files.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&[count.to_le_bytes(), count.to_le_bytes()].concat());
    out.extend_from_slice(&[size.to_le_bytes(), at.to_le_bytes()].concat());
    out.extend_from_slice(&[0, 0]);
    out
}

/// CRC-32 (IEEE, reflected), table-free.
fn checksum(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |crc, &b| {
        (0..8).fold(crc ^ u32::from(b), |c, _| (c >> 1) ^ (0xEDB8_8320 & (c & 1).wrapping_neg()))
    })
}
