//! replace_sm and replace_sm_resp (smpp.md §13): replace a message still pending at the
//! SMSC. replace_sm_resp is header only: the unit variant [`crate::Pdu::ReplaceSmResp`].

use super::{
    check_c_str, check_count, put_c_str, put_short_message, read_short_message, Address, EncodeError, ADDR, MESSAGE_ID,
    SHORT_MESSAGE, SOURCE, TIME,
};
use crate::RegisteredDelivery;
use hongyan_wire::{DecodeError, Reader, Writer};

/// replace_sm body (no TLVs in 3.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ReplaceSm {
    /// message_id (max 65) of the message to replace.
    pub message_id: Vec<u8>,
    /// source_addr_ton, source_addr_npi, source_addr (max 21) of the original.
    pub source: Address,
    /// schedule_delivery_time: new schedule, or empty to keep.
    pub schedule_delivery_time: Vec<u8>,
    /// validity_period: new validity, or empty to keep.
    pub validity_period: Vec<u8>,
    /// registered_delivery.
    pub registered_delivery: RegisteredDelivery,
    /// sm_default_msg_id.
    pub sm_default_msg_id: u8,
    /// short_message (0–254 bytes): the new text.
    pub short_message: Vec<u8>,
}

impl ReplaceSm {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("message_id", &self.message_id, MESSAGE_ID)?;
        self.source.check(SOURCE, ADDR)?;
        check_c_str("schedule_delivery_time", &self.schedule_delivery_time, TIME)?;
        check_c_str("validity_period", &self.validity_period, TIME)?;
        check_count("short_message", self.short_message.len(), SHORT_MESSAGE)
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            message_id: r.c_str("message_id", MESSAGE_ID)?,
            source: Address::decode(r, SOURCE, ADDR)?,
            schedule_delivery_time: r.c_str("schedule_delivery_time", TIME)?,
            validity_period: r.c_str("validity_period", TIME)?,
            registered_delivery: RegisteredDelivery(r.u8("registered_delivery")?),
            sm_default_msg_id: r.u8("sm_default_msg_id")?,
            short_message: read_short_message(r)?,
        })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.message_id, MESSAGE_ID);
        self.source.encode(w, ADDR);
        put_c_str(w, &self.schedule_delivery_time, TIME);
        put_c_str(w, &self.validity_period, TIME);
        w.u8(self.registered_delivery.0).u8(self.sm_default_msg_id);
        put_short_message(w, &self.short_message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex};
    use crate::{Frame, Npi, Pdu, Ton};

    #[test]
    fn fixture() {
        let bytes = hex("00000036 00000007 00000000 0000000a 6d3100 0000 313036393030303000 00
             3030303030323030303030303030305200 01 00 03 6e6577");
        let replace = ReplaceSm {
            message_id: b"m1".to_vec(),
            source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"),
            validity_period: b"000002000000000R".to_vec(),
            registered_delivery: RegisteredDelivery::RECEIPT,
            short_message: b"new".to_vec(),
            ..ReplaceSm::default()
        };
        let frame = Frame::new(10, Pdu::ReplaceSm(replace));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, false);
        let resp = hex("00000010 80000007 00000000 0000000a");
        assert_eq!(Frame::decode(&resp).unwrap(), Frame::new(10, Pdu::ReplaceSmResp));
    }
}
