//! The SMSC side of SMPP 3.4: the international carrier (or aggregator) an ESME binds to.
//!
//! What it owns: accepting bind_transmitter / bind_receiver / bind_transceiver against its
//! accounts (system_id → password); answering submit_sm and data_sm with a 16-hex-digit
//! message_id; owing one delivery receipt per message when registered_delivery asks for it
//! (in the shared [`ReportBook`], keyed by that message_id, owed to the system_id); and
//! delivering due receipts as deliver_sm (esm_class 0x04, the de-facto receipt text, the
//! receipted_message_id and message_state TLVs — or, as [`Scenario::smpp_receipts`] asks, the
//! text alone in ASCII or UCS-2, or the TLVs alone) on any receiver or transceiver bind of that
//! system_id. A receipt is struck only by a deliver_sm_resp with ESME_ROK; a refusal, a
//! time-out or a dead link owes it again. The [`Scenario`] knobs play the bad day as in the
//! CMPP and SMGP simulators, with ESME_RTHROTTLED as the flow-control answer. On shutdown
//! each session answers what it holds and unbinds.
//!
//! What it does not do: keep messages. There is no store to query, cancel or replace, so
//! query_sm, cancel_sm, replace_sm and submit_multi are refused with their failure codes, and
//! a receipt's `text:` is left empty (the journal holds no message content). The session
//! mechanics (framing, window, enquire_link, bind-state rules) are `hongyan-smpp-proto`'s.

mod conn;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use hongyan_smpp_proto::pdu::{Address, Bind, DataSm, DeliverSm, SubmitSm};
use hongyan_smpp_proto::session::SessionConfig;
use hongyan_smpp_proto::{CommandStatus, DeliveryReceipt, Npi, RegisteredDelivery, TlvTag, Ton};
use hongyan_types::Timestamp;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::driver::drive;
use crate::journal::{OwedReport, ReportBook};
use crate::scenario::{Outcome, RateWindows, Scenario, SmppReceiptForm};
use crate::Counters;

/// The system_id the simulator gives in every bind_*_resp.
const SMSC_ID: &str = "hongyan-sim";
/// Longest address a deliver_sm carries (max 21 with the NUL). data_sm allows 65, so a
/// receipt for one is cut rather than made unsendable.
const DELIVER_ADDR: usize = 20;
/// Longest service_type (max 6 with the NUL).
const SERVICE_TYPE: usize = 5;

/// How a simulated SMSC behaves.
#[derive(Debug, Clone)]
pub struct SmppSimConfig {
    /// Accepted system_id → password.
    pub accounts: HashMap<String, String>,
    /// Delays, outcomes and misbehaviour.
    pub scenario: Scenario,
    /// Window and timers.
    pub session: SessionConfig,
}

/// A simulated SMSC serving any number of ESME connections.
pub struct SmppSim {
    cfg: SmppSimConfig,
    book: ReportBook,
    /// Messages accepted, for the outcome mix.
    messages: AtomicU64,
    // std Mutex: a map lookup, never held across an await.
    rates: RateWindows,
    mo: crate::mo::MoBox,
    fail: crate::scenario::FailEvery,
    /// What it has seen.
    pub counters: Counters,
}

impl std::fmt::Debug for SmppSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmppSim").field("book", &self.book).finish_non_exhaustive()
    }
}

/// What a submit_sm or a data_sm asks of the SMSC, whichever PDU carried it.
struct Request<'a> {
    service_type: &'a [u8],
    source: &'a Address,
    dest: &'a Address,
    registered_delivery: RegisteredDelivery,
}

impl<'a> From<&'a SubmitSm> for Request<'a> {
    fn from(s: &'a SubmitSm) -> Self {
        Self {
            service_type: &s.service_type,
            source: &s.source,
            dest: &s.dest,
            registered_delivery: s.registered_delivery,
        }
    }
}

impl<'a> From<&'a DataSm> for Request<'a> {
    fn from(d: &'a DataSm) -> Self {
        Self {
            service_type: &d.service_type,
            source: &d.source,
            dest: &d.dest,
            registered_delivery: d.registered_delivery,
        }
    }
}

