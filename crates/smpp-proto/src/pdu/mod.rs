//! PDU bodies, one module per command (smpp.md §4, §5, §13).
//!
//! Each type decodes from and encodes to the body that follows the 16-byte header; whole
//! frames are [`crate::Frame`]'s job. C-Octet Strings are held without their NUL; their
//! "max N" sizes include the NUL, so a field of max 21 holds at most 20 bytes. `validate()`
//! on each type says whether it encodes faithfully; encoding never fails and instead cuts a
//! field that does not fit, so the frame stays well formed.
//!
//! PDUs whose body is only the header (unbind, enquire_link, generic_nack, cancel_sm_resp,
//! replace_sm_resp and their kin) are unit variants of [`crate::Pdu`] and have no type here.

use crate::{Npi, Ton};
use hongyan_wire::{DecodeError, Reader, Writer};

mod alert_notification;
mod bind;
mod bind_resp;
mod cancel_sm;
mod data_sm;
mod data_sm_resp;
mod deliver_sm;
mod deliver_sm_resp;
mod enquire_link;
mod generic_nack;
mod query_sm;
mod query_sm_resp;
mod replace_sm;
mod submit_multi;
mod submit_multi_resp;
mod submit_sm;
mod submit_sm_resp;
mod unbind;

pub use alert_notification::AlertNotification;
pub use bind::{Bind, BindMode, Outbind};
pub use bind_resp::BindResp;
pub use cancel_sm::CancelSm;
pub use data_sm::DataSm;
pub use data_sm_resp::DataSmResp;
pub use deliver_sm::DeliverSm;
pub use deliver_sm_resp::DeliverSmResp;
pub use query_sm::QuerySm;
pub use query_sm_resp::QuerySmResp;
pub use replace_sm::ReplaceSm;
pub use submit_multi::{MultiDest, SubmitMulti};
pub use submit_multi_resp::{SubmitMultiResp, UnsuccessSme};
pub use submit_sm::SubmitSm;
pub use submit_sm_resp::SubmitSmResp;

/// service_type: max 6 including the NUL.
pub(crate) const SERVICE_TYPE: usize = 6;
/// source_addr / destination_addr of submit_sm, deliver_sm and kin: max 21.
pub(crate) const ADDR: usize = 21;
/// Addresses of data_sm and alert_notification: max 65.
pub(crate) const ADDR_LONG: usize = 65;
/// message_id: max 65.
pub(crate) const MESSAGE_ID: usize = 65;
/// schedule_delivery_time, validity_period, final_date: 1 or 17.
pub(crate) const TIME: usize = 17;
/// short_message: at most 254 bytes (sm_length 0–254).
pub(crate) const SHORT_MESSAGE: usize = 254;

