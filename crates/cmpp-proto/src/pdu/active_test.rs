//! CMPP_ACTIVE_TEST / CMPP_ACTIVE_TEST_RESP (cmpp.md §15): keep-alive, sent by either side.

use super::Body;
use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_ACTIVE_TEST: header only (Total_Length 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActiveTest;

/// CMPP_ACTIVE_TEST_RESP: one Reserved byte (Total_Length 13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActiveTestResp {
    /// Reserved; we send 0 and keep what the peer sent.
    pub reserved: u8,
}

impl Body for ActiveTest {
    const COMMAND: CommandId = CommandId::ACTIVE_TEST;

    fn decode(_r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self)
    }

    fn encode(&self, _w: &mut Writer, _version: Version) {}
}

impl Body for ActiveTestResp {
    const COMMAND: CommandId = CommandId::ACTIVE_TEST_RESP;

    fn decode(r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self { reserved: r.u8("Reserved")? })
    }

    fn encode(&self, w: &mut Writer, _version: Version) {
        w.u8(self.reserved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures() {
        let req = hex("0000000c 00000008 0000002a");
        let resp = hex("0000000d 80000008 0000002a 00");
        for version in [Version::V20, Version::V30] {
            let frame = Frame::decode(&req, version).unwrap();
            assert_eq!(frame, Frame { sequence_id: 42, pdu: Pdu::ActiveTest });
            assert_eq!(frame.encode(version), req);
            let frame = Frame::decode(&resp, version).unwrap();
            let expected = Pdu::ActiveTestResp(ActiveTestResp { reserved: 0 });
            assert_eq!(frame, Frame { sequence_id: 42, pdu: expected });
            assert_eq!(frame.encode(version), resp);
        }
    }

    #[test]
    fn round_trips_and_is_exact() {
        for version in [Version::V20, Version::V30] {
            assert_exact(&round_trip(Pdu::ActiveTest, version, 12), version);
            let resp = Pdu::ActiveTestResp(ActiveTestResp { reserved: 0xee });
            assert_exact(&round_trip(resp, version, 13), version);
        }
    }
}
