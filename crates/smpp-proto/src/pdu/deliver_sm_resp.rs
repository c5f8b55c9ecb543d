//! deliver_sm_resp (smpp.md §5): the ESME's acknowledgement of a deliver_sm.

use super::{check_c_str, put_c_str, EncodeError, MESSAGE_ID};
use hongyan_wire::{DecodeError, Reader, Writer};

/// deliver_sm_resp body: message_id, which the spec says is always empty (a single NUL).
/// It is kept as bytes anyway because some ESMEs put something there. An empty body (some
/// ESMEs send one) decodes as an empty message_id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct DeliverSmResp {
    /// message_id: empty by the spec.
    pub message_id: Vec<u8>,
}

impl DeliverSmResp {
    /// Checks message_id fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("message_id", &self.message_id, MESSAGE_ID)
    }

    /// Reads the body.
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
    use crate::testutil::{assert_exact, hex};
    use crate::{CommandStatus, Frame, Pdu};

    #[test]
    fn fixture_is_a_single_nul() {
        let bytes = hex("00000011 80000005 00000000 00000010 00");
        let frame = Frame::new(0x10, Pdu::DeliverSmResp(DeliverSmResp::default()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, true);
    }

    #[test]
    fn error_status_keeps_the_body_and_empty_body_is_tolerated() {
        let frame = Frame {
            command_status: CommandStatus::ESME_RX_T_APPN,
            sequence_number: 4,
            pdu: Pdu::DeliverSmResp(DeliverSmResp::default()),
        };
        assert_eq!(frame.encode(), hex("00000011 80000005 00000064 00000004 00"));
        let bare = hex("00000010 80000005 00000064 00000004");
        assert_eq!(Frame::decode(&bare).unwrap(), frame);
    }
}
