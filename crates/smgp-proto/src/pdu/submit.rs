//! Submit (smgp.md §6): one MT message (or one segment of a long one) to up to 100
//! recipients, followed by optional TLVs (§7).

use super::{capped, check_count, check_len, read_content, write_content, Body, EncodeError};
use super::{RESERVE_LEN, TERM_ID_LEN};
use crate::{MsgFormat, MsgType, RequestId, Tlvs};
use hongyan_wire::{DecodeError, Reader, Writer};

/// Most recipients one Submit may carry.
pub(crate) const MAX_DEST_TERM_IDS: u8 = 100;

/// Submit body. PacketLength 126 + 21n + L + TLV bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submit {
    /// MsgType: 6 MT for an SP.
    pub msg_type: MsgType,
    /// NeedReport: 1 asks for a status report.
    pub need_report: u8,
    /// Priority: 0 low, 1 normal, 2 higher, 3 highest.
    pub priority: u8,
    /// ServiceID (10): service code.
    pub service_id: Vec<u8>,
    /// FeeType (2): `00` free, `01` per message, `02` monthly, `03` capped.
    pub fee_type: Vec<u8>,
    /// FeeCode (6): fen per message, ASCII digits.
    pub fee_code: Vec<u8>,
    /// FixedFee (6): fen, monthly fee or cap.
    pub fixed_fee: Vec<u8>,
    /// MsgFormat: content coding.
    pub msg_format: MsgFormat,
    /// ValidTime (17): SMPP-3.3 time; empty = gateway default.
    pub valid_time: Vec<u8>,
    /// AtTime (17): scheduled time; empty = now.
    pub at_time: Vec<u8>,
    /// SrcTermID (21): the sender shown to the user.
    pub src_term_id: Vec<u8>,
    /// ChargeTermID (21): charged number; empty = charge the receiver.
    pub charge_term_id: Vec<u8>,
    /// DestTermID (21 each): recipients, at most 100; DestTermIDCount is their count.
    pub dest_term_ids: Vec<Vec<u8>>,
    /// MsgContent, including any UDH; MsgLength is its length.
    pub msg_content: Vec<u8>,
    /// Reserve (8), kept byte for byte.
    pub reserve: [u8; RESERVE_LEN],
    /// Optional parameters, in wire order.
    pub tlvs: Tlvs,
}

impl Default for Submit {
    /// A free (FeeType `00`, FeeCode and FixedFee `000000`) normal-priority UCS-2 MT that
    /// wants a status report: the platform tracks every message to its report, and gateways
    /// reject empty fee fields as illegal FeeCode/FixedFee.
    fn default() -> Self {
        Self {
            msg_type: MsgType::MT,
            need_report: 1,
            priority: 1,
            service_id: Vec::new(),
            fee_type: b"00".to_vec(),
            fee_code: b"000000".to_vec(),
            fixed_fee: b"000000".to_vec(),
            msg_format: MsgFormat::UCS2,
            valid_time: Vec::new(),
            at_time: Vec::new(),
            src_term_id: Vec::new(),
            charge_term_id: Vec::new(),
            dest_term_ids: Vec::new(),
            msg_content: Vec::new(),
            reserve: [0; RESERVE_LEN],
            tlvs: Tlvs::new(),
        }
    }
}

