//! CMPP_SUBMIT (cmpp.md §7): one MT message (or one segment of a long one) to up to 255
//! recipients. 2.0 and 3.0 differ in terminal id size (21 vs 32), the two 3.0-only
//! `*_terminal_type` bytes and the trailer (Reserve 8 vs LinkID 20).

use super::{capped, check_count, check_len, link_id_len, terminal_id_len, Body, EncodeError};
use crate::{CommandId, MsgFmt, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_SUBMIT body. Total_Length 138 + 21n + L (2.0) or 163 + 32n + L (3.0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submit {
    /// Msg_Id: filled by the ISMG; SPs send 0.
    pub msg_id: u64,
    /// Pk_total: number of segments of this message, from 1.
    pub pk_total: u8,
    /// Pk_number: this segment's index, from 1.
    pub pk_number: u8,
    /// Registered_Delivery: 1 asks for a status report.
    pub registered_delivery: u8,
    /// Msg_level: priority.
    pub msg_level: u8,
    /// Service_Id (10): business code.
    pub service_id: Vec<u8>,
    /// Fee_UserType: 0 destination, 1 source, 2 SP, 3 `fee_terminal_id` pays.
    pub fee_user_type: u8,
    /// Fee_terminal_Id (21 / 32): charged number when `fee_user_type` is 3.
    pub fee_terminal_id: Vec<u8>,
    /// Fee_terminal_type, 3.0 only: 0 real, 1 pseudo number. Not sent in 2.0.
    pub fee_terminal_type: u8,
    /// TP_pId (GSM 03.40), normally 0.
    pub tp_pid: u8,
    /// TP_udhi: 1 when `msg_content` starts with a UDH.
    pub tp_udhi: u8,
    /// Msg_Fmt: content coding.
    pub msg_fmt: MsgFmt,
    /// Msg_src (6): content source, the SP_Id.
    pub msg_src: Vec<u8>,
    /// FeeType (2): "01" free, "02" per message, "03" monthly.
    pub fee_type: Vec<u8>,
    /// FeeCode (6): fee in fen, ASCII digits.
    pub fee_code: Vec<u8>,
    /// ValId_Time (17): SMPP-3.3 time; empty = ISMG default.
    pub valid_time: Vec<u8>,
    /// At_Time (17): scheduled time; empty = now.
    pub at_time: Vec<u8>,
    /// Src_Id (21): SP service code, shown to the user as the sender.
    pub src_id: Vec<u8>,
    /// Dest_terminal_Id (21 / 32 each): recipients; DestUsr_tl is their count.
    pub dest_terminal_ids: Vec<Vec<u8>>,
    /// Dest_terminal_type, 3.0 only: 0 real, 1 pseudo number. Not sent in 2.0.
    pub dest_terminal_type: u8,
    /// Msg_Content, including any UDH; Msg_Length is its length.
    pub msg_content: Vec<u8>,
    /// 3.0 LinkID (20), echoed from an MO for on-demand replies; 2.0 Reserve (8).
    pub link_id: Vec<u8>,
}

impl Default for Submit {
    /// A single-segment UCS-2 notification that wants a status report.
    ///
    /// Fee_UserType 2 (charge the SP) with FeeType "01" (free for the user) and FeeCode
    /// "000000" is how enterprise notifications are billed: the recipient never pays for a
    /// verification code, and gateways reject an empty FeeCode as a fee code error.
    /// Registered_Delivery is 1 because the platform tracks every message to its report.
    fn default() -> Self {
        Self {
            msg_id: 0,
            pk_total: 1,
            pk_number: 1,
            registered_delivery: 1,
            msg_level: 0,
            service_id: Vec::new(),
            fee_user_type: 2,
            fee_terminal_id: Vec::new(),
            fee_terminal_type: 0,
            tp_pid: 0,
            tp_udhi: 0,
            msg_fmt: MsgFmt::UCS2,
            msg_src: Vec::new(),
            fee_type: b"01".to_vec(),
            fee_code: b"000000".to_vec(),
            valid_time: Vec::new(),
            at_time: Vec::new(),
            src_id: Vec::new(),
            dest_terminal_ids: Vec::new(),
            dest_terminal_type: 0,
            msg_content: Vec::new(),
            link_id: Vec::new(),
        }
    }
}

impl Submit {
    /// Checks every field fits its wire size in `version`, so encoding cuts nothing.
    pub fn validate(&self, version: Version) -> Result<(), EncodeError> {
        let tid = terminal_id_len(version);
        check_len("Service_Id", &self.service_id, 10)?;
        check_len("Fee_terminal_Id", &self.fee_terminal_id, tid)?;
        check_len("Msg_src", &self.msg_src, 6)?;
        check_len("FeeType", &self.fee_type, 2)?;
        check_len("FeeCode", &self.fee_code, 6)?;
        check_len("ValId_Time", &self.valid_time, 17)?;
        check_len("At_Time", &self.at_time, 17)?;
        check_len("Src_Id", &self.src_id, 21)?;
        check_count("DestUsr_tl", self.dest_terminal_ids.len(), 255)?;
        for id in &self.dest_terminal_ids {
            check_len("Dest_terminal_Id", id, tid)?;
        }
        check_count("Msg_Length", self.msg_content.len(), 255)?;
        check_len("LinkID", &self.link_id, link_id_len(version))
    }

    /// Reads Msg_Id … Fee_terminal_type.
    fn decode_head(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError> {
        let mut s = Self {
            msg_id: r.u64("Msg_Id")?,
            pk_total: r.u8("Pk_total")?,
            pk_number: r.u8("Pk_number")?,
            registered_delivery: r.u8("Registered_Delivery")?,
            msg_level: r.u8("Msg_level")?,
            service_id: r.fixed_str("Service_Id", 10)?,
            fee_user_type: r.u8("Fee_UserType")?,
            fee_terminal_id: r.fixed_str("Fee_terminal_Id", terminal_id_len(version))?,
            ..Self::default()
        };
        if version.is_v3() {
            s.fee_terminal_type = r.u8("Fee_terminal_type")?;
        }
        Ok(s)
    }

    /// Reads TP_pId … Src_Id into `self`.
    fn decode_middle(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.tp_pid = r.u8("TP_pId")?;
        self.tp_udhi = r.u8("TP_udhi")?;
        self.msg_fmt = MsgFmt(r.u8("Msg_Fmt")?);
        self.msg_src = r.fixed_str("Msg_src", 6)?;
        self.fee_type = r.fixed_str("FeeType", 2)?;
        self.fee_code = r.fixed_str("FeeCode", 6)?;
        self.valid_time = r.fixed_str("ValId_Time", 17)?;
        self.at_time = r.fixed_str("At_Time", 17)?;
        self.src_id = r.fixed_str("Src_Id", 21)?;
        Ok(())
    }

    /// Reads DestUsr_tl … LinkID into `self`.
    fn decode_tail(&mut self, r: &mut Reader<'_>, version: Version) -> Result<(), DecodeError> {
        let tid = terminal_id_len(version);
        let count = r.u8("DestUsr_tl")?;
        self.dest_terminal_ids = (0..count).map(|_| r.fixed_str("Dest_terminal_Id", tid)).collect::<Result<_, _>>()?;
        if version.is_v3() {
            self.dest_terminal_type = r.u8("Dest_terminal_type")?;
        }
        let len = r.u8("Msg_Length")?;
        self.msg_content = r.bytes("Msg_Content", len.into())?.to_vec();
        self.link_id = r.fixed_str("LinkID", link_id_len(version))?;
        Ok(())
    }
}

impl Body for Submit {
    const COMMAND: CommandId = CommandId::SUBMIT;

    fn decode(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError> {
        let mut s = Self::decode_head(r, version)?;
        s.decode_middle(r)?;
        s.decode_tail(r, version)?;
        Ok(s)
    }

    /// Over-long fields are cut (see [`Submit::validate`]) so the frame stays well formed.
    fn encode(&self, w: &mut Writer, version: Version) {
        let tid = terminal_id_len(version);
        w.u64(self.msg_id).u8(self.pk_total).u8(self.pk_number);
        w.u8(self.registered_delivery).u8(self.msg_level).fixed(&self.service_id, 10);
        w.u8(self.fee_user_type).fixed(&self.fee_terminal_id, tid);
        if version.is_v3() {
            w.u8(self.fee_terminal_type);
        }
        w.u8(self.tp_pid).u8(self.tp_udhi).u8(self.msg_fmt.0).fixed(&self.msg_src, 6);
        w.fixed(&self.fee_type, 2).fixed(&self.fee_code, 6);
        w.fixed(&self.valid_time, 17).fixed(&self.at_time, 17).fixed(&self.src_id, 21);
        let (dests, count) = capped(&self.dest_terminal_ids);
        w.u8(count);
        for id in dests {
            w.fixed(id, tid);
        }
        if version.is_v3() {
            w.u8(self.dest_terminal_type);
        }
        let (content, len) = capped(&self.msg_content);
        w.u8(len).bytes(content).fixed(&self.link_id, link_id_len(version));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    /// The values the fixtures in testdata/submit_v*.hex encode.
    fn fixture_submit() -> Submit {
        Submit {
            msg_level: 1,
            service_id: b"HYTAX".to_vec(),
            msg_src: b"901234".to_vec(),
            src_id: b"106900001234".to_vec(),
            dest_terminal_ids: vec![b"13800138000".to_vec(), b"13900139000".to_vec()],
            msg_content: "你好".encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ..Submit::default()
        }
    }

    #[test]
    fn v3_fixture() {
        let bytes = hex(include_str!("../../testdata/submit_v30.hex"));
        let frame = Frame { sequence_id: 2, pdu: Pdu::Submit(fixture_submit()) };
        assert_eq!(bytes.len(), 163 + 32 * 2 + 4);
        assert_eq!(Frame::decode(&bytes, Version::V30).unwrap(), frame);
        assert_eq!(frame.encode(Version::V30), bytes);
    }

    #[test]
    fn v2_fixture() {
        let bytes = hex(include_str!("../../testdata/submit_v20.hex"));
        let frame = Frame { sequence_id: 2, pdu: Pdu::Submit(fixture_submit()) };
        assert_eq!(bytes.len(), 138 + 21 * 2 + 4);
        assert_eq!(Frame::decode(&bytes, Version::V20).unwrap(), frame);
        assert_eq!(frame.encode(Version::V20), bytes);
        // The same bytes are not a valid 3.0 SUBMIT.
        assert!(Frame::decode(&bytes, Version::V30).is_err());
    }

    #[test]
    fn lengths_follow_the_spec_formulas() {
        for (n, l) in [(0usize, 0usize), (1, 140), (3, 7), (100, 255)] {
            let submit = Submit {
                fee_terminal_type: 1,
                dest_terminal_type: 1,
                dest_terminal_ids: vec![b"13800138000".to_vec(); n],
                msg_content: vec![0x5a; l],
                link_id: b"12345678901234567890".to_vec(),
                ..fixture_submit()
            };
            round_trip(Pdu::Submit(submit.clone()), Version::V30, 163 + 32 * n + l);
            // 2.0 has neither terminal-type byte and only an 8-byte Reserve.
            let v2 = Submit { fee_terminal_type: 0, dest_terminal_type: 0, link_id: b"reserved".to_vec(), ..submit };
            round_trip(Pdu::Submit(v2), Version::V20, 138 + 21 * n + l);
        }
    }

    #[test]
    fn truncation_and_trailing_bytes_are_errors() {
        for version in [Version::V20, Version::V30] {
            let bytes = Frame { sequence_id: 2, pdu: Pdu::Submit(fixture_submit()) }.encode(version);
            assert_exact(&bytes, version);
        }
    }

    #[test]
    fn validate_reports_fields_that_would_be_cut() {
        let ok = fixture_submit();
        assert_eq!(ok.validate(Version::V20), Ok(()));
        let long_dest = Submit { dest_terminal_ids: vec![vec![b'1'; 32]], ..ok.clone() };
        assert_eq!(long_dest.validate(Version::V30), Ok(()));
        assert!(matches!(
            long_dest.validate(Version::V20),
            Err(EncodeError::TooLong { field: "Dest_terminal_Id", len: 32, max: 21 })
        ));
        let long_body = Submit { msg_content: vec![0; 256], ..ok };
        assert!(long_body.validate(Version::V30).is_err());
    }
}
