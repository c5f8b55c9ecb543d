//! Deliver (smgp.md §8): an MO message, or (IsReport = 1) a status report whose MsgContent
//! is the 122-byte [`StatusReport`] body; optional TLVs follow.

use super::{check_count, check_len, read_content, write_content, Body, EncodeError, StatusReport};
use super::{RESERVE_LEN, TERM_ID_LEN};
use crate::{MsgFormat, MsgId, RequestId, Tlvs};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Size of RecvTime.
const RECV_TIME_LEN: usize = 14;

/// Deliver body. PacketLength 89 + L + TLV bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deliver {
    /// MsgID of this Deliver (for a report, not the id of the MT it is about).
    pub msg_id: MsgId,
    /// IsReport: 0 MO message, 1 status report.
    pub is_report: u8,
    /// MsgFormat: content coding; reports use 0.
    pub msg_format: MsgFormat,
    /// RecvTime (14): `YYYYMMDDHHMMSS`.
    pub recv_time: Vec<u8>,
    /// SrcTermID (21): the sender (MO: the user's MSISDN).
    pub src_term_id: Vec<u8>,
    /// DestTermID (21): the receiver (MO: the SP access number).
    pub dest_term_id: Vec<u8>,
    /// MsgContent; MsgLength is its length.
    pub msg_content: Vec<u8>,
    /// Reserve (8), kept byte for byte.
    pub reserve: [u8; RESERVE_LEN],
    /// Optional parameters, in wire order.
    pub tlvs: Tlvs,
}

impl Deliver {
    /// A Deliver carrying `report` (IsReport 1, MsgFormat 0). The caller sets `msg_id`,
    /// `recv_time` and the terminal ids.
    pub fn with_report(report: &StatusReport) -> Self {
        Self { is_report: 1, msg_format: MsgFormat::ASCII, msg_content: report.encode(), ..Self::default() }
    }

    /// The status report, when this Deliver is one (IsReport = 1).
    pub fn report(&self) -> Option<Result<StatusReport, DecodeError>> {
        (self.is_report == 1).then(|| StatusReport::decode(&self.msg_content))
    }

    /// Checks every field fits its wire size, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("RecvTime", &self.recv_time, RECV_TIME_LEN)?;
        check_len("SrcTermID", &self.src_term_id, TERM_ID_LEN)?;
        check_len("DestTermID", &self.dest_term_id, TERM_ID_LEN)?;
        check_count("MsgLength", self.msg_content.len(), u8::MAX.into())?;
        self.tlvs.validate()
    }
}

