//! query_sm (smpp.md §13): the state of a message submitted earlier.

use super::{check_c_str, put_c_str, Address, EncodeError, ADDR, MESSAGE_ID, SOURCE};
use hongyan_wire::{DecodeError, Reader, Writer};

/// query_sm body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct QuerySm {
    /// message_id (max 65) from the submit_sm_resp.
    pub message_id: Vec<u8>,
    /// source_addr_ton, source_addr_npi, source_addr (max 21) of the original message.
    pub source: Address,
}

impl QuerySm {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("message_id", &self.message_id, MESSAGE_ID)?;
        self.source.check(SOURCE, ADDR)
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { message_id: r.c_str("message_id", MESSAGE_ID)?, source: Address::decode(r, SOURCE, ADDR)? })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.message_id, MESSAGE_ID);
        self.source.encode(w, ADDR);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex};
    use crate::{Frame, Npi, Pdu, Ton};

    #[test]
    fn fixture() {
        let bytes = hex("0000001e 00000003 00000000 00000008 6d3100 00 00 313036393030303000");
        let query =
            QuerySm { message_id: b"m1".to_vec(), source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000") };
        let frame = Frame::new(8, Pdu::QuerySm(query));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, false);
    }
}
