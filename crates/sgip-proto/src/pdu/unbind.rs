//! SGIP_UNBIND / SGIP_UNBIND_RESP (sgip.md §5): header only. The binding side sends Unbind
//! when it is done, the other answers and both close.

use super::Body;
use hongyan_wire::{DecodeError, Reader, Writer};

/// SGIP_UNBIND: header only (Message Length 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unbind;

/// SGIP_UNBIND_RESP: header only (Message Length 20).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UnbindResp;

impl Body for Unbind {
    fn decode(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer) {}
}

impl Body for UnbindResp {
    fn decode(_r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer) {}
}

#[cfg(test)]
mod tests {
    use crate::testutil::{assert_exact, hex, round_trip, SEQ};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures_round_trip_and_are_exact() {
        let req = hex("00000014 00000002 b36a7b1f 42c4f1d9 00000001");
        let resp = hex("00000014 80000002 b36a7b1f 42c4f1d9 00000001");
        assert_eq!(Frame::decode(&req).unwrap(), Frame { sequence: SEQ, pdu: Pdu::Unbind });
        assert_eq!(Frame::decode(&resp).unwrap(), Frame { sequence: SEQ, pdu: Pdu::UnbindResp });
        assert_exact(&round_trip(Pdu::Unbind, 20));
        assert_exact(&round_trip(Pdu::UnbindResp, 20));
    }
}