impl Submit {
    /// Checks every field fits its wire size, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("ServiceID", &self.service_id, 10)?;
        check_len("FeeType", &self.fee_type, 2)?;
        check_len("FeeCode", &self.fee_code, 6)?;
        check_len("FixedFee", &self.fixed_fee, 6)?;
        check_len("ValidTime", &self.valid_time, 17)?;
        check_len("AtTime", &self.at_time, 17)?;
        check_len("SrcTermID", &self.src_term_id, TERM_ID_LEN)?;
        check_len("ChargeTermID", &self.charge_term_id, TERM_ID_LEN)?;
        check_count("DestTermIDCount", self.dest_term_ids.len(), MAX_DEST_TERM_IDS.into())?;
        for id in &self.dest_term_ids {
            check_len("DestTermID", id, TERM_ID_LEN)?;
        }
        check_count("MsgLength", self.msg_content.len(), u8::MAX.into())?;
        self.tlvs.validate()
    }

    /// Reads MsgType … ChargeTermID.
    fn decode_head(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self {
            msg_type: MsgType(r.u8("MsgType")?),
            need_report: r.u8("NeedReport")?,
            priority: r.u8("Priority")?,
            service_id: r.fixed_str("ServiceID", 10)?,
            fee_type: r.fixed_str("FeeType", 2)?,
            fee_code: r.fixed_str("FeeCode", 6)?,
            fixed_fee: r.fixed_str("FixedFee", 6)?,
            msg_format: MsgFormat(r.u8("MsgFormat")?),
            valid_time: r.fixed_str("ValidTime", 17)?,
            at_time: r.fixed_str("AtTime", 17)?,
            src_term_id: r.fixed_str("SrcTermID", TERM_ID_LEN)?,
            charge_term_id: r.fixed_str("ChargeTermID", TERM_ID_LEN)?,
            ..Self::default()
        })
    }

    /// Reads DestTermIDCount … the TLVs into `self`.
    fn decode_tail(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        let count = r.u8("DestTermIDCount")?;
        if count > MAX_DEST_TERM_IDS {
            return Err(DecodeError::Invalid { field: "DestTermIDCount", reason: "more than 100 recipients" });
        }
        self.dest_term_ids = (0..count).map(|_| r.fixed_str("DestTermID", TERM_ID_LEN)).collect::<Result<_, _>>()?;
        self.msg_content = read_content(r)?;
        self.reserve = r.array("Reserve")?;
        self.tlvs = Tlvs::decode(r)?;
        Ok(())
    }
}

