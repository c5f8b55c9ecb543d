//! data_sm_resp (smpp.md §13): message_id and TLVs (delivery_failure_reason,
//! additional_status_info_text, …).

use super::{check_c_str, put_c_str, EncodeError, MESSAGE_ID};
use crate::Tlvs;
use hongyan_wire::{DecodeError, Reader, Writer};

/// data_sm_resp body. An empty body (sent by some peers on error) decodes as the empty
/// response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DataSmResp {
    /// message_id (max 65).
    pub message_id: Vec<u8>,
    /// TLVs.
    pub tlvs: Tlvs,
}

impl DataSmResp {
    /// A response carrying `message_id` and no TLVs.
    pub fn new(message_id: impl Into<Vec<u8>>) -> Self {
        Self { message_id: message_id.into(), tlvs: Tlvs::new() }
    }

    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("message_id", &self.message_id, MESSAGE_ID)?;
        self.tlvs.check()
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.left() == 0 {
            return Ok(Self::default());
        }
        Ok(Self { message_id: r.c_str("message_id", MESSAGE_ID)?, tlvs: Tlvs::decode(r)? })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.message_id, MESSAGE_ID);
        self.tlvs.encode(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex};
    use crate::{CommandStatus, Frame, Pdu, TlvTag};

    #[test]
    fn fixture_with_failure_reason() {
        let bytes = hex("00000018 80000103 000000fe 00000005 6d3100 0425 0001 01");
        let mut resp = DataSmResp::new("m1");
        resp.tlvs.set(TlvTag::DELIVERY_FAILURE_REASON, [1]);
        let frame = Frame {
            command_status: CommandStatus::ESME_RDELIVERYFAILURE,
            sequence_number: 5,
            pdu: Pdu::DataSmResp(resp),
        };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&Frame::new(5, Pdu::DataSmResp(DataSmResp::new("m1"))).encode(), true);
    }
}
