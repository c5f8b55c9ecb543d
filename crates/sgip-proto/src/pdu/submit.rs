//! SGIP_SUBMIT (sgip.md §6): one MT message (or one segment of a long one, with TP_udhi = 1
//! and the UDH at the start of the content) to 1–100 recipients. Message Length
//! 143 + 21n + L. There is no message id: the Submit's own sequence number is the key its
//! Report will refer to.

use super::{check_len, read_content, write_content, Body, EncodeError, NUMBER_LEN, RESERVE_LEN};
use crate::{FeeType, MessageCoding, ReportFlag};
use hongyan_wire::{DecodeError, Reader, Writer};

/// SGIP_SUBMIT body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submit {
    /// SPNumber (21): the SP access number (接入号), shown as the sender.
    pub sp_number: Vec<u8>,
    /// ChargeNumber (21): charged MSISDN with `86`; [`Submit::SP_PAYS`] = the SP pays; empty
    /// only for a group send charged to each recipient.
    pub charge_number: Vec<u8>,
    /// UserNumber (21 each): 1–100 recipients, each with the `86` prefix. UserCount is their
    /// number.
    pub user_numbers: Vec<Vec<u8>>,
    /// CorpId (5): corporation code.
    pub corp_id: Vec<u8>,
    /// ServiceType (10): service code defined by the SP.
    pub service_type: Vec<u8>,
    /// FeeType (sgip.md §9).
    pub fee_type: FeeType,
    /// FeeValue (6): fee in fen, decimal text.
    pub fee_value: Vec<u8>,
    /// GivenValue (6): fen given to the user, decimal text.
    pub given_value: Vec<u8>,
    /// AgentFlag: 0 should-collect, 1 collected.
    pub agent_flag: u8,
    /// MorelatetoMTFlag: 0 first MT caused by an MO, 1 further MT caused by an MO, 2 MT not
    /// caused by an MO, 3 system-feedback MT.
    pub morelateto_mt_flag: u8,
    /// Priority: 0–9, low to high.
    pub priority: u8,
    /// ExpireTime (16): `yymmddhhmmsstnnp`; empty = SMSC default.
    pub expire_time: Vec<u8>,
    /// ScheduleTime (16): same format; empty = send now.
    pub schedule_time: Vec<u8>,
    /// ReportFlag: when a Report comes back.
    pub report_flag: ReportFlag,
    /// TP_pid (GSM 03.40).
    pub tp_pid: u8,
    /// TP_udhi: 1 when `message_content` starts with a UDH.
    pub tp_udhi: u8,
    /// MessageCoding: content coding.
    pub message_coding: MessageCoding,
    /// MessageType: 0 = short message.
    pub message_type: u8,
    /// MessageContent, including any UDH; MessageLength (4 bytes) is its length.
    pub message_content: Vec<u8>,
    /// Reserve, kept as sent (some SMGs carry a LinkID here, unconfirmed).
    pub reserve: [u8; RESERVE_LEN],
}

impl Default for Submit {
    /// A single-segment UCS-2 notification, paid by the SP, that always wants a Report.
    ///
    /// ChargeNumber 21 × `0` makes the SP pay and FeeType 1 makes it free for the user, which
    /// is how enterprise notifications are billed. MorelatetoMTFlag 2 says no MO caused it.
    /// ReportFlag 1 because the platform tracks every message to its Report.
    fn default() -> Self {
        Self {
            sp_number: Vec::new(),
            charge_number: Self::SP_PAYS.to_vec(),
            user_numbers: Vec::new(),
            corp_id: Vec::new(),
            service_type: Vec::new(),
            fee_type: FeeType::FREE,
            fee_value: b"0".to_vec(),
            given_value: b"0".to_vec(),
            agent_flag: 0,
            morelateto_mt_flag: 2,
            priority: 0,
            expire_time: Vec::new(),
            schedule_time: Vec::new(),
            report_flag: ReportFlag::ALWAYS,
            tp_pid: 0,
            tp_udhi: 0,
            message_coding: MessageCoding::UCS2,
            message_type: 0,
            message_content: Vec::new(),
            reserve: [0; RESERVE_LEN],
        }
    }
}

