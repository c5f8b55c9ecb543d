//! bind_transmitter_resp, bind_receiver_resp, bind_transceiver_resp (smpp.md §4).

use super::bind::SYSTEM_ID;
use super::{check_c_str, put_c_str, BindMode, EncodeError};
use crate::Tlvs;
use hongyan_wire::{DecodeError, Reader, Writer};

/// A bind response body. When command_status ≠ 0 and the response is empty (no system_id,
/// no TLVs) the body is left out on the wire, as the spec says; an empty body decodes to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BindResp {
    /// Which bind this answers (carried by the command_id).
    pub mode: BindMode,
    /// system_id (max 16): the SMSC's identity.
    pub system_id: Vec<u8>,
    /// TLVs: sc_interface_version (0x0210) when the ESME bound as 3.4.
    pub tlvs: Tlvs,
}

impl BindResp {
    /// A response with `system_id` and no TLVs.
    pub fn new(mode: BindMode, system_id: impl Into<Vec<u8>>) -> Self {
        Self { mode, system_id: system_id.into(), tlvs: Tlvs::new() }
    }

    /// True when there is nothing to put in the body.
    pub(crate) fn is_empty(&self) -> bool {
        self.system_id.is_empty() && self.tlvs.is_empty()
    }

    /// Checks every field fits.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_c_str("system_id", &self.system_id, SYSTEM_ID)?;
        self.tlvs.check()
    }

    /// Reads the body; an empty one is the empty response.
    pub(crate) fn decode(r: &mut Reader<'_>, mode: BindMode) -> Result<Self, DecodeError> {
        if r.left() == 0 {
            return Ok(Self::new(mode, Vec::new()));
        }
        Ok(Self { mode, system_id: r.c_str("system_id", SYSTEM_ID)?, tlvs: Tlvs::decode(r)? })
    }

    /// Writes the body.
    pub(crate) fn encode(&self, w: &mut Writer) {
        put_c_str(w, &self.system_id, SYSTEM_ID);
        self.tlvs.encode(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{CommandStatus, Frame, Pdu, TlvTag};

    #[test]
    fn fixture_with_sc_interface_version() {
        let bytes = hex("0000001a 80000009 00000000 00000001 736d736300 0210 0001 34");
        let mut resp = BindResp::new(BindMode::Transceiver, "smsc");
        resp.tlvs.set(TlvTag::SC_INTERFACE_VERSION, [0x34]);
        let frame = Frame::new(1, Pdu::BindResp(resp.clone()));
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert_eq!(resp.tlvs.sc_interface_version(), Some(0x34));
    }

    #[test]
    fn refusal_has_no_body() {
        let bytes = hex("00000010 80000002 0000000e 00000001");
        let frame = Frame {
            command_status: CommandStatus::ESME_RINVPASWD,
            sequence_number: 1,
            pdu: Pdu::BindResp(BindResp::new(BindMode::Transmitter, "")),
        };
        assert_eq!(frame.encode(), bytes);
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        // A refusal that does carry a system_id keeps it.
        let with_id = Frame { pdu: Pdu::BindResp(BindResp::new(BindMode::Transmitter, "smsc")), ..frame };
        round_trip(with_id, 16 + 5);
    }

    #[test]
    fn exact_and_limits() {
        let bytes = Frame::new(2, Pdu::BindResp(BindResp::new(BindMode::Receiver, "smsc"))).encode();
        assert_eq!(bytes.len(), 21);
        assert_exact(&bytes, true);
        assert!(BindResp::new(BindMode::Receiver, vec![b'x'; 16]).validate().is_err());
    }
}
