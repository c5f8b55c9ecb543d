//! CMPP_DELIVER (cmpp.md §10): an MO message, or (Registered_Delivery = 1) a status report
//! whose Msg_Content is the fixed [`StatusReport`] body. 2.0 and 3.0 differ in the terminal
//! id size (21 vs 32), the 3.0-only Src_terminal_type, the trailer (Reserve 8 vs LinkID 20)
//! and the report body size (60 vs 71).

use super::{capped, check_count, check_len, link_id_len, terminal_id_len, Body, EncodeError};
use crate::{CommandId, MsgFmt, Version};
use hongyan_wire::{DecodeError, Reader, Writer};

/// CMPP_DELIVER body. Total_Length 85 + L (2.0) or 109 + L (3.0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deliver {
    /// Msg_Id of this DELIVER (not the id of the MT a report is about).
    pub msg_id: u64,
    /// Dest_Id (21): service code the user sent to; for a report, the original Src_Id.
    pub dest_id: Vec<u8>,
    /// Service_Id (10).
    pub service_id: Vec<u8>,
    /// TP_pid (GSM 03.40).
    pub tp_pid: u8,
    /// TP_udhi: 1 when `msg_content` starts with a UDH (long MO).
    pub tp_udhi: u8,
    /// Msg_Fmt: content coding.
    pub msg_fmt: MsgFmt,
    /// Src_terminal_Id (21 / 32): the sender; for a report, the MT's recipient.
    pub src_terminal_id: Vec<u8>,
    /// Src_terminal_type, 3.0 only: 0 real, 1 pseudo number. Not sent in 2.0.
    pub src_terminal_type: u8,
    /// Registered_Delivery: 0 MO message, 1 status report.
    pub registered_delivery: u8,
    /// Msg_Content; Msg_Length is its length.
    pub msg_content: Vec<u8>,
    /// 3.0 LinkID (20) to echo in an on-demand reply; 2.0 Reserve (8).
    pub link_id: Vec<u8>,
}

/// The status report carried in a DELIVER's Msg_Content. 60 bytes (2.0) or 71 (3.0).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StatusReport {
    /// Msg_Id from the original SUBMIT_RESP: the key that finds the MT.
    pub msg_id: u64,
    /// Stat (7): `DELIVRD` on success; anything else is a failure.
    pub stat: Vec<u8>,
    /// Submit_time (10): `YYMMDDHHMM`.
    pub submit_time: Vec<u8>,
    /// Done_time (10): `YYMMDDHHMM`.
    pub done_time: Vec<u8>,
    /// Dest_terminal_Id (21 / 32): the number the MT was sent to.
    pub dest_terminal_id: Vec<u8>,
    /// SMSC_sequence.
    pub smsc_sequence: u32,
}

/// Report body size in 2.0 and 3.0.
const REPORT_LEN_V20: usize = 60;
const REPORT_LEN_V30: usize = 71;

impl Deliver {
    /// A DELIVER carrying `report`, addressed back the way an ISMG does it: the report's
    /// recipient becomes Src_terminal_Id. The caller sets `msg_id` and `dest_id`.
    pub fn with_report(report: &StatusReport, version: Version) -> Self {
        Self {
            src_terminal_id: report.dest_terminal_id.clone(),
            registered_delivery: 1,
            msg_content: report.encode(version),
            ..Self::default()
        }
    }

    /// The status report, when this DELIVER is one (Registered_Delivery = 1).
    ///
    /// The body layout is picked by its length when that is unambiguous (60 → 2.0,
    /// 71 → 3.0) and by `version` otherwise, because some ISMGs send the 2.0 report body on
    /// 3.0 links; Msg_Length already bounds the content exactly, so this cannot misread a
    /// truncated frame.
    pub fn report(&self, version: Version) -> Option<Result<StatusReport, DecodeError>> {
        if self.registered_delivery != 1 {
            return None;
        }
        let layout = match self.msg_content.len() {
            REPORT_LEN_V20 => Version::V20,
            REPORT_LEN_V30 => Version::V30,
            _ => version,
        };
        Some(StatusReport::decode(&self.msg_content, layout))
    }

