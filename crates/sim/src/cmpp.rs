//! The China Mobile ISMG side of CMPP 2.0/3.0.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use hongyan_cmpp_proto::pdu::{Connect, Deliver, StatusReport, Submit, SubmitResp};
use hongyan_cmpp_proto::session::{ServerEvent, ServerSession, SessionConfig};
use hongyan_cmpp_proto::{msg_id, MsgFmt, SubmitResult};
use hongyan_types::Timestamp;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::ismg::{Ismg, Seen, Shared};
use crate::journal::{OwedReport, ReportBook};
use crate::mo::{self, MoBox, MoMessage};
use crate::scenario::{RateWindows, Scenario};
use crate::{now_ms, Counters};

/// CONNECT_RESP statuses (cmpp.md §6).
const STATUS_BAD_SOURCE: u32 = 2;
const STATUS_AUTH: u32 = 3;
/// SUBMIT_RESP result for flow control (cmpp.md §8).
const FLOW_CONTROL: u32 = 8;
/// A vendor-range result (cmpp.md §8: 100–199) for "system error", for `fail_every`.
const SYSTEM_ERROR: u32 = 100;

/// How a simulated ISMG behaves.
#[derive(Debug, Clone)]
pub struct CmppSimConfig {
    /// Accepted SP_Id → shared secret.
    pub accounts: HashMap<String, String>,
    /// Delays, outcomes and misbehaviour.
    pub scenario: Scenario,
    /// ISMG code put in every Msg_Id.
    pub gateway_code: u32,
    /// Window, timers and highest version.
    pub session: SessionConfig,
}

/// A simulated ISMG serving any number of SP connections.
pub struct CmppSim {
    cfg: CmppSimConfig,
    book: ReportBook,
    seq: AtomicU32,
    messages: AtomicU64,
    rates: RateWindows,
    mo: MoBox,
    fail: crate::scenario::FailEvery,
    /// What it has seen.
    pub counters: Counters,
}

impl std::fmt::Debug for CmppSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CmppSim").field("book", &self.book).finish_non_exhaustive()
    }
}

impl CmppSim {
    /// A simulator with its owed reports in `book`.
    pub fn new(cfg: CmppSimConfig, book: ReportBook) -> Arc<Self> {
        // Seeded from the clock so Msg_Ids after a restart do not repeat the last run's.
        let seq = AtomicU32::new((now_ms() as u32).wrapping_mul(7919));
        Arc::new(Self {
            cfg,
            book,
            seq,
            messages: AtomicU64::new(0),
            rates: RateWindows::default(),
            mo: MoBox::default(),
            fail: Default::default(),
            counters: Counters::default(),
        })
    }

    /// Reports still owed.
    pub fn owed_reports(&self) -> usize {
        self.book.owed()
    }

    /// Accepts connections until `shutdown` turns true.
    pub async fn serve(self: Arc<Self>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
        let mut listener = hongyan_net::Listener::new(listener, "sim-cmpp", hongyan_net::ConnLimits::default());
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let (this, stop) = (Arc::clone(&self), shutdown.clone());
                    drop(tokio::spawn(async move {
                        let _permit = accepted.permit;
                        crate::ismg::connection(this, accepted.stream, stop).await;
                    }));
                }
                _ = shutdown.changed() => break,
            }
        }
    }

    /// A Msg_Id for a DELIVER (its own id, which nothing correlates on).
    fn next_msg_id(&self) -> u64 {
        self.compose_msg_id(self.seq.fetch_add(1, Ordering::Relaxed) as u16)
    }

    /// A Msg_Id for a submit: its sequence comes from the book's counter, so a restart within
    /// the same second does not give the SP an id the last run gave.
    fn submit_msg_id(&self) -> std::io::Result<u64> {
        Ok(self.compose_msg_id(self.book.next_ids(1)? as u16))
    }

    fn compose_msg_id(&self, seq: u16) -> u64 {
        let now = Timestamp::from_system(SystemTime::now()).beijing_mmddhhmmss();
        msg_id::at(now, self.cfg.gateway_code, seq)
    }

    fn login(&self, connect: &Connect) -> (u32, Vec<u8>) {
        let sp = String::from_utf8_lossy(&connect.source_addr).into_owned();
        match self.cfg.accounts.get(&sp) {
            None => (STATUS_BAD_SOURCE, Vec::new()),
            Some(secret) if !connect.verify(secret.as_bytes()) => (STATUS_AUTH, secret.as_bytes().to_vec()),
            Some(secret) => (0, secret.as_bytes().to_vec()),
        }
    }
}

impl Ismg for CmppSim {
    type Session = ServerSession;
    type Submit = Submit;
    type SubmitResp = SubmitResp;
    type Deliver = Deliver;
    const NAME: &'static str = "simulated ISMG";

