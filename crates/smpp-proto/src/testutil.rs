//! Helpers shared by the in-module tests.

use crate::{Frame, FrameDecodeError, HEADER_LEN};

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

/// Encodes `frame`, checks the total length, decodes it back and checks it is unchanged.
pub(crate) fn round_trip(frame: Frame, expected_len: usize) -> Vec<u8> {
    let bytes = frame.encode();
    assert_eq!(bytes.len(), expected_len, "total length of {:?}", frame.pdu.command_id());
    assert_eq!(&bytes[..4], &(expected_len as u32).to_be_bytes(), "command_length field");
    assert_eq!(Frame::decode(&bytes).expect("decodes"), frame);
    bytes
}

/// Every proper prefix of the body (with command_length patched to match, so the header is
/// consistent) must fail to decode, except the empty body when `empty_ok` (responses whose
/// body may be left out); one extra byte at the end must fail too.
pub(crate) fn assert_exact(frame: &[u8], empty_ok: bool) {
    let first = if empty_ok { HEADER_LEN + 1 } else { HEADER_LEN };
    for cut in first..frame.len() {
        let err = Frame::decode(&with_len(&frame[..cut]))
            .expect_err(&format!("body cut to {} bytes must not decode", cut - HEADER_LEN));
        assert!(matches!(err, FrameDecodeError::Body { .. }), "{err:?}");
    }
    let mut long = frame.to_vec();
    long.push(0);
    let err = Frame::decode(&with_len(&long)).expect_err("one trailing byte must not decode");
    assert!(matches!(err, FrameDecodeError::Body { .. }), "{err:?}");
}

/// A copy of `frame` whose command_length says its real length.
pub(crate) fn with_len(frame: &[u8]) -> Vec<u8> {
    let mut out = frame.to_vec();
    out[..4].copy_from_slice(&(frame.len() as u32).to_be_bytes());
    out
}
