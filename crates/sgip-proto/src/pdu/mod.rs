//! PDU bodies, one module per command, in the order of sgip.md.
//!
//! Each type decodes from and encodes to the body that follows the 20-byte header; whole
//! frames are [`crate::Frame`]'s job. Text fields are held without their padding (cut at the
//! first NUL, trailing spaces trimmed) and padded with NUL again on encode. Reserve fields are
//! kept as the raw 8 bytes, because some SMGs put a LinkID there.

use hongyan_wire::{DecodeError, Reader, Writer};

mod bind;
mod deliver;
mod report;
mod resp;
mod submit;
mod trace;
mod unbind;
mod user_rpt;

pub use bind::Bind;
pub use deliver::Deliver;
pub use report::Report;
pub use resp::Resp;
pub use submit::Submit;
pub use trace::{Trace, TraceNode, TraceResp};
pub use unbind::{Unbind, UnbindResp};
pub use user_rpt::UserRpt;

/// Size of every phone number and SP number field (UserNumber, SPNumber, ChargeNumber).
pub(crate) const NUMBER_LEN: usize = 21;
/// Size of every Reserve field.
pub(crate) const RESERVE_LEN: usize = 8;

/// Why a PDU cannot be encoded faithfully: encoding would cut a field or write a count the
/// spec forbids, and the peer would receive something else than what was meant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A text field is longer than its wire size.
    #[error("field `{field}` is {len} bytes long, at most {max} fit")]
    TooLong {
        /// Name of the field, as in the spec.
        field: &'static str,
        /// Length given.
        len: usize,
        /// Most the wire carries.
        max: usize,
    },
    /// A count is outside what the spec allows (UserCount is 1–100).
    #[error("`{field}` is {count}, allowed {min} to {max}")]
    Count {
        /// Name of the count, as in the spec.
        field: &'static str,
        /// Count given.
        count: usize,
        /// Least allowed.
        min: usize,
        /// Most allowed.
        max: usize,
    },
}

/// One command body: how it reads and writes itself.
pub(crate) trait Body: Sized {
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

/// Checks that a text field fits its wire size.
pub(crate) fn check_len(field: &'static str, value: &[u8], max: usize) -> Result<(), EncodeError> {
    if value.len() > max {
        return Err(EncodeError::TooLong { field, len: value.len(), max });
    }
    Ok(())
}

/// Reads MessageLength (4 bytes) and that many content bytes. A length larger than the frame
/// fails as `Truncated` before anything is allocated for it.
pub(crate) fn read_content(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let len = r.u32("MessageLength")?;
    let len = usize::try_from(len).map_err(|_| DecodeError::Invalid {
        field: "MessageLength",
        reason: "does not fit in memory on this platform",
    })?;
    Ok(r.bytes("MessageContent", len)?.to_vec())
}

/// Writes MessageLength and the content. Content over `u32::MAX` bytes (which no frame can
/// carry) is cut so the length written always matches the bytes written.
pub(crate) fn write_content(w: &mut Writer, content: &[u8]) {
    let len = u32::try_from(content.len()).unwrap_or(u32::MAX);
    w.u32(len).bytes(&content[..len as usize]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_length_prefixed_and_bounded() {
        let mut w = Writer::default();
        write_content(&mut w, b"abc");
        let bytes = w.into_vec();
        assert_eq!(bytes, [0, 0, 0, 3, b'a', b'b', b'c']);
        assert_eq!(read_content(&mut Reader::new(&bytes)).unwrap(), b"abc");
        let lying = [0xff, 0xff, 0xff, 0xff, b'a'];
        assert!(matches!(read_content(&mut Reader::new(&lying)), Err(DecodeError::Truncated { .. })));
        assert!(check_len("SPNumber", &[b'1'; 22], NUMBER_LEN).is_err());
    }
}
