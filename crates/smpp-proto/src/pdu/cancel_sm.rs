//! cancel_sm and cancel_sm_resp (smpp.md §13): withdraw messages still pending at the SMSC.
//! cancel_sm_resp is header only: the unit variant [`crate::Pdu::CancelSmResp`].

use super::{check_c_str, put_c_str, Address, EncodeError, ADDR, DEST, MESSAGE_ID, SERVICE_TYPE, SOURCE};
use hongyan_wire::{DecodeError, Reader, Writer};

/// cancel_sm body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct CancelSm {
    /// service_type (max 6): with an empty message_id, cancels all of this type.
    pub service_type: Vec<u8>,
    /// message_id (max 65): the message to cancel, or empty.
    pub message_id: Vec<u8>,
    /// source_addr_ton, source_addr_npi, source_addr (max 21).
    pub source: Address,
    /// dest_addr_ton, dest_addr_npi, destination_addr (max 21).
    pub dest: Address,
}

impl CancelSm {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("service_type", &self.service_type, SERVICE_TYPE)?;
        check_c_str("message_id", &self.message_id, MESSAGE_ID)?;
        self.source.check(SOURCE, ADDR)?;
        self.dest.check(DEST, ADDR)
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            service_type: r.c_str("service_type", SERVICE_TYPE)?,
            message_id: r.c_str("message_id", MESSAGE_ID)?,
            source: Address::decode(r, SOURCE, ADDR)?,
            dest: Address::decode(r, DEST, ADDR)?,
        })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.service_type, SERVICE_TYPE);
        put_c_str(w, &self.message_id, MESSAGE_ID);
        self.source.encode(w, ADDR);
        self.dest.encode(w, ADDR);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex};
    use crate::{CommandStatus, Frame, Npi, Pdu, Ton};

    #[test]
    fn fixture() {
        let bytes = hex(
            "0000002f 00000008 00000000 00000009 00 6d3100 0000 313036393030303000 0101 3836313338303031333830303000",
        );
        let cancel = CancelSm {
            message_id: b"m1".to_vec(),
            source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"),
            dest: Address::international("8613800138000"),
            ..CancelSm::default()
        };
        let frame = Frame::new(9, Pdu::CancelSm(cancel));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, false);
    }

    #[test]
    fn response_is_header_only() {
        let bytes = hex("00000010 80000008 00000011 00000009");
        let frame =
            Frame { command_status: CommandStatus::ESME_RCANCELFAIL, sequence_number: 9, pdu: Pdu::CancelSmResp };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, true);
    }
}
