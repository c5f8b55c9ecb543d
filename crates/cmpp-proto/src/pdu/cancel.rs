//! CMPP_CANCEL / CMPP_CANCEL_RESP (cmpp.md §14): withdraw a message not yet sent (At_Time).
//! Success_Id is 4 bytes in 3.0 and 1 byte in 2.0 (the 2.0 width is from one implementation).

use super::{read_status, write_status, Body};
use crate::{CommandId, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_CANCEL body. Total_Length 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cancel {
    /// Msg_Id from the SUBMIT_RESP of the message to withdraw.
    pub msg_id: u64,
}

/// CMPP_CANCEL_RESP body. Total_Length 13 (2.0) or 16 (3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CancelResp {
    /// Success_Id: 0 success, 1 failure.
    pub success_id: u32,
}

impl Body for Cancel {
    const COMMAND: CommandId = CommandId::CANCEL;

    fn decode(r: &mut Reader<'_>, _version: Version) -> Result<Self, DecodeError> {
        Ok(Self { msg_id: r.u64("Msg_Id")? })
    }

    fn encode(&self, w: &mut Writer, _version: Version) {
        w.u64(self.msg_id);
    }
}

impl Body for CancelResp {
    const COMMAND: CommandId = CommandId::CANCEL_RESP;

    fn decode(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError> {
        Ok(Self { success_id: read_status(r, "Success_Id", version)? })
    }

    fn encode(&self, w: &mut Writer, version: Version) {
        write_status(w, self.success_id, version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixtures() {
        let cancel = hex("00000014 00000007 00000005 a7a5e00003e90001");
        let frame = Frame::decode(&cancel, Version::V30).unwrap();
        assert_eq!(frame.pdu, Pdu::Cancel(Cancel { msg_id: 0xA7A5_E000_03E9_0001 }));
        let v3 = hex("00000010 80000007 00000005 00000001");
        let v2 = hex("0000000d 80000007 00000005 01");
        let resp = Pdu::CancelResp(CancelResp { success_id: 1 });
        assert_eq!(Frame::decode(&v3, Version::V30).unwrap().pdu, resp);
        assert_eq!(Frame::decode(&v2, Version::V20).unwrap().pdu, resp);
    }

    #[test]
    fn round_trips_and_is_exact() {
        for version in [Version::V20, Version::V30] {
            let cancel = Pdu::Cancel(Cancel { msg_id: 99 });
            assert_exact(&round_trip(cancel, version, 20), version);
        }
        let resp = Pdu::CancelResp(CancelResp { success_id: 1 });
        assert_exact(&round_trip(resp.clone(), Version::V30, 16), Version::V30);
        assert_exact(&round_trip(resp, Version::V20, 13), Version::V20);
    }
}
