//! A client's submit_sm in the engine's terms, and the engine's answer in SMPP's. Public for
//! the fuzz target: `read` decodes what a client system sends.

use hongyan_engine::{AcceptError, ClientSubmit, ClientSubmitOutcome};
use hongyan_smpp_proto::pdu::SubmitSm;
use hongyan_smpp_proto::CommandStatus;
use hongyan_text::{Encoding, Udh};
use hongyan_types::Category;

/// Why a submit_sm could not even be read: the status to answer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable(pub CommandStatus, pub &'static str);

/// The text coding of data_coding. 0 is the SMSC default alphabet, GSM 03.38 (unpacked).
fn encoding(data_coding: u8) -> Option<Encoding> {
    match data_coding {
        0 => Some(Encoding::Gsm7),
        1 => Some(Encoding::Ascii),
        3 => Some(Encoding::Latin1),
        8 => Some(Encoding::Ucs2),
        15 => Some(Encoding::Gbk),
        _ => None,
    }
}

/// SMPP 3.4's generic service_types (§5.2.11), which clients send by habit: they name no
/// category of ours, so they count as an empty one (the login's default).
const GENERIC_SERVICE_TYPES: [&str; 7] = ["CMT", "CPT", "VMN", "VMA", "WAP", "USSD", "CBS"];

/// The category part of a service_type: empty for none or one of SMPP's generic types.
fn named_category(service_type: &[u8]) -> String {
    let service = String::from_utf8_lossy(service_type).trim().to_owned();
    if GENERIC_SERVICE_TYPES.iter().any(|g| g.eq_ignore_ascii_case(&service)) {
        return String::new();
    }
    service
}

/// Reads `submit` as one client submit: its text, and which part of which message it is
/// (from the UDH, or the sar_* TLVs); message_payload carries a whole long message at once.
/// `category` is the engine's look-up of a service_type (a short code such as `VERIF`, a
/// full name, or empty for the login's default); `None` refuses the submit.
pub fn read(
    category: impl Fn(&str) -> Option<Category>,
    submit: &SubmitSm,
    client_msg_id: String,
) -> Result<ClientSubmit, Unreadable> {
    let category = category(&named_category(&submit.service_type))
        .ok_or(Unreadable(CommandStatus::ESME_RINVSERTYP, "service_type names no configured category"))?;
    let coding =
        encoding(submit.data_coding.0).ok_or(Unreadable(CommandStatus::ESME_RSUBMITFAIL, "unsupported data_coding"))?;
    let data = match submit.tlvs.message_payload() {
        Some(payload) if submit.short_message.is_empty() => payload,
        _ => &submit.short_message,
    };
    let source = String::from_utf8_lossy(&submit.source.addr).into_owned();
    let to = String::from_utf8_lossy(&submit.dest.addr).into_owned();
    let mut part = None;
    let body = if submit.esm_class.udhi() {
        let (udh, rest) = Udh::parse(data).map_err(|_| Unreadable(CommandStatus::ESME_RINVESMCLASS, "bad UDH"))?;
        if let Some(c) = udh.concat() {
            part = Some((format!("{source}|{to}|{}|{}", c.reference, c.total), c.number, c.total));
        }
        rest
    } else {
        if let Some(sar) = submit.tlvs.sar() {
            let key = format!("{source}|{to}|{}|{}", sar.msg_ref_num, sar.total_segments);
            part = Some((key, sar.segment_seqnum, sar.total_segments));
        }
        data
    };
    if part.as_ref().is_some_and(|(_, n, total)| *n == 0 || n > total) {
        return Err(Unreadable(CommandStatus::ESME_RINVOPTPARAMVAL, "part number outside 1..=total"));
    }
    Ok(ClientSubmit {
        protocol: "smpp",
        client_msg_id,
        source,
        to,
        category,
        receipt: submit.registered_delivery.smsc_receipt() != 0,
        text: coding.decode(body),
        part,
        sender: String::new(),
        client_addr: String::new(),
    })
}

/// The submit_sm_resp status for what the engine said.
pub(crate) fn status(outcome: &Result<ClientSubmitOutcome, AcceptError>) -> CommandStatus {
    match outcome {
        Ok(ClientSubmitOutcome::Accepted(_) | ClientSubmitOutcome::Kept) => CommandStatus::ESME_ROK,
        Ok(ClientSubmitOutcome::Refused { code: "invalid_number" | "no_channel", .. }) => {
            CommandStatus::ESME_RINVDSTADR
        }
        Ok(ClientSubmitOutcome::Refused { .. }) => CommandStatus::ESME_RSUBMITFAIL,
        Err(AcceptError::RateLimited { .. }) => CommandStatus::ESME_RTHROTTLED,
        Err(AcceptError::QuotaExceeded { .. }) => CommandStatus::ESME_RMSGQFUL,
        Err(AcceptError::EmptyContent | AcceptError::ContentTooLong(_)) => CommandStatus::ESME_RINVMSGLEN,
        Err(AcceptError::ShuttingDown | AcceptError::Store(_)) => CommandStatus::ESME_RSYSERR,
        Err(_) => CommandStatus::ESME_RSUBMITFAIL,
    }
}
