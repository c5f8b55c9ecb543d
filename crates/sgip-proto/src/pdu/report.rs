//! SGIP_REPORT (sgip.md §8): the outcome of an earlier Submit (or forwarded Deliver), named
//! by that command's 12-byte sequence number. Message Length 64.

use super::{check_len, Body, EncodeError, NUMBER_LEN, RESERVE_LEN};
use crate::{ErrorCode, ReportState, ReportType, Sequence};
use hongyan_wire::{DecodeError, Reader, Writer};

/// SGIP_REPORT body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// SubmitSequenceNumber: the sequence of the Submit this reports on — the matching key.
    pub submit_sequence: Sequence,
    /// ReportType: 0 for a Submit, 1 for a forwarded Deliver.
    pub report_type: ReportType,
    /// UserNumber (21): which recipient this is about (a Submit may have up to 100).
    pub user_number: Vec<u8>,
    /// State: 0 delivered, 1 waiting, 2 failed.
    pub state: ReportState,
    /// ErrorCode: why it failed when State is 2, else 0.
    pub error_code: ErrorCode,
    /// Reserve, kept as sent.
    pub reserve: [u8; RESERVE_LEN],
}

impl Report {
    /// A report on the Submit sent as `submit_sequence`, with an empty Reserve.
    pub fn new(submit_sequence: Sequence, user_number: &[u8], state: ReportState, error_code: ErrorCode) -> Self {
        Self {
            submit_sequence,
            report_type: ReportType::SUBMIT,
            user_number: user_number.to_vec(),
            state,
            error_code,
            reserve: [0; RESERVE_LEN],
        }
    }

    /// Checks every field fits its wire size, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("UserNumber", &self.user_number, NUMBER_LEN)
    }
}

impl Body for Report {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            submit_sequence: Sequence::decode(r, "SubmitSequenceNumber")?,
            report_type: ReportType(r.u8("ReportType")?),
            user_number: r.fixed_str("UserNumber", NUMBER_LEN)?,
            state: ReportState(r.u8("State")?),
            error_code: ErrorCode(r.u8("ErrorCode")?),
            reserve: r.array("Reserve")?,
        })
    }

    fn encode(&self, w: &mut Writer) {
        self.submit_sequence.encode(w);
        w.u8(self.report_type.0).fixed(&self.user_number, NUMBER_LEN);
        w.u8(self.state.0).u8(self.error_code.0).bytes(&self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    #[test]
    fn fixture() {
        let bytes = hex(include_str!("../../testdata/report.hex"));
        assert_eq!(bytes.len(), 64);
        let submit = Sequence { node_id: 3_010_099_999, time: 1_120_203_225, counter: 1 };
        let report = Report::new(submit, b"8613012345678", ReportState::FAILED, ErrorCode::UNKNOWN_USER);
        let frame = Frame {
            sequence: Sequence { node_id: 101_001, time: 1_120_203_300, counter: 77 },
            pdu: Pdu::Report(report),
        };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn round_trips_and_is_exact() {
        let report = Report {
            submit_sequence: Sequence { node_id: u32::MAX, time: 0, counter: 7 },
            report_type: ReportType::DELIVER,
            user_number: vec![b'8'; 21],
            state: ReportState(9),
            error_code: ErrorCode(99),
            reserve: [1, 2, 3, 4, 5, 6, 7, 8],
        };
        assert_eq!(report.validate(), Ok(()));
        assert_exact(&round_trip(Pdu::Report(report), 64));
    }
}