impl Body for Submit {
    const REQUEST_ID: RequestId = RequestId::SUBMIT;

    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut s = Self::decode_head(r)?;
        s.decode_tail(r)?;
        Ok(s)
    }

    /// Over-long fields are cut (see [`Submit::validate`]) so the frame stays well formed.
    fn encode(&self, w: &mut Writer) {
        w.u8(self.msg_type.0).u8(self.need_report).u8(self.priority).fixed(&self.service_id, 10);
        w.fixed(&self.fee_type, 2).fixed(&self.fee_code, 6).fixed(&self.fixed_fee, 6);
        w.u8(self.msg_format.0).fixed(&self.valid_time, 17).fixed(&self.at_time, 17);
        w.fixed(&self.src_term_id, TERM_ID_LEN).fixed(&self.charge_term_id, TERM_ID_LEN);
        let (dests, count) = capped(&self.dest_term_ids, MAX_DEST_TERM_IDS);
        w.u8(count);
        for id in dests {
            w.fixed(id, TERM_ID_LEN);
        }
        write_content(w, &self.msg_content);
        w.bytes(&self.reserve);
        self.tlvs.encode(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, with_len};
    use crate::{Frame, FrameDecodeError, Pdu, Tlv, TlvTag};

    /// The values testdata/submit.hex encodes.
    fn fixture_submit() -> Submit {
        Submit {
            service_id: b"HYTAX".to_vec(),
            src_term_id: b"118901234".to_vec(),
            dest_term_ids: vec![b"13300000000".to_vec(), b"18900000000".to_vec()],
            msg_content: "你好".encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ..Submit::default()
        }
    }

    /// The second segment of a long message, with every Submit TLV of smgp.md §7 and a
    /// vendor tag: what testdata/submit_tlvs.hex encodes.
    fn fixture_segment() -> Submit {
        let tlvs = vec![
            Tlv::TpPid(0),
            Tlv::TpUdhi(1),
            Tlv::link_id(b"LINK0001"),
            Tlv::msg_src(b"901234"),
            Tlv::ChargeUserType(2),
            Tlv::ChargeTermType(0),
            Tlv::ChargeTermPseudo(b"PSEUDO".to_vec()),
            Tlv::DestTermType(0),
            Tlv::DestTermPseudo(Vec::new()),
            Tlv::PkTotal(2),
            Tlv::PkNumber(2),
            Tlv::SubmitMsgType(0),
            Tlv::SpDealResult(0),
            Tlv::mservice_id(b"HY0001"),
            Tlv::Other { tag: TlvTag(0x0101), value: vec![0xca, 0xfe] },
        ];
        Submit {
            dest_term_ids: vec![b"13300000000".to_vec()],
            msg_content: vec![0x05, 0x00, 0x03, 0x2a, 0x02, 0x02, 0x00, 0x21],
            tlvs: Tlvs(tlvs),
            ..fixture_submit()
        }
    }

    #[test]
    fn fixture() {
        let bytes = hex(include_str!("../../testdata/submit.hex"));
        let frame = Frame { sequence_id: 2, pdu: Pdu::Submit(fixture_submit()) };
        assert_eq!(bytes.len(), 126 + 21 * 2 + 4);
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn tlv_fixture_keeps_every_tag_in_order() {
        let bytes = hex(include_str!("../../testdata/submit_tlvs.hex"));
        let frame = Frame { sequence_id: 3, pdu: Pdu::Submit(fixture_segment()) };
        let tlv_bytes = 15 * 4 + 9 + 20 + 8 + 6 + 21 + 2;
        assert_eq!(bytes.len(), 126 + 21 + 8 + tlv_bytes);
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
        let tlvs = &fixture_segment().tlvs;
        assert_eq!((tlvs.tp_udhi(), tlvs.pk_total(), tlvs.pk_number()), (Some(1), Some(2), Some(2)));
        assert_eq!(tlvs.link_id(), Some(&b"LINK0001"[..]));
    }

    #[test]
    fn lengths_follow_the_spec_formula() {
        for (n, l) in [(0usize, 0usize), (1, 140), (3, 7), (100, 255)] {
            let submit = Submit {
                dest_term_ids: vec![b"133000000001234567890".to_vec(); n],
                msg_content: vec![0x5a; l],
                reserve: *b"reserved",
                ..fixture_submit()
            };
            round_trip(Pdu::Submit(submit.clone()), 126 + 21 * n + l);
            let with_tlv = Submit { tlvs: Tlvs(vec![Tlv::PkTotal(1)]), ..submit };
            round_trip(Pdu::Submit(with_tlv), 126 + 21 * n + l + 5);
        }
    }

    #[test]
    fn truncation_and_trailing_bytes_are_errors() {
        assert_exact(&Frame { sequence_id: 2, pdu: Pdu::Submit(fixture_submit()) }.encode());
        // With TLVs, a cut inside a TLV is an error too. (A cut exactly between two TLVs is
        // a valid shorter Submit: PacketLength is what delimits the list.)
        let bytes = Frame { sequence_id: 3, pdu: Pdu::Submit(fixture_segment()) }.encode();
        for cut in [1, 2, 3, 4, 5, 7] {
            let err = Frame::decode(&with_len(&bytes[..bytes.len() - cut])).unwrap_err();
            assert!(matches!(err, FrameDecodeError::Body { .. }), "cut {cut}: {err:?}");
        }
    }

    #[test]
    fn more_than_100_recipients_do_not_decode() {
        let bytes = Frame { sequence_id: 2, pdu: Pdu::Submit(fixture_submit()) }.encode();
        let mut bad = bytes.clone();
        bad[12 + 104] = 101;
        bad.splice(12 + 105..12 + 105, vec![b'1'; 21 * 99]);
        let err = Frame::decode(&with_len(&bad)).unwrap_err();
        assert!(matches!(err, FrameDecodeError::Body { source: DecodeError::Invalid { .. }, .. }), "{err:?}");
    }

    #[test]
    fn validate_reports_fields_that_would_be_cut() {
        assert_eq!(fixture_segment().validate(), Ok(()));
        let long_dest = Submit { dest_term_ids: vec![vec![b'1'; 22]], ..fixture_submit() };
        assert_eq!(long_dest.validate(), Err(EncodeError::TooLong { field: "DestTermID", len: 22, max: 21 }));
        let many = Submit { dest_term_ids: vec![b"1".to_vec(); 101], ..fixture_submit() };
        assert!(matches!(many.validate(), Err(EncodeError::TooLong { field: "DestTermIDCount", .. })));
        let long_body = Submit { msg_content: vec![0; 256], ..fixture_submit() };
        assert!(long_body.validate().is_err());
        let fee = Submit { fixed_fee: b"1234567".to_vec(), ..fixture_submit() };
        assert!(matches!(fee.validate(), Err(EncodeError::TooLong { field: "FixedFee", .. })));
    }
}
