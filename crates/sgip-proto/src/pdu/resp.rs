//! The response body shared by Bind_Resp, Submit_Resp, Deliver_Resp, Report_Resp and
//! UserRpt_Resp (sgip.md §5–§8): Result 1 + Reserve 8, Message Length 29.

use super::{Body, RESERVE_LEN};
use crate::ResultCode;
use hongyan_wire::{DecodeError, Reader, Writer};

/// A *_Resp body. Which command it answers is in the frame's Command ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resp {
    /// Result: 0 success, else an error code (sgip.md §10).
    pub result: ResultCode,
    /// Reserve, kept as sent.
    pub reserve: [u8; RESERVE_LEN],
}

impl Resp {
    /// A response with `result` and an empty Reserve.
    pub fn new(result: ResultCode) -> Self {
        Self { result, reserve: [0; RESERVE_LEN] }
    }
}

impl Body for Resp {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self { result: ResultCode(r.u8("Result")?), reserve: r.array("Reserve")? })
    }

    fn encode(&self, w: &mut Writer) {
        w.u8(self.result.0).bytes(&self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, SEQ};
    use crate::{Frame, Pdu};

    /// Wraps a Resp in one of the five response PDUs.
    type Variant = fn(Resp) -> Pdu;

    #[test]
    fn fixtures_for_every_response_command() {
        let cases: [(&str, Variant); 5] = [
            ("80000001", Pdu::BindResp),
            ("80000003", Pdu::SubmitResp),
            ("80000004", Pdu::DeliverResp),
            ("80000005", Pdu::ReportResp),
            ("80000011", Pdu::UserRptResp),
        ];
        for (command, variant) in cases {
            let bytes = hex(&format!("0000001d {command} b36a7b1f 42c4f1d9 00000001 15 0000000000000000"));
            let frame = Frame { sequence: SEQ, pdu: variant(Resp::new(ResultCode::UNREACHABLE)) };
            assert_eq!(Frame::decode(&bytes).unwrap(), frame);
            assert_eq!(frame.encode(), bytes);
        }
    }

    #[test]
    fn round_trips_and_is_exact() {
        let resp = Resp { result: ResultCode(200), reserve: *b"LINKID01" };
        assert_exact(&round_trip(Pdu::SubmitResp(resp), 29));
        assert_exact(&round_trip(Pdu::BindResp(Resp::default()), 29));
    }
}