impl SmppSim {
    /// A simulator with its owed reports in `book`.
    pub fn new(cfg: SmppSimConfig, book: ReportBook) -> Arc<Self> {
        Arc::new(Self {
            cfg,
            book,
            messages: AtomicU64::new(0),
            rates: RateWindows::default(),
            mo: crate::mo::MoBox::default(),
            fail: Default::default(),
            counters: Counters::default(),
        })
    }

    /// Reports still owed.
    pub fn owed_reports(&self) -> usize {
        self.book.owed()
    }

    /// Accepts connections until `shutdown` turns true, then waits for every session to
    /// unbind (each is bounded by the response timeout).
    pub async fn serve(self: Arc<Self>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
        let mut listener = hongyan_net::Listener::new(listener, "sim-smpp", hongyan_net::ConnLimits::default());
        let mut sessions = JoinSet::new();
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (this, stop) = (Arc::clone(&self), shutdown.clone());
                    drop(sessions.spawn(async move {
                        let _permit = accepted.permit;
                        this.connection(accepted.stream, stop).await;
                    }));
                }
                Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
                _ = shutdown.changed() => break,
            }
        }
        while sessions.join_next().await.is_some() {}
    }

    /// Serves one ESME connection until it ends. Any byte stream does.
    pub async fn connection<S: AsyncRead + AsyncWrite>(self: Arc<Self>, stream: S, shutdown: watch::Receiver<bool>) {
        let mut conn = conn::Conn::new(self.cfg.session.clone());
        let mut shutdown = shutdown;
        match drive(&mut conn::Bound { conn: &mut conn, sim: &self }, stream, &mut shutdown, "simulated SMSC").await {
            Ok(true) => {
                Counters::bump(&self.counters.dropped);
            }
            Ok(false) => {}
            Err(e) => tracing::debug!(error = %e, "simulated SMSC: connection ended"),
        }
        // Receipts and MO that were on this link but not acknowledged are owed again.
        let system_id = conn.system_id().unwrap_or_default().to_owned();
        conn.unacknowledged().for_each(|id| crate::mo::released(&self.book, &self.mo, &system_id, id));
    }

    /// From the book's counter, so a restart does not give an id the last run gave.
    fn next_message_id(&self) -> std::io::Result<String> {
        Ok(format!("{:016x}", self.book.next_ids(1)?))
    }

    /// The bind status for `bind`. An unknown system_id gets ESME_RBINDFAIL rather than
    /// ESME_RINVSYSID, as many SMSCs do, so a caller cannot probe for accounts.
    fn login(&self, bind: &Bind) -> CommandStatus {
        let system_id = String::from_utf8_lossy(&bind.system_id);
        match self.cfg.accounts.get(system_id.as_ref()) {
            None => CommandStatus::ESME_RBINDFAIL,
            Some(password) if password.as_bytes() != bind.password => CommandStatus::ESME_RINVPASWD,
            Some(_) => CommandStatus::ESME_ROK,
        }
    }

    /// Takes a message: the status and message_id to answer with, the receipt owed first.
    fn accept(&self, system_id: &str, req: &Request<'_>) -> (CommandStatus, String) {
        if self.fail.now(self.cfg.scenario.fail_every) {
            return (CommandStatus::ESME_RSYSERR, String::new());
        }
        if !self.rates.admit(system_id, self.cfg.scenario.rate_limit) {
            Counters::bump(&self.counters.throttled);
            return (CommandStatus::ESME_RTHROTTLED, String::new());
        }
        let Ok(id) = self.next_message_id().inspect_err(|e| {
            tracing::error!(error = %e, "simulated SMSC: id mark write failed; refusing the message");
        }) else {
            return (CommandStatus::ESME_RSYSERR, String::new());
        };
        let outcome = self.cfg.scenario.outcome(self.messages.fetch_add(1, Ordering::Relaxed));
        if !wants_receipt(req.registered_delivery, outcome) {
            return (CommandStatus::ESME_ROK, id);
        }
        if let Err(e) = self.book.add(self.owed(system_id, &id, outcome, req)) {
            tracing::error!(error = %e, "simulated SMSC: journal write failed; refusing the message");
            return (CommandStatus::ESME_RSYSERR, String::new());
        }
        (CommandStatus::ESME_ROK, id)
    }

    fn owed(&self, system_id: &str, id: &str, outcome: &Outcome, req: &Request<'_>) -> OwedReport {
        let now = self.book.now_ms();
        let due = now + self.cfg.scenario.report_due_in().as_millis() as i64;
        OwedReport {
            msg_id: id.to_owned(),
            sp: system_id.to_owned(),
            due_ms: due,
            stat: outcome.stat.clone(),
            err: outcome.err.clone(),
            submit_time: Timestamp::from_millis(now).beijing_yymmddhhmm(),
            done_time: Timestamp::from_millis(due).beijing_yymmddhhmm(),
            dest: String::from_utf8_lossy(&req.dest.addr).into_owned(),
            src_id: String::from_utf8_lossy(&req.source.addr).into_owned(),
            service_id: String::from_utf8_lossy(req.service_type).into_owned(),
        }
    }
}

