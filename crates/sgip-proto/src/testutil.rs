//! Helpers shared by the in-module tests.

use crate::{Frame, FrameDecodeError, Pdu, Sequence, HEADER_LEN};
use hongyan_wire::DecodeError;

/// The sequence most fixtures use: SP node 3010099999, time 11-20 20:32:25, counter 1.
pub(crate) const SEQ: Sequence = Sequence { node_id: 3_010_099_999, time: 1_120_203_225, counter: 1 };

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
pub(crate) fn round_trip(pdu: Pdu, expected_len: usize) -> Vec<u8> {
    let frame = Frame { sequence: SEQ, pdu };
    let bytes = frame.encode();
    assert_eq!(bytes.len(), expected_len, "total length");
    assert_eq!(&bytes[..4], &(expected_len as u32).to_be_bytes(), "Message Length field");
    assert_eq!(Frame::decode(&bytes).expect("decodes"), frame);
    bytes
}

/// Every proper prefix of the body (with Message Length patched to match, so the header is
/// consistent) must fail to decode, and so must one extra byte at the end.
pub(crate) fn assert_exact(frame: &[u8]) {
    for cut in HEADER_LEN..frame.len() {
        let err = Frame::decode(&with_len(&frame[..cut]))
            .expect_err(&format!("body cut to {} bytes must not decode", cut - HEADER_LEN));
        assert!(matches!(err, FrameDecodeError::Body { .. }), "{err:?}");
    }
    let mut long = frame.to_vec();
    long.push(0);
    match Frame::decode(&with_len(&long)) {
        Err(FrameDecodeError::Body { source: DecodeError::TrailingData(1), .. }) => {}
        other => panic!("trailing byte: {other:?}"),
    }
}

/// A copy of `frame` whose Message Length says its real length.
pub(crate) fn with_len(frame: &[u8]) -> Vec<u8> {
    let mut out = frame.to_vec();
    out[..4].copy_from_slice(&(frame.len() as u32).to_be_bytes());
    out
}
