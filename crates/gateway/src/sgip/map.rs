//! SGIP PDUs ↔ domain values. The only place where the two meet.

use crate::raw::Raw;
use hongyan_sgip_proto::pdu::{Report, Resp, Submit};
use hongyan_sgip_proto::{MessageCoding, ReportFlag, ReportState, ResultCode, Sequence};
use hongyan_types::ReportIn;
use hongyan_types::Timestamp;

use super::SgipSettings;
use crate::adapter::{SubmitAnswer, Work};

/// Results that mean "slow down": node busy (1.2), flow limit exceeded (1.3) and the common
/// vendor flow-control code (sgip.md §9).
const THROTTLING: [u8; 3] = [11, 33, 88];

pub(crate) fn submit(cfg: &SgipSettings, w: &Work) -> Submit {
    Submit {
        sp_number: crate::adapter::source_with_ext(&cfg.sp_number, &w.source_ext, 21),
        // SGIP numbers carry the country code.
        user_numbers: vec![format!("86{}", w.to).into_bytes()],
        corp_id: cfg.corp_id.as_bytes().to_vec(),
        service_type: cfg.service_type.as_bytes().to_vec(),
        report_flag: ReportFlag::ALWAYS,
        tp_udhi: u8::from(w.udh),
        message_coding: MessageCoding::UCS2,
        message_content: w.payload.clone(),
        ..Submit::default()
    }
}

pub(crate) fn answer(sequence: &Sequence, resp: &Resp) -> SubmitAnswer {
    match resp.result {
        ResultCode::OK => SubmitAnswer::Accepted { carrier_msg_id: sequence.to_string() },
        r if THROTTLING.contains(&r.0) => SubmitAnswer::Throttled,
        // 32: system failure (1.2), 99: unknown error — the SMG's own trouble.
        r if [32, 99].contains(&r.0) => {
            SubmitAnswer::Transient { code: u32::from(r.0), text: format!("SGIP result {}: {r}", r.0) }
        }
        r => SubmitAnswer::Refused { code: u32::from(r.0), text: format!("SGIP result {}: {r}", r.0) },
    }
}

/// A Report as the engine wants it; `None` for the intermediate "waiting" state.
pub(crate) fn report(channel: &str, r: &Report, received_at: Timestamp) -> Option<ReportIn> {
    let stat = match r.state {
        ReportState::DELIVERED => "DELIVRD".to_owned(),
        ReportState::WAITING => return None,
        _ => format!("UNDELIV:{:03}", r.error_code.0),
    };
    let raw = Raw::new()
        .int("error_code", r.error_code.0)
        .str("error_text", &r.error_code.to_string())
        .str("protocol", "SGIP 1.2")
        .int("report_type", r.report_type.0)
        .int("state", r.state.0)
        .str("state_text", &r.state.to_string())
        .str("submit_sequence", &r.submit_sequence.to_string())
        .str("user_number", &String::from_utf8_lossy(&r.user_number))
        .finish();
    Some(ReportIn {
        channel: channel.to_owned(),
        carrier_msg_id: r.submit_sequence.to_string(),
        stat,
        done_at: None,
        received_at,
        raw,
    })
}