/// registered_delivery's SMSC-receipt bits: 1 asks for every final outcome, 2 for failures.
fn wants_receipt(registered_delivery: RegisteredDelivery, outcome: &Outcome) -> bool {
    match registered_delivery.smsc_receipt() {
        1 => true,
        2 => outcome.stat != "DELIVRD",
        _ => false,
    }
}

/// The deliver_sm that carries `r`: from the handset the message went to, to the ESME's
/// source address, worded as `form` says. The journal keeps address digits only, so TON/NPI
/// are "unknown".
fn receipt_pdu(r: &OwedReport, form: SmppReceiptForm) -> DeliverSm {
    let delivered = r.stat == "DELIVRD";
    let err = if r.err.is_empty() { "000" } else { r.err.as_str() };
    let receipt = DeliveryReceipt {
        id: r.msg_id.clone(),
        sub: Some("001".into()),
        dlvrd: Some(if delivered { "001" } else { "000" }.into()),
        submit_date: Some(r.submit_time.clone()),
        done_date: Some(r.done_time.clone()),
        stat: Some(r.stat.clone()),
        err: Some(err.to_owned()),
        text: Some(String::new()),
    };
    let mut pdu = DeliverSm::with_receipt(address(&r.dest), address(&r.src_id), &receipt);
    pdu.service_type = cut(&r.service_id, SERVICE_TYPE).to_vec();
    if let Ok(code @ 1..) = err.parse::<u16>() {
        // network_error_code: network type 3 (GSM) and the error.
        let [hi, lo] = code.to_be_bytes();
        pdu.tlvs.set(TlvTag::NETWORK_ERROR_CODE, [3, hi, lo]);
    }
    reword(pdu, form)
}

/// Rewords a receipt made with the text and the TLVs into `form`.
fn reword(mut pdu: DeliverSm, form: SmppReceiptForm) -> DeliverSm {
    match form {
        SmppReceiptForm::Both => {}
        SmppReceiptForm::AsciiText => pdu.tlvs = Default::default(),
        SmppReceiptForm::Ucs2Text => {
            let text = String::from_utf8_lossy(&pdu.short_message).into_owned();
            pdu.short_message = crate::mo::ucs2(&text);
            pdu.data_coding = hongyan_smpp_proto::DataCoding::UCS2;
            pdu.tlvs = Default::default();
        }
        SmppReceiptForm::TlvsOnly => pdu.short_message.clear(),
    }
    pdu
}

/// An MO deliver_sm: from the handset to the ESME's account, UCS-2.
fn mo_pdu(m: &crate::MoMessage, system_id: &str) -> DeliverSm {
    DeliverSm {
        source: address(&m.from),
        dest: address(m.dest(system_id)),
        data_coding: hongyan_smpp_proto::DataCoding::UCS2,
        short_message: crate::mo::ucs2(&m.text),
        ..DeliverSm::default()
    }
}

fn address(digits: &str) -> Address {
    Address::new(Ton::UNKNOWN, Npi::UNKNOWN, cut(digits, DELIVER_ADDR))
}

fn cut(s: &str, max: usize) -> &[u8] {
    &s.as_bytes()[..s.len().min(max)]
}
