//! PDU bodies, one module per command, in the order of cmpp.md.
//!
//! Each type decodes from and encodes to the body that follows the 12-byte header; whole
//! frames are [`crate::Frame`]'s job. Fixed-size octet strings are held without their padding
//! (cut at the first NUL, trailing spaces trimmed) and padded with NUL again on encode.
//! Fields that exist only in 3.0 decode as 0 from a 2.0 body and are not written to one.

use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

mod active_test;
mod cancel;
mod connect;
mod connect_resp;
mod deliver;
mod deliver_resp;
mod query;
mod submit;
mod submit_resp;
mod terminate;

pub use active_test::{ActiveTest, ActiveTestResp};
pub use cancel::{Cancel, CancelResp};
pub use connect::Connect;
pub use connect_resp::ConnectResp;
pub use deliver::{Deliver, StatusReport};
pub use deliver_resp::DeliverResp;
pub use query::{Query, QueryResp};
pub use submit::Submit;
pub use submit_resp::SubmitResp;
pub use terminate::{Terminate, TerminateResp};

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

/// One command body: how it reads and writes itself in a given protocol version.
pub(crate) trait Body: Sized {
    /// The Command_Id a frame carrying this body has.
    const COMMAND: CommandId;

    /// Reads the body's fields; the caller checks nothing is left over.
    fn decode(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError>;

    /// Writes the body's fields.
    fn encode(&self, w: &mut Writer, version: Version);
}

/// Decodes `body` as `B`, insisting it is consumed to its exact length.
pub(crate) fn decode_exact<B: Body>(body: &[u8], version: Version) -> Result<B, DecodeError> {
    let mut r = Reader::new(body);
    let out = B::decode(&mut r, version)?;
    r.finish()?;
    Ok(out)
}

/// Size of Fee_terminal_Id, Dest_terminal_Id, Src_terminal_Id and the report's
/// Dest_terminal_Id: 21 bytes in 2.0, 32 in 3.0.
pub(crate) fn terminal_id_len(version: Version) -> usize {
    if version.is_v3() {
        32
    } else {
        21
    }
}

/// Size of the trailing field of SUBMIT and DELIVER: 2.0 Reserve 8, 3.0 LinkID 20.
pub(crate) fn link_id_len(version: Version) -> usize {
    if version.is_v3() {
        20
    } else {
        8
    }
}

/// A status/result field that is 1 byte in 2.0 and 4 bytes in 3.0.
pub(crate) fn read_status(r: &mut Reader<'_>, field: &'static str, version: Version) -> Result<u32, DecodeError> {
    if version.is_v3() {
        r.u32(field)
    } else {
        r.u8(field).map(u32::from)
    }
}

/// Writes a status/result field that is 1 byte in 2.0 and 4 bytes in 3.0.
pub(crate) fn write_status(w: &mut Writer, value: u32, version: Version) {
    if version.is_v3() {
        w.u32(value);
    } else {
        w.u8(clamp_u8(value));
    }
}

/// Narrows a status to the 1-byte 2.0 field. Values over 255 become 255 rather than being
/// truncated, because truncation could turn an error (e.g. 256) into 0 = success.
pub(crate) fn clamp_u8(value: u32) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

/// Takes at most 255 items, the most a 1-byte count can describe, so the count written
/// always matches the items written.
pub(crate) fn capped<T>(items: &[T]) -> (&[T], u8) {
    let n = items.len().min(255);
    (&items[..n], n as u8)
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
    fn statuses_switch_width_and_clamp() {
        let mut w = Writer::default();
        write_status(&mut w, 8, Version::V30);
        write_status(&mut w, 8, Version::V20);
        write_status(&mut w, 256, Version::V20);
        assert_eq!(w.into_vec(), [0, 0, 0, 8, 8, 255]);
    }

    #[test]
    fn capped_counts_match() {
        let many = vec![0u8; 300];
        let (items, n) = capped(&many);
        assert_eq!((items.len(), n), (255, 255));
        assert!(check_count("Msg_Length", 256, 255).is_err());
        assert!(check_len("Msg_src", b"901234", 6).is_ok());
    }
}