impl Submit {
    /// ChargeNumber meaning "the SP pays": 21 × `'0'`.
    pub const SP_PAYS: &'static [u8; NUMBER_LEN] = b"000000000000000000000";

    /// Most recipients (UserCount) one Submit may carry.
    pub const MAX_USERS: usize = 100;

    /// Checks every field fits its wire size and UserCount is 1–100, so encoding cuts nothing.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_len("SPNumber", &self.sp_number, NUMBER_LEN)?;
        check_len("ChargeNumber", &self.charge_number, NUMBER_LEN)?;
        let count = self.user_numbers.len();
        if !(1..=Self::MAX_USERS).contains(&count) {
            return Err(EncodeError::Count { field: "UserCount", count, min: 1, max: Self::MAX_USERS });
        }
        for number in &self.user_numbers {
            check_len("UserNumber", number, NUMBER_LEN)?;
        }
        check_len("CorpId", &self.corp_id, 5)?;
        check_len("ServiceType", &self.service_type, 10)?;
        check_len("FeeValue", &self.fee_value, 6)?;
        check_len("GivenValue", &self.given_value, 6)?;
        check_len("ExpireTime", &self.expire_time, 16)?;
        check_len("ScheduleTime", &self.schedule_time, 16)
    }

    /// Reads SPNumber … UserNumber.
    fn decode_addresses(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let sp_number = r.fixed_str("SPNumber", NUMBER_LEN)?;
        let charge_number = r.fixed_str("ChargeNumber", NUMBER_LEN)?;
        let count = usize::from(r.u8("UserCount")?);
        if !(1..=Self::MAX_USERS).contains(&count) {
            return Err(DecodeError::Invalid { field: "UserCount", reason: "must be 1 to 100" });
        }
        let user_numbers = (0..count).map(|_| r.fixed_str("UserNumber", NUMBER_LEN)).collect::<Result<_, _>>()?;
        Ok(Self { sp_number, charge_number, user_numbers, ..Self::default() })
    }

    /// Reads CorpId … ScheduleTime into `self`.
    fn decode_billing(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.corp_id = r.fixed_str("CorpId", 5)?;
        self.service_type = r.fixed_str("ServiceType", 10)?;
        self.fee_type = FeeType(r.u8("FeeType")?);
        self.fee_value = r.fixed_str("FeeValue", 6)?;
        self.given_value = r.fixed_str("GivenValue", 6)?;
        self.agent_flag = r.u8("AgentFlag")?;
        self.morelateto_mt_flag = r.u8("MorelatetoMTFlag")?;
        self.priority = r.u8("Priority")?;
        self.expire_time = r.fixed_str("ExpireTime", 16)?;
        self.schedule_time = r.fixed_str("ScheduleTime", 16)?;
        Ok(())
    }

    /// Reads ReportFlag … Reserve into `self`.
    fn decode_message(&mut self, r: &mut Reader<'_>) -> Result<(), DecodeError> {
        self.report_flag = ReportFlag(r.u8("ReportFlag")?);
        self.tp_pid = r.u8("TP_pid")?;
        self.tp_udhi = r.u8("TP_udhi")?;
        self.message_coding = MessageCoding(r.u8("MessageCoding")?);
        self.message_type = r.u8("MessageType")?;
        self.message_content = read_content(r)?;
        self.reserve = r.array("Reserve")?;
        Ok(())
    }
}

impl Body for Submit {
    fn decode(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut s = Self::decode_addresses(r)?;
        s.decode_billing(r)?;
        s.decode_message(r)?;
        Ok(s)
    }

