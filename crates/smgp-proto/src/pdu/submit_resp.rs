//! Submit_Resp (smgp.md §6): the SMGW's MsgID for the message and its Status.

use super::Body;
use crate::{MsgId, RequestId, Status};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Submit_Resp body. PacketLength 26.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubmitResp {
    /// MsgID the SMGW assigned: the key that matches the status report later. For a group
    /// send it stands for MsgID … MsgID+(n−1), see [`MsgId::nth`].
    pub msg_id: MsgId,
    /// Status: 0 accepted, anything else refused (smgp.md §10).
    pub status: Status,
}

impl Body for SubmitResp {
    const REQUEST_ID: RequestId = RequestId::SUBMIT_RESP;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { msg_id: MsgId(r.array("MsgID")?), status: Status(r.u32("Status")?) })
    }

    fn encode(&self, w: &mut Writer) {
        w.bytes(&self.msg_id.0).u32(self.status.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixture_with_the_spec_msg_id() {
        let bytes = hex("0000001a 80000002 00000002 01006101161700012345 00000000");
        let msg_id: MsgId = "01006101161700012345".parse().unwrap();
        let frame = Frame { sequence_id: 2, pdu: Pdu::SubmitResp(SubmitResp { msg_id, status: Status::OK }) };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = SubmitResp { msg_id: MsgId([0xff; 10]), status: Status(103) };
        assert_exact(&round_trip(Pdu::SubmitResp(resp), 26));
    }
}
