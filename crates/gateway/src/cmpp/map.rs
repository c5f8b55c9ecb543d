//! CMPP PDUs ↔ domain values. The only place where the two meet.

use crate::raw::Raw;
use hongyan_cmpp_proto::pdu::{Deliver, StatusReport, Submit, SubmitResp};
use hongyan_cmpp_proto::{MsgFmt, SubmitResult, Version};
use hongyan_types::ReportIn;
use hongyan_types::Timestamp;

use super::CmppSettings;
use crate::adapter::{SubmitAnswer, Work};

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

/// What a SUBMIT_RESP result means, in the codec's own words (cmpp.md §8); the codes it has
/// no name for are the ISMG vendor's (100–199) or reserved.
pub(crate) fn result_text(result: SubmitResult) -> String {
    let text = match (result.label(), result.0) {
        (Some(label), _) => label,
        (None, 100..=199) => "vendor-defined error",
        (None, _) => "reserved result code",
    };
    format!("CMPP result {}: {text}", result.0)
}

pub(crate) fn answer(resp: &SubmitResp) -> SubmitAnswer {
    match resp.result {
        SubmitResult::OK => SubmitAnswer::Accepted { carrier_msg_id: resp.msg_id.to_string() },
        // The ISMG wants us slower; the message is fine.
        SubmitResult::FLOW_CONTROL => SubmitAnswer::Throttled,
        // Vendor codes (100–199) are most often the ISMG's own trouble: worth a retry.
        r @ SubmitResult(code @ 100..=199) => SubmitAnswer::Transient { code, text: result_text(r) },
        r => SubmitAnswer::Refused { code: r.0, text: result_text(r) },
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
    let raw = Raw::new()
        .str("deliver_msg_id", &d.msg_id.to_string())
        .str("dest_id", &text(&d.dest_id))
        .str("dest_terminal_id", &text(&r.dest_terminal_id))
        .str("done_time", &done_time)
        .str("msg_id", &r.msg_id.to_string())
        .str("protocol", if version.is_v3() { "CMPP 3.0" } else { "CMPP 2.0" })
        .str("service_id", &text(&d.service_id))
        .int("smsc_sequence", r.smsc_sequence)
        .str("stat", &text(&r.stat))
        .str("submit_time", &text(&r.submit_time))
        .finish();
    ReportIn {
        channel: channel.to_owned(),
        carrier_msg_id: r.msg_id.to_string(),
        stat: text(&r.stat),
        done_at: Timestamp::parse_beijing_yymmddhhmm(&done_time),
        received_at,
        raw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(result: u32) -> SubmitAnswer {
        answer(&SubmitResp { msg_id: 42, result: SubmitResult(result) })
    }

    #[test]
    fn results_read_as_the_codec_names_them_and_vendor_codes_are_worth_a_retry() {
        assert!(matches!(answered(0), SubmitAnswer::Accepted { carrier_msg_id } if carrier_msg_id == "42"));
        assert!(matches!(answered(8), SubmitAnswer::Throttled));
        let SubmitAnswer::Refused { code: 13, text } = answered(13) else { panic!("13 is a refusal") };
        assert_eq!(text, "CMPP result 13: Dest_terminal_Id error");
        let SubmitAnswer::Transient { code: 150, text } = answered(150) else { panic!("150 is the vendor's") };
        assert_eq!(text, "CMPP result 150: vendor-defined error");
        let SubmitAnswer::Refused { code: 60, text } = answered(60) else { panic!("60 is a refusal") };
        assert_eq!(text, "CMPP result 60: reserved result code");
    }
}
