//! CMPP PDUs ↔ domain values. The only place where the two meet.

use hongyan_cmpp_proto::pdu::{Deliver, StatusReport, Submit, SubmitResp};
use hongyan_cmpp_proto::{MsgFmt, Version};
use hongyan_store::ReportIn;
use hongyan_types::Timestamp;
use serde_json::json;

use super::CmppSettings;
use crate::adapter::{SubmitAnswer, Work};

/// CMPP result code for "flow control": the ISMG wants us slower, the message is fine.
const FLOW_CONTROL: u32 = 8;

pub(crate) fn submit(cfg: &CmppSettings, w: &Work) -> Submit {
    Submit {
        pk_total: w.total,
        pk_number: w.number,
        registered_delivery: 1,
        service_id: cfg.service_id.as_bytes().to_vec(),
        tp_udhi: u8::from(w.udh),
        msg_fmt: MsgFmt::UCS2,
        msg_src: cfg.sp_id.as_bytes().to_vec(),
        src_id: crate::adapter::source_with_ext(&cfg.src_id, &w.source_ext, 21),
        dest_terminal_ids: vec![w.to.as_bytes().to_vec()],
        msg_content: w.payload.clone(),
        ..Submit::default()
    }
}

/// What CMPP's SUBMIT_RESP result codes mean (cmpp.md §8).
pub(crate) fn result_text(code: u32) -> String {
    let text = match code {
        0 => "OK",
        1 => "message structure error",
        2 => "command word error",
        3 => "duplicate sequence number",
        4 => "message length error",
        5 => "fee code error",
        6 => "message too long",
        7 => "Service_Id error",
        8 => "flow control error",
        9 => "this gateway does not serve the charged number",
        10 => "Src_Id error",
        11 => "Msg_src error",
        12 => "Fee_terminal_Id error",
        13 => "Dest_terminal_Id error",
        100..=199 => "vendor-defined error",
        _ => "reserved result code",
    };
    format!("CMPP result {code}: {text}")
}

pub(crate) fn answer(resp: &SubmitResp) -> SubmitAnswer {
    match resp.result.0 {
        0 => SubmitAnswer::Accepted { carrier_msg_id: resp.msg_id.to_string() },
        FLOW_CONTROL => SubmitAnswer::Throttled,
        // Vendor codes (100–199) are most often the ISMG's own trouble: worth a retry.
        code @ 100..=199 => SubmitAnswer::Transient { code, text: result_text(code) },
        code => SubmitAnswer::Refused { code, text: result_text(code) },
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A status report as the engine wants it; every field is also kept raw for the detail page.
pub(crate) fn report(
    channel: &str,
    d: &Deliver,
    r: &StatusReport,
    version: Version,
    received_at: Timestamp,
) -> ReportIn {
    let done_time = text(&r.done_time);
    let raw = json!({
        "protocol": if version.is_v3() { "CMPP 3.0" } else { "CMPP 2.0" },
        "deliver_msg_id": d.msg_id.to_string(),
        "msg_id": r.msg_id.to_string(),
        "stat": text(&r.stat),
        "submit_time": text(&r.submit_time),
        "done_time": done_time,
        "dest_terminal_id": text(&r.dest_terminal_id),
        "smsc_sequence": r.smsc_sequence,
        "dest_id": text(&d.dest_id),
        "service_id": text(&d.service_id),
    });
    ReportIn {
        channel: channel.to_owned(),
        carrier_msg_id: r.msg_id.to_string(),
        stat: text(&r.stat),
        done_at: Timestamp::parse_beijing_yymmddhhmm(&done_time),
        received_at,
        raw: raw.to_string(),
    }
}
