//! SMGP PDUs ↔ domain values. The only place where the two meet.

use crate::raw::Raw;
use hongyan_smgp_proto::pdu::{Deliver, StatusReport, Submit, SubmitResp};
use hongyan_smgp_proto::{MsgFormat, Status, Tlv};
use hongyan_types::ReportIn;
use hongyan_types::Timestamp;

use super::SmgpSettings;
use crate::adapter::{SubmitAnswer, Work};

/// "System busy" (smgp.md §10): what an SMGW answers above the contracted rate.
const SYSTEM_BUSY: u32 = 1;

pub(crate) fn submit(cfg: &SmgpSettings, w: &Work) -> Submit {
    let mut s = Submit {
        need_report: 1,
        service_id: cfg.service_id.as_bytes().to_vec(),
        msg_format: MsgFormat::UCS2,
        src_term_id: crate::adapter::source_with_ext(&cfg.src_term_id, &w.source_ext, 21),
        dest_term_ids: vec![w.to.as_bytes().to_vec()],
        msg_content: w.payload.clone(),
        ..Submit::default()
    };
    if w.udh {
        s.tlvs.set(Tlv::TpUdhi(1));
        s.tlvs.set(Tlv::PkTotal(w.total));
        s.tlvs.set(Tlv::PkNumber(w.number));
    }
    s
}

pub(crate) fn answer(resp: &SubmitResp) -> SubmitAnswer {
    match resp.status.0 {
        0 => SubmitAnswer::Accepted { carrier_msg_id: resp.msg_id.to_string() },
        SYSTEM_BUSY => SubmitAnswer::Throttled,
        // 2: too many connections, 99: vendor "system error" — the gateway's own trouble.
        code @ (2 | 99) => SubmitAnswer::Transient { code, text: format!("SMGP status {code}: {}", Status(code)) },
        code => SubmitAnswer::Refused { code, text: format!("SMGP status {code}: {}", Status(code)) },
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim_end_matches(['\0', ' ']).to_owned()
}

pub(crate) fn report(channel: &str, d: &Deliver, r: &StatusReport, received_at: Timestamp) -> ReportIn {
    let done = text(&r.done_date);
    let raw = Raw::new()
        .str("deliver_msg_id", &d.msg_id.to_string())
        .str("dest_term_id", &text(&d.dest_term_id))
        .str("dlvrd", &text(&r.dlvrd))
        .str("done_date", &done)
        .str("err", &text(&r.err))
        .str("id", &r.id.to_string())
        .str("protocol", "SMGP 3.0")
        .str("recv_time", &text(&d.recv_time))
        .str("src_term_id", &text(&d.src_term_id))
        .str("stat", &text(&r.stat))
        .str("sub", &text(&r.sub))
        .str("submit_date", &text(&r.submit_date))
        .finish();
    ReportIn {
        channel: channel.to_owned(),
        carrier_msg_id: r.id.to_string(),
        stat: text(&r.stat),
        done_at: Timestamp::parse_beijing_yymmddhhmm(&done),
        received_at,
        raw,
    }
}
