//! CMPP_DELIVER_RESP (cmpp.md §12): Result is 1 byte in 2.0 and 4 bytes in 3.0.

use super::{read_status, write_status, Body};
use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_DELIVER_RESP body. Total_Length 21 (2.0) or 24 (3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverResp {
    /// Msg_Id of the DELIVER being acknowledged.
    pub msg_id: u64,
    /// Result: 0 OK, 1 structure error, … the numbers of [`crate::SubmitResult`]. Kept as the
    /// wire integer; in 2.0 values over 255 are sent as 255.
    pub result: u32,
}

impl Body for DeliverResp {
    const COMMAND: CommandId = CommandId::DELIVER_RESP;

    fn decode(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError> {
        Ok(Self { msg_id: r.u64("Msg_Id")?, result: read_status(r, "Result", version)? })
    }

    fn encode(&self, w: &mut Writer, version: Version) {
        w.u64(self.msg_id);
        write_status(w, self.result, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures() {
        let v3 = hex("00000018 80000005 00000009 a7a5e00003e90002 00000000");
        let v2 = hex("00000015 80000005 00000009 a7a5e00003e90002 00");
        let resp = DeliverResp { msg_id: 0xA7A5_E000_03E9_0002, result: 0 };
        let frame = Frame { sequence_id: 9, pdu: Pdu::DeliverResp(resp) };
        assert_eq!(Frame::decode(&v3, Version::V30).unwrap(), frame);
        assert_eq!(Frame::decode(&v2, Version::V20).unwrap(), frame);
        assert_eq!(frame.encode(Version::V30), v3);
        assert_eq!(frame.encode(Version::V20), v2);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = DeliverResp { msg_id: 7, result: 9 };
        assert_exact(&round_trip(Pdu::DeliverResp(resp), Version::V20, 21), Version::V20);
        assert_exact(&round_trip(Pdu::DeliverResp(resp), Version::V30, 24), Version::V30);
    }
}
