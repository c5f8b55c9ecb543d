//! A client's message in its final state as CMPP status reports: one DELIVER
//! (Registered_Delivery = 1) per Msg_Id the client was given.

use crate::clients::receipt_stat;
use hongyan_cmpp_proto::pdu::{Deliver, StatusReport};
use hongyan_cmpp_proto::Version;
use hongyan_types::FinalReport;

/// One DELIVER per part id; `next_id` gives each DELIVER its own Msg_Id.
pub(crate) fn reports(f: &FinalReport, version: Version, mut next_id: impl FnMut() -> u64) -> Vec<Deliver> {
    let done = f.completed_at.unwrap_or(f.accepted_at);
    f.part_ids
        .iter()
        .map(|id| {
            let report = StatusReport {
                msg_id: id.parse().unwrap_or(0),
                stat: receipt_stat(f.status).as_bytes().to_vec(),
                submit_time: f.accepted_at.beijing_yymmddhhmm().into_bytes(),
                done_time: done.beijing_yymmddhhmm().into_bytes(),
                dest_terminal_id: f.to.as_bytes().to_vec(),
                smsc_sequence: 0,
            };
            let mut d = Deliver::with_report(&report, version);
            d.msg_id = next_id();
            d.dest_id = f.source.as_bytes().iter().copied().take(21).collect();
            d
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongyan_types::{MessageId, MessageStatus, Timestamp};

    #[test]
    fn one_report_per_msg_id_that_decodes_back() {
        let f = FinalReport {
            message_id: MessageId(9),
            to: "13800138000".into(),
            status: MessageStatus::Delivered,
            error: None,
            accepted_at: Timestamp::from_millis(1_795_910_782_000),
            completed_at: None,
            source: "106900001".into(),
            part_ids: vec!["101".into(), "102".into()],
            text_start: String::new(),
        };
        let mut n = 500;
        let d = reports(&f, Version::V30, || {
            n += 1;
            n
        });
        assert_eq!(d.len(), 2);
        let r = d[1].report(Version::V30).unwrap().unwrap();
        assert_eq!(
            (r.msg_id, r.stat.as_slice(), r.dest_terminal_id.as_slice()),
            (102, &b"DELIVRD"[..], &b"13800138000"[..])
        );
        assert_eq!((d[0].msg_id, d[1].msg_id, d[0].dest_id.as_slice()), (501, 502, &b"106900001"[..]));
        assert!(d[0].validate(Version::V30).is_ok());
    }
}