    fn shared(&self) -> Shared<'_> {
        Shared { scenario: &self.cfg.scenario, book: &self.book, mo: &self.mo, counters: &self.counters }
    }

    fn new_session(&self) -> ServerSession {
        ServerSession::new(self.cfg.session.clone())
    }

    fn next_event(&self, session: &mut ServerSession) -> Option<Seen<Submit>> {
        Some(match session.poll_event()? {
            ServerEvent::ConnectRequest { sequence_id, connect } => {
                let (status, secret) = self.login(&connect);
                session.answer_connect(sequence_id, &connect, status, &secret);
                let sp = String::from_utf8_lossy(&connect.source_addr).into_owned();
                tracing::info!(sp = %sp, status, "simulated ISMG: CONNECT");
                Seen::Login { sp, ok: status == 0 }
            }
            ServerEvent::Submit { sequence_id, submit } => Seen::Submit { sequence: sequence_id, submit },
            ServerEvent::DeliverResp { sequence_id, .. } => Seen::Acked(sequence_id),
            ServerEvent::DeliverTimedOut { sequence_id, .. } => Seen::TimedOut(sequence_id),
            other => {
                tracing::debug!(event = ?other, "simulated ISMG: event");
                Seen::Other
            }
        })
    }

    /// Owes one report per recipient and returns the SUBMIT_RESP.
    fn accept_submit(&self, sp: &str, submit: &Submit) -> SubmitResp {
        if self.fail.now(self.cfg.scenario.fail_every) {
            return SubmitResp { msg_id: 0, result: SubmitResult(SYSTEM_ERROR) };
        }
        if !self.rates.admit(sp, self.cfg.scenario.rate_limit) {
            Counters::bump(&self.counters.throttled);
            return SubmitResp { msg_id: 0, result: SubmitResult(FLOW_CONTROL) };
        }
        let now = self.book.now_ms();
        let submit_time = Timestamp::from_millis(now).beijing_yymmddhhmm();
        let due = now + self.cfg.scenario.report_due_in().as_millis() as i64;
        let mut first = None;
        for dest in &submit.dest_terminal_ids {
            let Ok(id) = self.submit_msg_id().inspect_err(|e| {
                tracing::error!(error = %e, "simulated ISMG: id mark write failed; refusing the submit");
            }) else {
                return SubmitResp { msg_id: 0, result: SubmitResult(1) };
            };
            first.get_or_insert(id);
            let outcome = self.cfg.scenario.outcome(self.messages.fetch_add(1, Ordering::Relaxed));
            let owed = OwedReport {
                msg_id: id.to_string(),
                sp: sp.to_owned(),
                due_ms: due,
                stat: outcome.stat.clone(),
                err: outcome.err.clone(),
                submit_time: submit_time.clone(),
                done_time: Timestamp::from_millis(due).beijing_yymmddhhmm(),
                dest: String::from_utf8_lossy(dest).into_owned(),
                src_id: String::from_utf8_lossy(&submit.src_id).into_owned(),
                service_id: String::from_utf8_lossy(&submit.service_id).into_owned(),
            };
            if let Err(e) = self.book.add(owed) {
                tracing::error!(error = %e, "simulated ISMG: journal write failed; refusing the submit");
                return SubmitResp { msg_id: 0, result: SubmitResult(1) };
            }
        }
        SubmitResp { msg_id: first.unwrap_or(0), result: SubmitResult(0) }
    }

    fn answer_submit(session: &mut ServerSession, sequence: u32, resp: SubmitResp) {
        session.answer_submit(sequence, resp);
    }

    fn can_deliver(session: &ServerSession) -> bool {
        session.can_deliver()
    }

    fn deliver(session: &mut ServerSession, now: std::time::Instant, pdu: Deliver) -> Option<u32> {
        session.deliver(now, pdu).ok()
    }

    fn report_pdu(&self, r: &OwedReport, session: &ServerSession) -> Deliver {
        let id = r.msg_id.parse::<u64>().unwrap_or(0);
        let body = StatusReport {
            msg_id: id,
            stat: r.stat.as_bytes().to_vec(),
            submit_time: r.submit_time.as_bytes().to_vec(),
            done_time: r.done_time.as_bytes().to_vec(),
            dest_terminal_id: r.dest.as_bytes().to_vec(),
            smsc_sequence: id as u32,
        };
        Deliver {
            msg_id: self.next_msg_id(),
            dest_id: r.src_id.as_bytes().to_vec(),
            service_id: r.service_id.as_bytes().to_vec(),
            tp_pid: 0,
            tp_udhi: 0,
            msg_fmt: MsgFmt::ASCII,
            src_terminal_id: r.dest.as_bytes().to_vec(),
            src_terminal_type: 0,
            registered_delivery: 1,
            msg_content: body.encode(session.version()),
            link_id: Vec::new(),
        }
    }

    fn mo_pdu(&self, m: &MoMessage, sp: &str) -> Deliver {
        Deliver {
            msg_id: self.next_msg_id(),
            dest_id: m.dest(sp).as_bytes().to_vec(),
            service_id: Vec::new(),
            tp_pid: 0,
            tp_udhi: 0,
            msg_fmt: MsgFmt::UCS2,
            src_terminal_id: m.from.as_bytes().to_vec(),
            src_terminal_type: 0,
            registered_delivery: 0,
            msg_content: mo::ucs2(&m.text),
            link_id: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(book: ReportBook) -> Arc<CmppSim> {
        let cfg = CmppSimConfig {
            accounts: HashMap::new(),
            scenario: Scenario::default(),
            gateway_code: 1001,
            session: SessionConfig::default(),
        };
        CmppSim::new(cfg, book)
    }

    /// Msg_Id carries the time to the second and a 16-bit sequence: a restart within the same
    /// second must go on from the last run's sequence, not start wherever the clock puts it.
    #[test]
    fn a_restart_within_the_same_second_goes_on_from_the_last_sequence() {
        let dir = std::env::temp_dir().join(format!("hongyan-sim-cmpp-ids-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("cmpp.journal");
        let seq = |id: u64| msg_id::decompose(id).seq;
        let first = sim(ReportBook::open(&path).unwrap());
        let issued: Vec<u16> = (0..5).map(|_| seq(first.submit_msg_id().unwrap())).collect();
        let last = issued[4];
        drop(first);
        let again = sim(ReportBook::open(&path).unwrap());
        let next = seq(again.submit_msg_id().unwrap());
        let ahead = next.wrapping_sub(last);
        assert!((1..=2048).contains(&ahead), "the restarted sequence {next} jumped from {last}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
