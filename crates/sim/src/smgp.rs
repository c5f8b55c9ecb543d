//! The China Telecom SMGW side of SMGP 3.0.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use hongyan_smgp_proto::pdu::{Deliver, Login, StatusReport, Submit, SubmitResp};
use hongyan_smgp_proto::session::{ServerEvent, ServerSession, SessionConfig};
use hongyan_smgp_proto::{MsgId, MsgIdParts, Status};
use hongyan_types::Timestamp;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::ismg::{Ismg, Seen, Shared};
use crate::journal::{OwedReport, ReportBook};
use crate::mo::{self, MoBox, MoMessage};
use crate::scenario::{RateWindows, Scenario};
use crate::{now_ms, Counters};

/// "System busy": the status an SMGW answers when a client goes over its rate (smgp.md §10).
const SYSTEM_BUSY: Status = Status(1);

/// How a simulated SMGW behaves.
#[derive(Debug, Clone)]
pub struct SmgpSimConfig {
    /// Accepted ClientID → shared secret.
    pub accounts: HashMap<String, String>,
    /// Delays, outcomes and misbehaviour.
    pub scenario: Scenario,
    /// 6-digit SMGW code put in every MsgID.
    pub gateway_code: u32,
    /// Window and timers.
    pub session: SessionConfig,
}

/// A simulated SMGW serving any number of SP connections.
pub struct SmgpSim {
    cfg: SmgpSimConfig,
    book: ReportBook,
    seq: AtomicU32,
    messages: AtomicU64,
    rates: RateWindows,
    mo: MoBox,
    fail: crate::scenario::FailEvery,
    /// What it has seen.
    pub counters: Counters,
}

impl std::fmt::Debug for SmgpSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmgpSim").field("book", &self.book).finish_non_exhaustive()
    }
}

fn fixed<const N: usize>(s: &str) -> [u8; N] {
    let mut out = [b' '; N];
    let b = s.as_bytes();
    out[..b.len().min(N)].copy_from_slice(&b[..b.len().min(N)]);
    out
}

impl SmgpSim {
    /// A simulator with its owed reports in `book`.
    pub fn new(cfg: SmgpSimConfig, book: ReportBook) -> Arc<Self> {
        let seq = AtomicU32::new((now_ms() as u32).wrapping_mul(7919) % 1_000_000);
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
        let mut listener = hongyan_net::Listener::new(listener, "sim-smgp", hongyan_net::ConnLimits::default());
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

    /// A MsgID for a DELIVER (its own id, which nothing correlates on).
    fn next_msg_id(&self) -> MsgId {
        self.compose_msg_id(self.seq.fetch_add(1, Ordering::Relaxed))
    }

    /// The MsgID of a submit to `count` recipients (numbered from it): from the book's
    /// counter, so a restart within the same minute does not give ids the last run gave.
    fn submit_msg_id(&self, count: usize) -> std::io::Result<MsgId> {
        Ok(self.compose_msg_id((self.book.next_ids(count.max(1) as u64)? % 1_000_000) as u32))
    }

    fn compose_msg_id(&self, sequence: u32) -> MsgId {
        let t = Timestamp::from_system(SystemTime::now()).to_rfc3339_beijing();
        let n = |a: usize, b: usize| t[a..b].parse::<u8>().unwrap_or(0);
        let sequence = sequence % 1_000_000;
        MsgId::new(MsgIdParts {
            gateway: self.cfg.gateway_code,
            month: n(5, 7),
            day: n(8, 10),
            hour: n(11, 13),
            minute: n(14, 16),
            sequence,
        })
    }

    fn login(&self, login: &Login) -> (Status, Vec<u8>) {
        let id = String::from_utf8_lossy(&login.client_id).into_owned();
        match self.cfg.accounts.get(&id) {
            None => (Status::AUTH_ERROR, Vec::new()),
            Some(secret) if !login.verify(secret.as_bytes()) => (Status::AUTH_ERROR, secret.as_bytes().to_vec()),
            Some(secret) => (Status::OK, secret.as_bytes().to_vec()),
        }
    }
}

impl Ismg for SmgpSim {
    type Session = ServerSession;
    type Submit = Submit;
    type SubmitResp = SubmitResp;
    type Deliver = Deliver;
    const NAME: &'static str = "simulated SMGW";

