//! submit_sm_resp (smpp.md §5): the SMSC's message_id for an accepted submit_sm.

use super::{check_c_str, put_c_str, EncodeError, MESSAGE_ID};
use hongyan_wire::{DecodeError, Reader, Writer};

/// submit_sm_resp body. When command_status ≠ 0 and message_id is empty the body is left
/// out, as the spec says; an empty body decodes to an empty message_id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SubmitSmResp {
    /// message_id (max 65): the SMSC's id, the key its receipts will carry.
    pub message_id: Vec<u8>,
}

impl SubmitSmResp {
    /// A response carrying `message_id`.
    pub fn new(message_id: impl Into<Vec<u8>>) -> Self {
        Self { message_id: message_id.into() }
    }

    /// Checks message_id fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("message_id", &self.message_id, MESSAGE_ID)
    }

    /// Reads the body; an empty one is an empty message_id.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.left() == 0 {
            return Ok(Self::default());
        }
        Ok(Self { message_id: r.c_str("message_id", MESSAGE_ID)? })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.message_id, MESSAGE_ID);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{CommandStatus, Frame, Pdu};

    #[test]
    fn fixture() {
        let bytes = hex("0000001b 80000004 00000000 00000001 30313233343536373839 00");
        let frame = Frame::new(1, Pdu::SubmitSmResp(SubmitSmResp::new("0123456789")));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, true);
    }

    #[test]
    fn throttled_has_no_body() {
        let bytes = hex("00000010 80000004 00000058 00000002");
        let frame = Frame {
            command_status: CommandStatus::ESME_RTHROTTLED,
            sequence_number: 2,
            pdu: Pdu::SubmitSmResp(SubmitSmResp::default()),
        };
        assert_eq!(frame.encode(), bytes);
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
    }

    #[test]
    fn longest_message_id() {
        let resp = SubmitSmResp::new(vec![b'f'; 64]);
        assert_eq!(resp.validate(), Ok(()));
        round_trip(Frame::new(3, Pdu::SubmitSmResp(resp)), 16 + 65);
        assert!(SubmitSmResp::new(vec![b'f'; 65]).validate().is_err());
        let over = hex(&format!("00000052 80000004 00000000 00000003 {} 00", "66".repeat(65)));
        assert!(Frame::decode(&over).is_err(), "65 characters + NUL is over the 65 maximum");
    }
}
