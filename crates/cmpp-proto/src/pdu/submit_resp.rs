//! CMPP_SUBMIT_RESP (cmpp.md §8): the ISMG's Msg_Id and Result; Result is 1 byte in 2.0 and
//! 4 bytes in 3.0.

use super::{read_status, write_status, Body};
use crate::{CommandId, SubmitResult, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_SUBMIT_RESP body. Total_Length 21 (2.0) or 24 (3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubmitResp {
    /// Msg_Id the ISMG assigned; the key that matches the status report later.
    pub msg_id: u64,
    /// Result: 0 accepted, 8 flow control, … (in 2.0 values over 255 are sent as 255).
    pub result: SubmitResult,
}

impl Body for SubmitResp {
    const COMMAND: CommandId = CommandId::SUBMIT_RESP;

    fn decode(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError> {
        Ok(Self { msg_id: r.u64("Msg_Id")?, result: SubmitResult(read_status(r, "Result", version)?) })
    }

    fn encode(&self, w: &mut Writer, version: Version) {
        w.u64(self.msg_id);
        write_status(w, self.result.0, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures() {
        let v3 = hex("00000018 80000004 00000002 a7a5e00003e90001 00000008");
        let v2 = hex("00000015 80000004 00000002 a7a5e00003e90001 08");
        let resp = SubmitResp { msg_id: 0xA7A5_E000_03E9_0001, result: SubmitResult::FLOW_CONTROL };
        let frame = Frame { sequence_id: 2, pdu: Pdu::SubmitResp(resp) };
        assert_eq!(Frame::decode(&v3, Version::V30).unwrap(), frame);
        assert_eq!(Frame::decode(&v2, Version::V20).unwrap(), frame);
        assert_eq!(frame.encode(Version::V30), v3);
        assert_eq!(frame.encode(Version::V20), v2);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = SubmitResp { msg_id: u64::MAX, result: SubmitResult(150) };
        assert_exact(&round_trip(Pdu::SubmitResp(resp), Version::V20, 21), Version::V20);
        let resp = SubmitResp { msg_id: 1, result: SubmitResult(100_000) };
        assert_exact(&round_trip(Pdu::SubmitResp(resp), Version::V30, 24), Version::V30);
    }
}
