//! query_sm_resp (smpp.md §13): message_id, final_date, message_state, error_code.

use super::{check_c_str, put_c_str, EncodeError, MESSAGE_ID, TIME};
use crate::MessageState;
use hongyan_wire::{DecodeError, Reader, Writer};

/// query_sm_resp body. An empty body (sent by some SMSCs on error) decodes as the default.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct QuerySmResp {
    /// message_id (max 65).
    pub message_id: Vec<u8>,
    /// final_date: empty while not final, else 16 characters.
    pub final_date: Vec<u8>,
    /// message_state.
    pub message_state: MessageState,
    /// error_code: network error when the message failed.
    pub error_code: u8,
}

impl QuerySmResp {
    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("message_id", &self.message_id, MESSAGE_ID)?;
        check_c_str("final_date", &self.final_date, TIME)
    }

    /// Reads the body.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        if r.left() == 0 {
            return Ok(Self::default());
        }
        Ok(Self {
            message_id: r.c_str("message_id", MESSAGE_ID)?,
            final_date: r.c_str("final_date", TIME)?,
            message_state: MessageState(r.u8("message_state")?),
            error_code: r.u8("error_code")?,
        })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.message_id, MESSAGE_ID);
        put_c_str(w, &self.final_date, TIME);
        w.u8(self.message_state.0).u8(self.error_code);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex};
    use crate::{Frame, Pdu};

    #[test]
    fn fixture() {
        let bytes = hex("00000026 80000003 00000000 00000008 6d3100 3235313031353039333130303030302b00 02 00");
        let resp = QuerySmResp {
            message_id: b"m1".to_vec(),
            final_date: b"251015093100000+".to_vec(),
            message_state: MessageState::DELIVERED,
            error_code: 0,
        };
        let frame = Frame::new(8, Pdu::QuerySmResp(resp));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_exact(&bytes, true);
    }
}
