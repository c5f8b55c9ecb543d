//! Helpers shared by the in-module tests.

use crate::{Frame, FrameDecodeError, Pdu, Version};
use hongyan_wire::DecodeError;

/// Parses a hex fixture: `#` starts a comment, whitespace is ignored.
pub(crate) fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(|line| line.bytes().filter(|b| !b.is_ascii_whitespace()))
        .collect();
    let pairs = digits.chunks_exact(2);
    assert!(pairs.remainder().is_empty(), "odd number of hex digits");
    pairs.map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap()).collect()
}

/// Encodes `pdu`, checks the total length, decodes it back and checks it is unchanged.
pub(crate) fn round_trip(pdu: Pdu, version: Version, expected_len: usize) -> Vec<u8> {
    let frame = Frame { sequence_id: 0x0102_0304, pdu };
    let bytes = frame.encode(version);
    assert_eq!(bytes.len(), expected_len, "total length for {version}");
    assert_eq!(&bytes[..4], &(expected_len as u32).to_be_bytes(), "Total_Length field");
    assert_eq!(Frame::decode(&bytes, version).expect("decodes"), frame);
    bytes
}

/// Every proper prefix of the body (with Total_Length patched to match, so the header is
/// consistent) must fail to decode, and so must one extra byte at the end.
pub(crate) fn assert_exact(frame: &[u8], version: Version) {
    for cut in crate::HEADER_LEN..frame.len() {
        let err = Frame::decode(&with_len(&frame[..cut]), version)
            .expect_err(&format!("body cut to {} bytes must not decode", cut - 12));
        assert!(matches!(err, FrameDecodeError::Body { .. }), "{err:?}");
    }
    let mut long = frame.to_vec();
    long.push(0);
    match Frame::decode(&with_len(&long), version) {
        Err(FrameDecodeError::Body { source: DecodeError::TrailingData(1), .. }) => {}
        other => panic!("trailing byte: {other:?}"),
    }
}

/// A copy of `frame` whose Total_Length says its real length.
pub(crate) fn with_len(frame: &[u8]) -> Vec<u8> {
    let mut out = frame.to_vec();
    out[..4].copy_from_slice(&(frame.len() as u32).to_be_bytes());
    out
}
