//! A client's message in its final state as SMPP delivery receipts: one deliver_sm per part id
//! the client was given, in the customary text format, with the receipted_message_id and
//! message_state TLVs that clients should prefer to the text.

use hongyan_smpp_proto::pdu::{Address, DeliverSm};
use hongyan_smpp_proto::{DeliveryReceipt, Npi, Ton};
use hongyan_types::FinalReport;
use hongyan_types::MessageStatus;

use crate::clients::receipt_stat;

/// The `err:` of the REJECTD receipts owed for the acknowledged parts of a long message the
/// platform refused as a whole (user manual, SMPP/CMPP access).
const REFUSED_ERR: &str = "001";

/// Longest address a deliver_sm carries (21 with the NUL).
const ADDR: usize = 20;

fn address(s: &str) -> Address {
    Address::new(Ton::UNKNOWN, Npi::UNKNOWN, &s.as_bytes()[..s.len().min(ADDR)])
}

/// One deliver_sm per part, from the handset to the client's source address.
pub(crate) fn receipts(f: &FinalReport) -> Vec<DeliverSm> {
    let delivered = f.status == MessageStatus::Delivered;
    let done = f.completed_at.unwrap_or(f.accepted_at);
    f.part_ids
        .iter()
        .map(|id| {
            let receipt = DeliveryReceipt {
                id: id.clone(),
                sub: Some("001".into()),
                dlvrd: Some(if delivered { "001" } else { "000" }.into()),
                submit_date: Some(f.accepted_at.beijing_yymmddhhmm()),
                done_date: Some(done.beijing_yymmddhhmm()),
                stat: Some(receipt_stat(f.status).into()),
                err: Some(if f.status == MessageStatus::Rejected { REFUSED_ERR } else { "000" }.into()),
                // The message text is the taxpayer's business, not the receipt's.
                text: Some(String::new()),
            };
            DeliverSm::with_receipt(address(&f.to), address(&f.source), &receipt)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hongyan_types::{MessageId, Timestamp};

    #[test]
    fn one_receipt_per_part_with_the_tlvs() {
        let f = FinalReport {
            message_id: MessageId(9),
            to: "13800138000".into(),
            status: MessageStatus::Undelivered,
            error: Some("UNDELIV".into()),
            accepted_at: Timestamp::from_millis(1_795_910_782_000),
            completed_at: None,
            source: "1069".into(),
            part_ids: vec!["101".into(), "102".into()],
            text_start: "您好".into(),
        };
        let r = receipts(&f);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].tlvs.receipted_message_id(), Some(&b"102"[..]));
        assert_eq!(r[0].tlvs.message_state().map(|s| s.0), Some(5), "UNDELIVERABLE");
        let text = String::from_utf8(r[0].short_message.clone()).unwrap();
        assert!(text.starts_with("id:101 sub:001 dlvrd:000 submit date:") && text.contains("stat:UNDELIV"), "{text}");
        assert_eq!((r[0].source.addr.as_slice(), r[0].dest.addr.as_slice()), (&b"13800138000"[..], &b"1069"[..]));
        assert!(r[0].is_receipt());
    }
}