impl Body for Deliver {
    const REQUEST_ID: RequestId = RequestId::DELIVER;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            msg_id: MsgId(r.array("MsgID")?),
            is_report: r.u8("IsReport")?,
            msg_format: MsgFormat(r.u8("MsgFormat")?),
            recv_time: r.fixed_str("RecvTime", RECV_TIME_LEN)?,
            src_term_id: r.fixed_str("SrcTermID", TERM_ID_LEN)?,
            dest_term_id: r.fixed_str("DestTermID", TERM_ID_LEN)?,
            msg_content: read_content(r)?,
            reserve: r.array("Reserve")?,
            tlvs: Tlvs::decode(r)?,
        })
    }

    /// Over-long fields are cut (see [`Deliver::validate`]) so the frame stays well formed.
    fn encode(&self, w: &mut Writer) {
        w.bytes(&self.msg_id.0).u8(self.is_report).u8(self.msg_format.0);
        w.fixed(&self.recv_time, RECV_TIME_LEN);
        w.fixed(&self.src_term_id, TERM_ID_LEN).fixed(&self.dest_term_id, TERM_ID_LEN);
        write_content(w, &self.msg_content);
        w.bytes(&self.reserve);
        self.tlvs.encode(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu, Tlv, TlvTag};

    /// The report testdata/deliver_report.hex carries.
    fn fixture_report() -> StatusReport {
        let id = "01006101161700012345".parse().unwrap();
        StatusReport::new(id, StatusReport::DELIVRD, *b"000", *b"2501161700", *b"2501161701").with_text(b"hello")
    }

    #[test]
    fn report_fixture() {
        let bytes = hex(include_str!("../../testdata/deliver_report.hex"));
        assert_eq!(bytes.len(), 89 + 122);
        let frame = Frame::decode(&bytes).unwrap();
        let Pdu::Deliver(deliver) = &frame.pdu else { panic!("{frame:?}") };
        assert_eq!(frame.sequence_id, 9);
        assert_eq!(deliver.src_term_id, b"13300000000");
        let report = deliver.report().unwrap().unwrap();
        assert_eq!(report, fixture_report());
        assert!(report.is_delivered());
        // Rebuilding it from its parts gives the same bytes.
        let rebuilt = Deliver {
            msg_id: "01006101161700012346".parse().unwrap(),
            recv_time: b"20250116170100".to_vec(),
            src_term_id: b"13300000000".to_vec(),
            dest_term_id: b"118901234".to_vec(),
            ..Deliver::with_report(&report)
        };
        assert_eq!(Frame { sequence_id: 9, pdu: Pdu::Deliver(rebuilt) }.encode(), bytes);
    }

    #[test]
    fn mo_fixture_with_tlvs() {
        let bytes = hex(include_str!("../../testdata/deliver_mo.hex"));
        let tlvs = vec![
            Tlv::TpPid(0),
            Tlv::TpUdhi(0),
            Tlv::link_id(b"LINK0002"),
            Tlv::SrcTermType(1),
            Tlv::SrcTermPseudo(b"P0001".to_vec()),
            Tlv::SubmitMsgType(3),
            Tlv::SpDealResult(0),
            Tlv::Other { tag: TlvTag(0xfffe), value: Vec::new() },
        ];
        let deliver = Deliver {
            msg_id: "01006101161700012347".parse().unwrap(),
            msg_format: MsgFormat::GB18030,
            recv_time: b"20250116170200".to_vec(),
            src_term_id: b"13300000000".to_vec(),
            dest_term_id: b"1189012341".to_vec(),
            msg_content: vec![0xcd, 0xcb, 0xb6, 0xa9],
            tlvs: Tlvs(tlvs),
            ..Deliver::default()
        };
        assert_eq!(bytes.len(), 89 + 4 + 8 * 4 + 5 + 20 + 5);
        let frame = Frame { sequence_id: 10, pdu: Pdu::Deliver(deliver.clone()) };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        assert!(deliver.report().is_none());
        assert_eq!(deliver.tlvs.link_id(), Some(&b"LINK0002"[..]));
    }

    #[test]
    fn odd_report_bodies_are_errors_not_panics() {
        let odd = Deliver { is_report: 1, msg_content: vec![0; 20], ..Deliver::default() };
        assert!(odd.report().unwrap().is_err());
    }

    #[test]
    fn lengths_round_trips_and_exactness() {
        for l in [0usize, 1, 122, 255] {
            let deliver = Deliver {
                msg_id: MsgId([0x99; 10]),
                recv_time: b"20250116170200".to_vec(),
                src_term_id: vec![b'8'; 21],
                dest_term_id: b"118901234".to_vec(),
                msg_content: vec![0x41; l],
                reserve: [0xee; 8],
                ..Deliver::default()
            };
            let bytes = round_trip(Pdu::Deliver(deliver), 89 + l);
            if l == 1 {
                assert_exact(&bytes);
            }
        }
    }

    #[test]
    fn validate_reports_fields_that_would_be_cut() {
        let ok = Deliver::with_report(&fixture_report());
        assert_eq!(ok.validate(), Ok(()));
        let long = Deliver { recv_time: b"202501161702001".to_vec(), ..ok.clone() };
        assert!(matches!(long.validate(), Err(EncodeError::TooLong { field: "RecvTime", .. })));
        let body = Deliver { msg_content: vec![0; 256], ..ok };
        assert!(body.validate().is_err());
    }
}