/// Why a PDU cannot be encoded faithfully: encoding would cut a field or the peer would read
/// it differently.
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
        /// Most the wire can carry (for C-strings: without the NUL).
        max: usize,
    },
    /// A field holds something the wire cannot carry or the spec forbids.
    #[error("field `{field}`: {reason}")]
    Invalid {
        /// Name of the field, as in the spec.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Decodes `body` with `decode`, insisting it is consumed to its exact length.
pub(crate) fn decode_exact<T>(
    body: &[u8],
    decode: impl FnOnce(&mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let mut r = Reader::new(body);
    let out = decode(&mut r)?;
    r.finish()?;
    Ok(out)
}

/// Checks that a length or count fits its maximum.
pub(crate) fn check_count(field: &'static str, len: usize, max: usize) -> Result<(), EncodeError> {
    if len > max {
        return Err(EncodeError::TooLong { field, len, max });
    }
    Ok(())
}

/// Checks a C-Octet String of "max `max`" (NUL included): no NUL inside, at most `max - 1`.
pub(crate) fn check_c_str(field: &'static str, value: &[u8], max: usize) -> Result<(), EncodeError> {
    if value.contains(&0) {
        return Err(EncodeError::Invalid { field, reason: "contains a NUL byte" });
    }
    check_count(field, value.len(), max - 1)
}

/// Writes a C-Octet String of "max `max`", cut at an inner NUL and at `max - 1` bytes so the
/// frame always decodes to what the peer will see.
pub(crate) fn put_c_str(w: &mut Writer, value: &[u8], max: usize) {
    let end = value.iter().position(|&b| b == 0).unwrap_or(value.len()).min(max - 1);
    w.c_str(&value[..end]);
}

/// Reads sm_length and short_message.
pub(crate) fn read_short_message(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    let len = r.u8("sm_length")?;
    if usize::from(len) > SHORT_MESSAGE {
        return Err(DecodeError::Invalid { field: "sm_length", reason: "over 254" });
    }
    Ok(r.bytes("short_message", len.into())?.to_vec())
}

/// Writes sm_length and short_message, cut to 254 bytes so the two always agree.
pub(crate) fn put_short_message(w: &mut Writer, short_message: &[u8]) {
    let len = short_message.len().min(SHORT_MESSAGE);
    w.u8(len as u8).bytes(&short_message[..len]);
}

/// Checks short_message fits, and that it is not used together with message_payload.
pub(crate) fn check_short_message(short_message: &[u8], tlvs: &crate::Tlvs) -> Result<(), EncodeError> {
    check_count("short_message", short_message.len(), SHORT_MESSAGE)?;
    if !short_message.is_empty() && tlvs.message_payload().is_some() {
        return Err(EncodeError::Invalid { field: "short_message", reason: "set together with message_payload" });
    }
    tlvs.check()
}

/// The names of an address's three fields, for errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AddrFields {
    ton: &'static str,
    npi: &'static str,
    addr: &'static str,
}

/// source_addr_ton, source_addr_npi, source_addr.
pub(crate) const SOURCE: AddrFields =
    AddrFields { ton: "source_addr_ton", npi: "source_addr_npi", addr: "source_addr" };
/// dest_addr_ton, dest_addr_npi, destination_addr.
pub(crate) const DEST: AddrFields = AddrFields { ton: "dest_addr_ton", npi: "dest_addr_npi", addr: "destination_addr" };

/// A TON, an NPI and an address string: the triple every addressed PDU carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Address {
    /// Type of number.
    pub ton: Ton,
    /// Numbering plan.
    pub npi: Npi,
    /// The address digits (or alphanumeric sender), without the NUL.
    pub addr: Vec<u8>,
}

impl Address {
    /// An address from its parts.
    pub fn new(ton: Ton, npi: Npi, addr: impl Into<Vec<u8>>) -> Self {
        Self { ton, npi, addr: addr.into() }
    }

    /// An international E.164 number (TON 1, NPI 1), digits without `+`.
    pub fn international(digits: impl Into<Vec<u8>>) -> Self {
        Self::new(Ton::INTERNATIONAL, Npi::ISDN, digits)
    }

    /// Reads TON, NPI and the address C-string of "max `max`".
    pub(crate) fn decode(r: &mut Reader<'_>, names: AddrFields, max: usize) -> Result<Self, DecodeError> {
        Ok(Self { ton: Ton(r.u8(names.ton)?), npi: Npi(r.u8(names.npi)?), addr: r.c_str(names.addr, max)? })
    }

    /// Writes TON, NPI and the address.
    pub(crate) fn encode(&self, w: &mut Writer, max: usize) {
        w.u8(self.ton.0).u8(self.npi.0);
        put_c_str(w, &self.addr, max);
    }

    /// Checks the address fits "max `max`".
    pub(crate) fn check(&self, names: AddrFields, max: usize) -> Result<(), EncodeError> {
        check_c_str(names.addr, &self.addr, max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_strings_are_checked_and_cut() {
        assert!(check_c_str("system_id", b"123456789012345", 16).is_ok());
        assert!(matches!(check_c_str("system_id", &[b'x'; 16], 16), Err(EncodeError::TooLong { max: 15, .. })));
        assert!(matches!(check_c_str("password", b"a\0b", 9), Err(EncodeError::Invalid { .. })));
        let mut w = Writer::default();
        put_c_str(&mut w, b"a\0b", 9);
        put_c_str(&mut w, b"abcdefghijk", 4);
        assert_eq!(w.into_vec(), b"a\0abc\0");
    }

    #[test]
    fn short_message_limits() {
        let mut w = Writer::default();
        put_short_message(&mut w, &[7; 300]);
        let bytes = w.into_vec();
        assert_eq!((bytes[0], bytes.len()), (254, 255));
        let mut r = Reader::new(&[255, 0]);
        assert!(matches!(read_short_message(&mut r), Err(DecodeError::Invalid { field: "sm_length", .. })));
        let tlvs = crate::Tlvs(vec![crate::Tlv::new(crate::TlvTag::MESSAGE_PAYLOAD, b"x".to_vec())]);
        assert!(check_short_message(b"", &tlvs).is_ok());
        assert!(check_short_message(b"y", &tlvs).is_err());
    }
}