    /// Checks every field fits its wire size in `version`, so encoding cuts nothing.
    pub fn validate(&self, version: Version) -> Result<(), EncodeError> {
        check_len("Dest_Id", &self.dest_id, 21)?;
        check_len("Service_Id", &self.service_id, 10)?;
        check_len("Src_terminal_Id", &self.src_terminal_id, terminal_id_len(version))?;
        check_count("Msg_Length", self.msg_content.len(), 255)?;
        check_len("LinkID", &self.link_id, link_id_len(version))
    }
}

impl Body for Deliver {
    const COMMAND: CommandId = CommandId::DELIVER;

    fn decode(r: &mut Reader<'_>, version: Version) -> Result<Self, DecodeError> {
        let mut d = Self {
            msg_id: r.u64("Msg_Id")?,
            dest_id: r.fixed_str("Dest_Id", 21)?,
            service_id: r.fixed_str("Service_Id", 10)?,
            tp_pid: r.u8("TP_pid")?,
            tp_udhi: r.u8("TP_udhi")?,
            msg_fmt: MsgFmt(r.u8("Msg_Fmt")?),
            src_terminal_id: r.fixed_str("Src_terminal_Id", terminal_id_len(version))?,
            ..Self::default()
        };
        if version.is_v3() {
            d.src_terminal_type = r.u8("Src_terminal_type")?;
        }
        d.registered_delivery = r.u8("Registered_Delivery")?;
        let len = r.u8("Msg_Length")?;
        d.msg_content = r.bytes("Msg_Content", len.into())?.to_vec();
        d.link_id = r.fixed_str("LinkID", link_id_len(version))?;
        Ok(d)
    }

    /// Over-long fields are cut (see [`Deliver::validate`]) so the frame stays well formed.
    fn encode(&self, w: &mut Writer, version: Version) {
        w.u64(self.msg_id).fixed(&self.dest_id, 21).fixed(&self.service_id, 10);
        w.u8(self.tp_pid).u8(self.tp_udhi).u8(self.msg_fmt.0);
        w.fixed(&self.src_terminal_id, terminal_id_len(version));
        if version.is_v3() {
            w.u8(self.src_terminal_type);
        }
        let (content, len) = capped(&self.msg_content);
        w.u8(self.registered_delivery).u8(len).bytes(content);
        w.fixed(&self.link_id, link_id_len(version));
    }
}

impl StatusReport {
    /// True only for `DELIVRD`, the one success state.
    pub fn is_delivered(&self) -> bool {
        self.stat == b"DELIVRD"
    }

    /// The report body in `version`'s layout (60 or 71 bytes).
    pub fn encode(&self, version: Version) -> Vec<u8> {
        let mut w = Writer::with_capacity(REPORT_LEN_V30);
        w.u64(self.msg_id).fixed(&self.stat, 7);
        w.fixed(&self.submit_time, 10).fixed(&self.done_time, 10);
        w.fixed(&self.dest_terminal_id, terminal_id_len(version));
        w.u32(self.smsc_sequence);
        w.into_vec()
    }

    /// Decodes a report body in `version`'s layout; it must be exactly 60 or 71 bytes.
    pub fn decode(bytes: &[u8], version: Version) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let report = Self {
            msg_id: r.u64("Msg_Id")?,
            stat: r.fixed_str("Stat", 7)?,
            submit_time: r.fixed_str("Submit_time", 10)?,
            done_time: r.fixed_str("Done_time", 10)?,
            dest_terminal_id: r.fixed_str("Dest_terminal_Id", terminal_id_len(version))?,
            smsc_sequence: r.u32("SMSC_sequence")?,
        };
        r.finish()?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{assert_exact, hex, round_trip};
    use crate::{Frame, Pdu};

    fn fixture_report() -> StatusReport {
        StatusReport {
            msg_id: 0xA7A5_E000_03E9_0001,
            stat: b"DELIVRD".to_vec(),
            submit_time: b"2510150930".to_vec(),
            done_time: b"2510150931".to_vec(),
            dest_terminal_id: b"13800138000".to_vec(),
            smsc_sequence: 7,
        }
    }

