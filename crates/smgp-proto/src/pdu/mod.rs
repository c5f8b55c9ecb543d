//! PDU bodies, one module per command, in the order of smgp.md.
//!
//! Each type decodes from and encodes to the body that follows the 12-byte header; whole
//! frames are [`crate::Frame`]'s job. Fixed-size octet strings are held without their padding
//! (cut at the first NUL, trailing spaces trimmed) and padded with NUL again on encode;
//! binary fields (authenticators, MsgID, Reserve) are held as fixed arrays, byte for byte.

use crate::RequestId;
use hongyan_wire::{DecodeError, Reader, Writer};

mod active_test;
mod deliver;
mod deliver_resp;
mod exit;
mod login;
mod login_resp;
mod query;
mod report;
mod submit;
mod submit_resp;

pub use active_test::{ActiveTest, ActiveTestResp};
pub use deliver::Deliver;
pub use deliver_resp::DeliverResp;
pub use exit::{Exit, ExitResp};
pub use login::Login;
pub use login_resp::LoginResp;
pub use query::{Query, QueryResp};
pub use report::StatusReport;
pub use submit::Submit;
pub use submit_resp::SubmitResp;

/// Why a PDU cannot be encoded faithfully: a field is longer than its wire size, so encoding
/// would cut it and the peer would receive something else.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A field (or a count carried in one byte) is over its wire maximum.
    #[error("field `{field}` is {len} long, at most {max} fits")]
    TooLong {
        /// Name of the field, as in the spec.
        field: &'static str,
        /// Length (or count) given.
        len: usize,
        /// Most the wire can carry.
        max: usize,
    },
}

/// One command body: how it reads and writes itself.
pub(crate) trait Body: Sized {
    /// The RequestID a frame carrying this body has.
    const REQUEST_ID: RequestId;

    /// Reads the body's fields; the caller checks nothing is left over.
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError>;

    /// Writes the body's fields.
    fn encode(&self, w: &mut Writer);
}

/// Decodes `body` as `B`, insisting it is consumed to its exact length.
pub(crate) fn decode_exact<B: Body>(body: &[u8]) -> Result<B, DecodeError> {
    let mut r = Reader::new(body);
    let out = B::decode(&mut r)?;
    r.finish()?;
    Ok(out)
}

/// Size of every terminal id field (SrcTermID, ChargeTermID, DestTermID).
pub(crate) const TERM_ID_LEN: usize = 21;

/// Size of Reserve in Submit, Deliver and Query_Resp.
pub(crate) const RESERVE_LEN: usize = 8;

/// Takes at most `max` items, so the count written always matches the items written.
pub(crate) fn capped<T>(items: &[T], max: u8) -> (&[T], u8) {
    let n = items.len().min(max.into());
    // n ≤ max ≤ 255, so the cast cannot truncate.
    (&items[..n], n as u8)
}

/// Reads MsgLength and the MsgContent it announces.
pub(crate) fn read_content(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let len = r.u8("MsgLength")?;
    Ok(r.bytes("MsgContent", len.into())?.to_vec())
}

/// Writes MsgLength and MsgContent (at most 255 bytes, see `validate`).
pub(crate) fn write_content(w: &mut Writer, content: &[u8]) {
    let (content, len) = capped(content, u8::MAX);
    w.u8(len).bytes(content);
}

/// Checks that a field fits its wire size.
pub(crate) fn check_len(field: &'static str, value: &[u8], max: usize) -> Result<(), EncodeError> {
    check_count(field, value.len(), max)
}

/// Checks that a length or count fits its maximum.
pub(crate) fn check_count(field: &'static str, len: usize, max: usize) -> Result<(), EncodeError> {
    if len > max {
        return Err(EncodeError::TooLong { field, len, max });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_counts_match() {
        let many = vec![0u8; 300];
        assert_eq!(capped(&many, u8::MAX).1, 255);
        let (items, n) = capped(&many, 100);
        assert_eq!((items.len(), n), (100, 100));
        assert!(check_count("MsgLength", 256, 255).is_err());
        assert!(check_len("FeeCode", b"000000", 6).is_ok());
    }

    #[test]
    fn content_is_length_prefixed() {
        let mut w = Writer::default();
        write_content(&mut w, b"hi");
        let bytes = w.into_vec();
        assert_eq!(bytes, [2, b'h', b'i']);
        assert_eq!(read_content(&mut Reader::new(&bytes)).unwrap(), b"hi");
        assert!(read_content(&mut Reader::new(&[3, 1])).is_err());
    }
}
