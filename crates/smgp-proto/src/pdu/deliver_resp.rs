//! Deliver_Resp (smgp.md §8): the SP acknowledges a Deliver by its MsgID.

use super::Body;
use crate::{MsgId, RequestId, Status};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Deliver_Resp body. PacketLength 26.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeliverResp {
    /// MsgID of the Deliver being answered.
    pub msg_id: MsgId,
    /// Status: 0 received (and stored); anything else makes the SMGW try again later.
    pub status: Status,
}

impl Body for DeliverResp {
    const REQUEST_ID: RequestId = RequestId::DELIVER_RESP;

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
    fn fixture() {
        let bytes = hex("0000001a 80000003 00000009 01006101161700012346 0000000a");
        let msg_id: MsgId = "01006101161700012346".parse().unwrap();
        let resp = DeliverResp { msg_id, status: Status::STRUCTURE_ERROR };
        let frame = Frame { sequence_id: 9, pdu: Pdu::DeliverResp(resp) };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = DeliverResp { msg_id: MsgId([0x12; 10]), status: Status::OK };
        assert_exact(&round_trip(Pdu::DeliverResp(resp), 26));
    }
}
