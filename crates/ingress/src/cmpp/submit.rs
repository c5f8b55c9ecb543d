//! A client's SUBMIT in the engine's terms, and the engine's answer in CMPP's Result codes.
//! Public for the fuzz target: `read` decodes what a client system sends.

use hongyan_cmpp_proto::pdu::Submit;
use hongyan_cmpp_proto::{msg_id, SubmitResult};
use hongyan_engine::{AcceptError, ClientSubmit, ClientSubmitOutcome};
use hongyan_text::{Encoding, Udh};
use hongyan_types::Category;

use hongyan_wire::field_text;

fn encoding(msg_fmt: u8) -> Option<Encoding> {
    match msg_fmt {
        0 => Some(Encoding::Ascii),
        8 => Some(Encoding::Ucs2),
        15 => Some(Encoding::Gbk),
        _ => None,
    }
}

/// One [`ClientSubmit`] per Dest_terminal_Id, the first under `client_msg_id` and recipient n
/// under [`msg_id::nth`] of it (CMPP numbers a group send's recipients from SUBMIT_RESP's one
/// Msg_Id). A long message's part comes from the UDH (TP_udhi = 1), or from
/// Pk_total/Pk_number when the client sends no UDH. `category` is the engine's look-up of a
/// Service_Id (a short code such as `VERIF`, a full name, or empty for the login's default);
/// `None` refuses the SUBMIT with Result 7 (Service_Id error).
pub fn read(
    category: impl Fn(&str) -> Option<Category>,
    submit: &Submit,
    client_msg_id: u64,
) -> Result<Vec<ClientSubmit>, SubmitResult> {
    let category = category(field_text(&submit.service_id).trim()).ok_or(SubmitResult::SERVICE_ID_ERROR)?;
    let coding = encoding(submit.msg_fmt.0).ok_or(SubmitResult::STRUCTURE_ERROR)?;
    let source = field_text(&submit.src_id);
    let (mut concat, mut body) = (None, submit.msg_content.as_slice());
    if submit.tp_udhi != 0 {
        let (udh, rest) = Udh::parse(body).map_err(|_| SubmitResult::STRUCTURE_ERROR)?;
        concat = udh.concat().map(|c| (c.reference.to_string(), c.number, c.total));
        body = rest;
    } else if submit.pk_total > 1 {
        concat = Some((String::new(), submit.pk_number, submit.pk_total));
    }
    if concat.as_ref().is_some_and(|(_, n, total)| *n == 0 || n > total) {
        return Err(SubmitResult::STRUCTURE_ERROR);
    }
    let text = coding.decode(body);
    Ok(submit
        .dest_terminal_ids
        .iter()
        .enumerate()
        .map(|(n, dest)| {
            let to = field_text(dest);
            ClientSubmit {
                protocol: "cmpp",
                client_msg_id: msg_id::nth(client_msg_id, n as u16).to_string(),
                source: source.clone(),
                part: concat.as_ref().map(|(r, n, total)| (format!("{source}|{to}|{r}|{total}"), *n, *total)),
                to,
                category,
                receipt: submit.registered_delivery == 1,
                text: text.clone(),
                sender: String::new(),
                client_addr: String::new(),
            }
        })
        .collect())
}

/// The SUBMIT_RESP Result for what the engine said.
pub(crate) fn result(outcome: &Result<ClientSubmitOutcome, AcceptError>) -> SubmitResult {
    match outcome {
        Ok(ClientSubmitOutcome::Accepted(_) | ClientSubmitOutcome::Kept) => SubmitResult::OK,
        Ok(ClientSubmitOutcome::Refused { code: "invalid_number" | "no_channel", .. }) => {
            SubmitResult::DEST_TERMINAL_ID_ERROR
        }
        Ok(ClientSubmitOutcome::Refused { .. }) => SubmitResult::STRUCTURE_ERROR,
        Err(AcceptError::RateLimited { .. } | AcceptError::QuotaExceeded { .. }) => SubmitResult::FLOW_CONTROL,
        Err(AcceptError::ContentTooLong(_)) => SubmitResult::TOO_LONG,
        Err(AcceptError::EmptyContent) => SubmitResult::LENGTH_ERROR,
        Err(_) => SubmitResult::STRUCTURE_ERROR,
    }
}
