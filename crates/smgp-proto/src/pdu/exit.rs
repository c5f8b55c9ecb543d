//! Exit / Exit_Resp (smgp.md §4): either side ends the session; after the response the TCP
//! connection is closed and a new Login is needed. Both bodies are empty.

use super::Body;
use crate::RequestId;
use hongyan_wire::{DecodeError, Reader, Writer};

/// Exit: header only (PacketLength 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exit;

/// Exit_Resp: header only (PacketLength 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExitResp;

impl Body for Exit {
    const REQUEST_ID: RequestId = RequestId::EXIT;

    fn decode(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer) {}
}

impl Body for ExitResp {
    const REQUEST_ID: RequestId = RequestId::EXIT_RESP;

    fn decode(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer) {}
}

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures_round_trip_and_are_exact() {
        let req = hex("0000000c 00000006 00000003");
        let resp = hex("0000000c 80000006 00000003");
        assert_eq!(Frame::decode(&req).unwrap(), Frame { sequence_id: 3, pdu: Pdu::Exit });
        assert_eq!(Frame::decode(&resp).unwrap().pdu, Pdu::ExitResp);
        assert_exact(&round_trip(Pdu::Exit, 12));
        assert_exact(&round_trip(Pdu::ExitResp, 12));
    }
}
