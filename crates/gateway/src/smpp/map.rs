//! SMPP PDUs ↔ domain values. The only place where the two meet.

use crate::raw::Raw;
use hongyan_smpp_proto::pdu::{DeliverSm, SubmitSm, SubmitSmResp};
use hongyan_smpp_proto::{Address, CommandStatus, DataCoding, EsmClass, MessageState, Npi, RegisteredDelivery, Ton};
use hongyan_types::ReportIn;
use hongyan_types::Timestamp;

use super::SmppSettings;
use crate::adapter::{SubmitAnswer, Work};

/// ESME_RSYSERR, ESME_RSUBMITFAIL, ESME_RX_T_APPN: the SMSC's own trouble, worth a retry.
const TRANSIENT: [u32; 3] = [0x08, 0x45, 0x64];

pub(crate) fn submit(cfg: &SmppSettings, w: &Work) -> SubmitSm {
    SubmitSm {
        service_type: cfg.service_type.as_bytes().to_vec(),
        source: Address {
            ton: Ton::UNKNOWN,
            npi: Npi::UNKNOWN,
            addr: crate::adapter::source_with_ext(&cfg.source, &w.source_ext, 20),
        },
        // International form: an SMSC outside China cannot guess the country.
        dest: Address { ton: Ton::INTERNATIONAL, npi: Npi::ISDN, addr: format!("86{}", w.to).into_bytes() },
        esm_class: if w.udh { EsmClass::UDHI } else { EsmClass::DEFAULT },
        registered_delivery: RegisteredDelivery::RECEIPT,
        data_coding: DataCoding::UCS2,
        short_message: w.payload.clone(),
        ..SubmitSm::default()
    }
}

pub(crate) fn answer(status: CommandStatus, resp: &SubmitSmResp) -> SubmitAnswer {
    if status.is_ok() {
        SubmitAnswer::Accepted { carrier_msg_id: String::from_utf8_lossy(&resp.message_id).into_owned() }
    } else if status.is_throttling() {
        SubmitAnswer::Throttled
    } else if TRANSIENT.contains(&status.0) {
        SubmitAnswer::Transient { code: status.0, text: format!("SMPP {status}") }
    } else {
        SubmitAnswer::Refused { code: status.0, text: format!("SMPP {status}") }
    }
}

/// A delivery receipt as the engine wants it; `None` when it carries no message id.
///
/// The message_state TLV decides over the text's `stat:` when both are present (SMPP 3.4
/// §5.3.2.35 makes the TLVs the receipt's reliable part; the text is free-form), and is
/// given as the text's word for it (`DELIVRD`, `UNDELIV`, …), the one statuses are judged by.
pub(crate) fn report(channel: &str, d: &DeliverSm, received_at: Timestamp) -> Option<ReportIn> {
    let id = String::from_utf8_lossy(&d.receipted_message_id()?).into_owned();
    let receipt = d.receipt().and_then(Result::ok);
    let state = d.tlvs.message_state();
    let stat = state
        .and_then(MessageState::stat)
        .map(str::to_owned)
        .or_else(|| receipt.as_ref().and_then(|r| r.stat.clone()))
        .unwrap_or_else(|| "UNKNOWN".into());
    let done = receipt.as_ref().and_then(|r| r.done_date.clone());
    let raw = Raw::new()
        .opt_str("done_date", done.as_deref())
        .opt_str("err", receipt.as_ref().and_then(|r| r.err.as_deref()))
        .opt_int("message_state", state.map(|s| s.0))
        .str("protocol", "SMPP 3.4")
        .str("receipted_message_id", &id)
        .str("stat", &stat)
        .opt_str("submit_date", receipt.as_ref().and_then(|r| r.submit_date.as_deref()))
        .str("text", &d.text())
        .finish();
    Some(ReportIn {
        channel: channel.to_owned(),
        carrier_msg_id: id,
        stat,
        done_at: done.as_deref().and_then(Timestamp::parse_beijing_yymmddhhmm),
        received_at,
        raw,
    })
}

#[cfg(test)]
mod tests {
    use hongyan_smpp_proto::{DeliveryReceipt, TlvTag};

    use super::*;

    fn receipt(stat: &str) -> DeliverSm {
        let receipt = DeliveryReceipt { id: "0a1b".into(), stat: Some(stat.into()), ..DeliveryReceipt::default() };
        DeliverSm::with_receipt(Address::default(), Address::default(), &receipt)
    }

    #[test]
    fn the_message_state_tlv_decides_and_is_named_by_its_receipt_word() {
        let at = Timestamp::from_millis(0);
        // Only the TLVs: DELIVERED is the stat DELIVRD, not the state's display name.
        let mut tlvs_only = receipt("DELIVRD");
        tlvs_only.short_message.clear();
        assert_eq!(report("ch", &tlvs_only, at).unwrap().stat, "DELIVRD");
        // Both, disagreeing: the TLV wins.
        let mut both = receipt("DELIVRD");
        both.tlvs.set(TlvTag::MESSAGE_STATE, [MessageState::UNDELIVERABLE.0]);
        let r = report("ch", &both, at).unwrap();
        assert_eq!((r.carrier_msg_id.as_str(), r.stat.as_str()), ("0a1b", "UNDELIV"));
        let mut rejected = tlvs_only.clone();
        rejected.tlvs.set(TlvTag::MESSAGE_STATE, [MessageState::REJECTED.0]);
        assert_eq!(report("ch", &rejected, at).unwrap().stat, "REJECTD");
    }
}