    /// Over-long fields are cut and recipients past 255 dropped (see [`Submit::validate`]) so
    /// the frame stays well formed: UserCount always matches the numbers written.
    fn encode(&self, w: &mut Writer) {
        w.fixed(&self.sp_number, NUMBER_LEN).fixed(&self.charge_number, NUMBER_LEN);
        let users = &self.user_numbers[..self.user_numbers.len().min(255)];
        w.u8(users.len() as u8);
        for number in users {
            w.fixed(number, NUMBER_LEN);
        }
        w.fixed(&self.corp_id, 5).fixed(&self.service_type, 10).u8(self.fee_type.0);
        w.fixed(&self.fee_value, 6).fixed(&self.given_value, 6);
        w.u8(self.agent_flag).u8(self.morelateto_mt_flag).u8(self.priority);
        w.fixed(&self.expire_time, 16).fixed(&self.schedule_time, 16);
        w.u8(self.report_flag.0).u8(self.tp_pid).u8(self.tp_udhi);
        w.u8(self.message_coding.0).u8(self.message_type);
        write_content(w, &self.message_content);
        w.bytes(&self.reserve);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip, SEQ};
    use crate::{Frame, Pdu};

    /// The values testdata/submit.hex encodes.
    fn fixture_submit() -> Submit {
        Submit {
            sp_number: b"10655012345".to_vec(),
            user_numbers: vec![b"8613012345678".to_vec(), b"8615512345678".to_vec()],
            corp_id: b"12345".to_vec(),
            service_type: b"HYNOTIFY".to_vec(),
            expire_time: b"251121203225032+".to_vec(),
            message_content: "你好".encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ..Submit::default()
        }
    }

    #[test]
    fn fixture() {
        let bytes = hex(include_str!("../../testdata/submit.hex"));
        assert_eq!(bytes.len(), 143 + 21 * 2 + 4);
        let frame = Frame { sequence: SEQ, pdu: Pdu::Submit(fixture_submit()) };
        assert_eq!(Frame::decode(&bytes).unwrap(), frame);
        assert_eq!(frame.encode(), bytes);
    }

    #[test]
    fn long_message_segment_fixture() {
        let bytes = hex(include_str!("../../testdata/submit_udh.hex"));
        let Pdu::Submit(submit) = Frame::decode(&bytes).unwrap().pdu else { panic!("not a Submit") };
        assert_eq!(submit.tp_udhi, 1);
        assert_eq!(submit.message_content[..6], [0x05, 0x00, 0x03, 0x2a, 0x02, 0x01]);
        assert_eq!(submit.reserve, *b"LINK0001");
        assert_eq!(submit.charge_number, b"8613012345678");
        assert_eq!(Frame { sequence: SEQ, pdu: Pdu::Submit(submit) }.encode(), bytes);
    }

    #[test]
    fn lengths_follow_the_spec_formula() {
        for (n, l) in [(1usize, 0usize), (1, 140), (3, 7), (100, 1000)] {
            let submit = Submit {
                user_numbers: vec![b"8613012345678".to_vec(); n],
                message_content: vec![0x5a; l],
                ..fixture_submit()
            };
            assert_eq!(submit.validate(), Ok(()));
            round_trip(Pdu::Submit(submit), 143 + 21 * n + l);
        }
    }

    #[test]
    fn truncation_and_trailing_bytes_are_errors() {
        assert_exact(&Frame { sequence: SEQ, pdu: Pdu::Submit(fixture_submit()) }.encode());
    }

    #[test]
    fn user_count_must_be_1_to_100() {
        let mut bytes = hex(include_str!("../../testdata/submit.hex"));
        for bad in [0u8, 101, 255] {
            bytes[20 + 42] = bad;
            let err = Frame::decode(&bytes).unwrap_err();
            assert!(err.to_string().contains("UserCount"), "{err}");
        }
        let none = Submit { user_numbers: Vec::new(), ..fixture_submit() };
        assert!(matches!(none.validate(), Err(EncodeError::Count { count: 0, .. })));
        let many = Submit { user_numbers: vec![b"86130".to_vec(); 101], ..fixture_submit() };
        assert!(matches!(many.validate(), Err(EncodeError::Count { count: 101, .. })));
    }

    #[test]
    fn validate_reports_fields_that_would_be_cut() {
        let long = Submit { user_numbers: vec![vec![b'8'; 22]], ..fixture_submit() };
        assert_eq!(long.validate(), Err(EncodeError::TooLong { field: "UserNumber", len: 22, max: 21 }));
        let long = Submit { expire_time: b"251121203225032+X".to_vec(), ..fixture_submit() };
        assert!(matches!(long.validate(), Err(EncodeError::TooLong { field: "ExpireTime", .. })));
    }
}