    fn shared(&self) -> Shared<'_> {
        Shared { scenario: &self.cfg.scenario, book: &self.book, mo: &self.mo, counters: &self.counters }
    }

    fn new_session(&self) -> ServerSession {
        ServerSession::new(self.cfg.session.clone())
    }

    fn next_event(&self, session: &mut ServerSession) -> Option<Seen<Submit>> {
        Some(match session.poll_event()? {
            ServerEvent::LoginRequest { sequence_id, login } => {
                let (status, secret) = self.login(&login);
                session.answer_login(sequence_id, &login, status, &secret);
                let sp = String::from_utf8_lossy(&login.client_id).into_owned();
                tracing::info!(client_id = %sp, status = %status, "simulated SMGW: Login");
                Seen::Login { sp, ok: status == Status::OK }
            }
            ServerEvent::Submit { sequence_id, submit } => Seen::Submit { sequence: sequence_id, submit },
            ServerEvent::DeliverResp { sequence_id, .. } => Seen::Acked(sequence_id),
            ServerEvent::DeliverTimedOut { sequence_id, .. } => Seen::TimedOut(sequence_id),
            other => {
                tracing::debug!(event = ?other, "simulated SMGW: event");
                Seen::Other
            }
        })
    }

    fn accept_submit(&self, sp: &str, submit: &Submit) -> SubmitResp {
        if self.fail.now(self.cfg.scenario.fail_every) {
            return SubmitResp { msg_id: MsgId::default(), status: Status(99) };
        }
        if !self.rates.admit(sp, self.cfg.scenario.rate_limit) {
            Counters::bump(&self.counters.throttled);
            return SubmitResp { msg_id: MsgId::default(), status: SYSTEM_BUSY };
        }
        let now = self.book.now_ms();
        let due = now + self.cfg.scenario.report_due_in().as_millis() as i64;
        let Ok(first) = self.submit_msg_id(submit.dest_term_ids.len()).inspect_err(|e| {
            tracing::error!(error = %e, "simulated SMGW: id mark write failed; refusing the submit");
        }) else {
            return SubmitResp { msg_id: MsgId::default(), status: Status::SYSTEM_BUSY };
        };
        for (i, dest) in submit.dest_term_ids.iter().enumerate() {
            let id = first.nth(i as u32).unwrap_or(first);
            let outcome = self.cfg.scenario.outcome(self.messages.fetch_add(1, Ordering::Relaxed));
            let owed = OwedReport {
                msg_id: id.to_string(),
                sp: sp.to_owned(),
                due_ms: due,
                stat: outcome.stat.clone(),
                err: outcome.err.clone(),
                submit_time: Timestamp::from_millis(now).beijing_yymmddhhmm(),
                done_time: Timestamp::from_millis(due).beijing_yymmddhhmm(),
                dest: String::from_utf8_lossy(dest).into_owned(),
                src_id: String::from_utf8_lossy(&submit.src_term_id).into_owned(),
                service_id: String::from_utf8_lossy(&submit.service_id).into_owned(),
            };
            if let Err(e) = self.book.add(owed) {
                tracing::error!(error = %e, "simulated SMGW: journal write failed; refusing the submit");
                return SubmitResp { msg_id: MsgId::default(), status: Status::SYSTEM_BUSY };
            }
        }
        SubmitResp { msg_id: first, status: Status::OK }
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

    fn report_pdu(&self, r: &OwedReport, _session: &ServerSession) -> Deliver {
        let id: MsgId = r.msg_id.parse().unwrap_or_default();
        let report = StatusReport::new(id, fixed(&r.stat), fixed(&r.err), fixed(&r.submit_time), fixed(&r.done_time));
        let mut d = Deliver::with_report(&report);
        d.msg_id = self.next_msg_id();
        d.recv_time = format!("20{}00", r.done_time).into_bytes();
        d.src_term_id = r.dest.as_bytes().to_vec();
        d.dest_term_id = r.src_id.as_bytes().to_vec();
        d
    }

    fn mo_pdu(&self, m: &MoMessage, sp: &str) -> Deliver {
        Deliver {
            msg_id: self.next_msg_id(),
            msg_format: hongyan_smgp_proto::MsgFormat::UCS2,
            src_term_id: m.from.as_bytes().to_vec(),
            dest_term_id: m.dest(sp).as_bytes().to_vec(),
            msg_content: mo::ucs2(&m.text),
            ..Deliver::default()
        }
    }
}
