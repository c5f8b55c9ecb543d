//! Active_Test / Active_Test_Resp (smgp.md §4): keep-alive, sent by either side. Both bodies
//! are empty (unlike CMPP, whose response carries one byte).

use super::Body;
use crate::RequestId;
use hongyan_wire::{DecodeError, Reader, Writer};

/// Active_Test: header only (PacketLength 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActiveTest;

/// Active_Test_Resp: header only (PacketLength 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActiveTestResp;

impl Body for ActiveTest {
    const REQUEST_ID: RequestId = RequestId::ACTIVE_TEST;

    fn decode(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer) {}
}

impl Body for ActiveTestResp {
    const REQUEST_ID: RequestId = RequestId::ACTIVE_TEST_RESP;

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
        let req = hex("0000000c 00000004 0000002a");
        let resp = hex("0000000c 80000004 0000002a");
        assert_eq!(Frame::decode(&req).unwrap(), Frame { sequence_id: 42, pdu: Pdu::ActiveTest });
        assert_eq!(Frame::decode(&resp).unwrap(), Frame { sequence_id: 42, pdu: Pdu::ActiveTestResp });
        assert_exact(&round_trip(Pdu::ActiveTest, 12));
        assert_exact(&round_trip(Pdu::ActiveTestResp, 12));
    }
}