    #[test]
    fn v3_report_fixture() {
        let bytes = hex(include_str!("../../testdata/deliver_report_v30.hex"));
        assert_eq!(bytes.len(), 109 + 71);
        let frame = Frame::decode(&bytes, Version::V30).unwrap();
        let Pdu::Deliver(deliver) = &frame.pdu else { panic!("{frame:?}") };
        assert_eq!(frame.sequence_id, 9);
        assert_eq!(deliver.dest_id, b"106900001234");
        let report = deliver.report(Version::V30).unwrap().unwrap();
        assert_eq!(report, fixture_report());
        assert!(report.is_delivered());
        // Rebuilding it from its parts gives the same bytes.
        let rebuilt = Deliver {
            msg_id: 0xA7A5_E000_03E9_0002,
            dest_id: b"106900001234".to_vec(),
            service_id: b"HYTAX".to_vec(),
            ..Deliver::with_report(&report, Version::V30)
        };
        assert_eq!(Frame { sequence_id: 9, pdu: Pdu::Deliver(rebuilt) }.encode(Version::V30), bytes);
    }

    #[test]
    fn v2_mo_fixture() {
        let bytes = hex(include_str!("../../testdata/deliver_mo_v20.hex"));
        assert_eq!(bytes.len(), 85 + 4);
        let deliver = Deliver {
            msg_id: 0xA7A5_E000_03E9_0003,
            dest_id: b"1069000012345".to_vec(),
            msg_fmt: MsgFmt::GB,
            src_terminal_id: b"13800138000".to_vec(),
            msg_content: vec![0xcd, 0xcb, 0xb6, 0xa9],
            ..Deliver::default()
        };
        let frame = Frame { sequence_id: 10, pdu: Pdu::Deliver(deliver.clone()) };
        assert_eq!(Frame::decode(&bytes, Version::V20).unwrap(), frame);
        assert_eq!(frame.encode(Version::V20), bytes);
        assert!(deliver.report(Version::V20).is_none());
    }

    #[test]
    fn v2_report_body_fixture() {
        let bytes = hex(include_str!("../../testdata/report_v20.hex"));
        assert_eq!(StatusReport::decode(&bytes, Version::V20).unwrap(), fixture_report());
        assert_eq!(fixture_report().encode(Version::V20), bytes);
        assert_eq!(fixture_report().encode(Version::V30).len(), 71);
        // A 2.0 body is accepted from a 3.0 link, where some ISMGs send it.
        let deliver = Deliver { registered_delivery: 1, msg_content: bytes, ..Deliver::default() };
        assert_eq!(deliver.report(Version::V30).unwrap().unwrap(), fixture_report());
    }

    #[test]
    fn report_bodies_are_exact() {
        for version in [Version::V20, Version::V30] {
            let body = fixture_report().encode(version);
            for cut in 0..body.len() {
                assert!(StatusReport::decode(&body[..cut], version).is_err());
            }
            let mut long = body.clone();
            long.push(0);
            assert_eq!(StatusReport::decode(&long, version), Err(DecodeError::TrailingData(1)));
        }
        let odd = Deliver { registered_delivery: 1, msg_content: vec![0; 20], ..Deliver::default() };
        assert!(odd.report(Version::V30).unwrap().is_err());
    }

    #[test]
    fn lengths_round_trips_and_exactness() {
        for l in [0usize, 1, 140, 255] {
            let deliver = Deliver {
                msg_id: 5,
                dest_id: b"106900001234567890123".to_vec(),
                src_terminal_id: vec![b'8'; 21],
                tp_udhi: 1,
                msg_content: vec![0x41; l],
                link_id: b"linkid".to_vec(),
                ..Deliver::default()
            };
            let v2 = round_trip(Pdu::Deliver(deliver.clone()), Version::V20, 85 + l);
            let v3_deliver = Deliver { src_terminal_type: 1, ..deliver };
            let v3 = round_trip(Pdu::Deliver(v3_deliver), Version::V30, 109 + l);
            if l == 1 {
                assert_exact(&v2, Version::V20);
                assert_exact(&v3, Version::V30);
            }
        }
    }
}
