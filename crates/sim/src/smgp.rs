//! The China Telecom SMGW side of SMGP 3.0.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use hongyan_smgp_proto::pdu::{Deliver, Login, StatusReport, Submit, SubmitResp};
use hongyan_smgp_proto::session::{ServerEvent, ServerSession, SessionConfig};
use hongyan_smgp_proto::{MsgId, MsgIdParts, Status};
use hongyan_types::Timestamp;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::driver::{drive, Driven, Dropped};
use crate::journal::{OwedReport, ReportBook};
use crate::mo::{self, MoBox, MoMessage};
use crate::scenario::{RateWindow, Scenario};
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
    rates: std::sync::Mutex<HashMap<String, Arc<RateWindow>>>,
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
            rates: Default::default(),
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
                        this.connection(accepted.stream, stop).await;
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

    fn rate_window(&self, sp: &str) -> Arc<RateWindow> {
        self.rates.lock().expect("rates").entry(sp.to_owned()).or_insert_with(|| Arc::new(RateWindow::new())).clone()
    }

    fn accept_submit(&self, sp: &str, submit: &Submit) -> SubmitResp {
        if self.fail.now(self.cfg.scenario.fail_every) {
            return SubmitResp { msg_id: MsgId::default(), status: Status(99) };
        }
        if !self.rate_window(sp).admit(self.cfg.scenario.rate_limit) {
            Counters::bump(&self.counters.throttled);
            return SubmitResp { msg_id: MsgId::default(), status: SYSTEM_BUSY };
        }
        let now = now_ms();
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

    fn report_pdu(&self, r: &OwedReport) -> Deliver {
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

    async fn connection(self: Arc<Self>, stream: TcpStream, mut shutdown: watch::Receiver<bool>) {
        let mut conn = Conn {
            session: ServerSession::new(self.cfg.session.clone()),
            sp: None,
            delayed: VecDeque::new(),
            out: HashMap::new(),
            submits: 0,
        };
        match drive(&mut Bound { conn: &mut conn, sim: &self }, stream, &mut shutdown, "simulated SMGW").await {
            Ok(true) => {
                Counters::bump(&self.counters.dropped);
            }
            Ok(false) => {}
            Err(e) => tracing::debug!(error = %e, "simulated SMGW: connection ended"),
        }
        let sp = conn.sp.clone().unwrap_or_default();
        conn.out.values().for_each(|id| mo::released(&self.book, &self.mo, &sp, id));
    }
}

struct Conn {
    session: ServerSession,
    sp: Option<String>,
    delayed: VecDeque<(Instant, u32, SubmitResp)>,
    out: HashMap<u32, String>,
    submits: u32,
}

impl Conn {
    fn handle_events(&mut self, sim: &SmgpSim) -> Result<(), Dropped> {
        while let Some(event) = self.session.poll_event() {
            match event {
                ServerEvent::LoginRequest { sequence_id, login } => {
                    let (status, secret) = sim.login(&login);
                    self.session.answer_login(sequence_id, &login, status, &secret);
                    let sp = String::from_utf8_lossy(&login.client_id).into_owned();
                    tracing::info!(client_id = %sp, status = %status, "simulated SMGW: Login");
                    if status == Status::OK {
                        Counters::bump(&sim.counters.logins);
                        self.sp = Some(sp);
                    } else {
                        Counters::bump(&sim.counters.refused_logins);
                    }
                }
                ServerEvent::Submit { sequence_id, submit } => {
                    let Some(sp) = self.sp.clone() else { continue };
                    Counters::bump(&sim.counters.submits);
                    self.submits += 1;
                    if sim.cfg.scenario.drops(self.submits) {
                        return Err(Dropped);
                    }
                    if sim.cfg.scenario.silent(self.submits) {
                        Counters::bump(&sim.counters.silenced);
                        continue;
                    }
                    let resp = sim.accept_submit(&sp, &submit);
                    self.delayed.push_back((Instant::now() + sim.cfg.scenario.submit_latency, sequence_id, resp));
                }
                ServerEvent::DeliverResp { sequence_id, .. } => {
                    if let Some(id) = self.out.remove(&sequence_id) {
                        mo::acked(&sim.book, &sim.counters, &id);
                    }
                }
                ServerEvent::DeliverTimedOut { sequence_id, .. } => {
                    if let Some(id) = self.out.remove(&sequence_id) {
                        mo::released(&sim.book, &sim.mo, self.sp.as_deref().unwrap_or_default(), &id);
                    }
                }
                other => tracing::debug!(event = ?other, "simulated SMGW: event"),
            }
        }
        Ok(())
    }

    fn send_due(&mut self, sim: &SmgpSim) {
        let now = Instant::now();
        while self.delayed.front().is_some_and(|(t, _, _)| *t <= now) {
            if let Some((_, seq, resp)) = self.delayed.pop_front() {
                self.session.answer_submit(seq, resp);
            }
        }
        let Some(sp) = self.sp.clone() else { return };
        while self.session.can_deliver() {
            let Some(r) = sim.book.take_due(&sp, now_ms(), 1).pop() else { break };
            let copies = if sim.cfg.scenario.duplicate_reports { 2 } else { 1 };
            for copy in 0..copies {
                match self.session.deliver(now.into_std(), sim.report_pdu(&r)) {
                    Ok(seq) => {
                        Counters::bump(&sim.counters.reports_sent);
                        if copy == 0 {
                            self.out.insert(seq, r.msg_id.clone());
                        }
                    }
                    Err(_) if copy == 0 => {
                        sim.book.release(&r.msg_id);
                        return;
                    }
                    Err(_) => {}
                }
            }
        }
        while self.session.can_deliver() {
            let Some(m) = sim.mo.take(&sp, &sim.cfg.scenario.mo) else { break };
            match self.session.deliver(now.into_std(), sim.mo_pdu(&m, &sp)) {
                Ok(seq) => drop(self.out.insert(seq, MoBox::key(&m))),
                Err(_) => {
                    sim.mo.put_back(&sp, m);
                    break;
                }
            }
        }
    }
}

/// A connection together with its simulator, as the driver runs it.
struct Bound<'a> {
    conn: &'a mut Conn,
    sim: &'a SmgpSim,
}

impl Driven for Bound<'_> {
    type Session = ServerSession;

    fn session(&mut self) -> &mut ServerSession {
        &mut self.conn.session
    }

    fn step(&mut self) -> Result<Option<Instant>, Dropped> {
        let handled = self.conn.handle_events(self.sim);
        // What was answered before a drop goes out before the connection closes.
        self.conn.send_due(self.sim);
        handled?;
        Ok(self.conn.delayed.front().map(|(t, _, _)| *t))
    }
}
