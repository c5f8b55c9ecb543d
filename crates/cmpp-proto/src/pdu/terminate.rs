//! CMPP_TERMINATE / CMPP_TERMINATE_RESP (cmpp.md §15): either side ends the session; after
//! the response the TCP connection is closed and a new CONNECT is needed.

use super::Body;
use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_TERMINATE: header only (Total_Length 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Terminate;

/// CMPP_TERMINATE_RESP: header only (Total_Length 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TerminateResp;

impl Body for Terminate {
    const COMMAND: CommandId = CommandId::TERMINATE;

    fn decode(_r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer, _version: Version) {}
}

impl Body for TerminateResp {
    const COMMAND: CommandId = CommandId::TERMINATE_RESP;

    fn decode(_r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer, _version: Version) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures_round_trip_and_are_exact() {
        let req = hex("0000000c 00000002 00000003");
        let resp = hex("0000000c 80000002 00000003");
        for version in [Version::V20, Version::V30] {
            let frame = Frame::decode(&req, version).unwrap();
            assert_eq!(frame, Frame { sequence_id: 3, pdu: Pdu::Terminate });
            assert_eq!(Frame::decode(&resp, version).unwrap().pdu, Pdu::TerminateResp);
            assert_exact(&round_trip(Pdu::Terminate, version, 12), version);
            assert_exact(&round_trip(Pdu::TerminateResp, version, 12), version);
        }
    }
}
