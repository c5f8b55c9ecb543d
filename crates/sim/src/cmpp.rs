//! The China Mobile ISMG side of CMPP 2.0/3.0.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use hongyan_cmpp_proto::pdu::{Connect, Deliver, StatusReport, Submit, SubmitResp};
use hongyan_cmpp_proto::session::{ServerEvent, ServerSession, SessionConfig};
use hongyan_cmpp_proto::{msg_id, MsgFmt, SubmitResult};
use hongyan_types::Timestamp;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::driver::{drive, Driven, Dropped};
use crate::journal::{OwedReport, ReportBook};
use crate::mo::{self, MoBox, MoMessage};
use crate::scenario::{RateWindow, Scenario};
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
    rates: std::sync::Mutex<HashMap<String, Arc<RateWindow>>>,
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
        let mut listener = hongyan_net::Listener::new(listener, "sim-cmpp", hongyan_net::ConnLimits::default());
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

    fn rate_window(&self, sp: &str) -> Arc<RateWindow> {
        self.rates.lock().expect("rates").entry(sp.to_owned()).or_insert_with(|| Arc::new(RateWindow::new())).clone()
    }

    /// Owes one report per recipient and returns the SUBMIT_RESP.
    fn accept_submit(&self, sp: &str, submit: &Submit) -> SubmitResp {
        if self.fail.now(self.cfg.scenario.fail_every) {
            return SubmitResp { msg_id: 0, result: SubmitResult(SYSTEM_ERROR) };
        }
        if !self.rate_window(sp).admit(self.cfg.scenario.rate_limit) {
            Counters::bump(&self.counters.throttled);
            return SubmitResp { msg_id: 0, result: SubmitResult(FLOW_CONTROL) };
        }
        let now = now_ms();
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

    async fn connection(self: Arc<Self>, stream: TcpStream, mut shutdown: watch::Receiver<bool>) {
        let mut conn = Conn {
            session: ServerSession::new(self.cfg.session.clone()),
            sp: None,
            delayed: VecDeque::new(),
            out: HashMap::new(),
            submits: 0,
        };
        match drive(&mut Bound { conn: &mut conn, sim: &self }, stream, &mut shutdown, "simulated ISMG").await {
            Ok(true) => {
                Counters::bump(&self.counters.dropped);
            }
            Ok(false) => {}
            Err(e) => tracing::debug!(error = %e, "simulated ISMG: connection ended"),
        }
        // Reports and MO that were on this link but not acknowledged are owed again.
        let sp = conn.sp.clone().unwrap_or_default();
        conn.out.values().for_each(|id| mo::released(&self.book, &self.mo, &sp, id));
    }
}

/// One SP connection's state beside its session.
struct Conn {
    session: ServerSession,
    sp: Option<String>,
    /// Submit responses held back by `submit_latency`.
    delayed: VecDeque<(Instant, u32, SubmitResp)>,
    /// DELIVER sequence id → report Msg_Id, until DELIVER_RESP.
    out: HashMap<u32, String>,
    /// Submits on this connection, for `drop_every` and `silent_every`.
    submits: u32,
}

impl Conn {
    fn handle_events(&mut self, sim: &CmppSim) -> Result<(), Dropped> {
        while let Some(event) = self.session.poll_event() {
            match event {
                ServerEvent::ConnectRequest { sequence_id, connect } => {
                    let (status, secret) = sim.login(&connect);
                    self.session.answer_connect(sequence_id, &connect, status, &secret);
                    let sp = String::from_utf8_lossy(&connect.source_addr).into_owned();
                    tracing::info!(sp = %sp, status, "simulated ISMG: CONNECT");
                    if status == 0 {
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
                other => tracing::debug!(event = ?other, "simulated ISMG: event"),
            }
        }
        Ok(())
    }

    /// Sends held submit responses whose time has come, then due reports while the window allows.
    fn send_due(&mut self, sim: &CmppSim) {
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
                match self.session.deliver(now.into_std(), sim.report_pdu(&r, &self.session)) {
                    Ok(seq) => {
                        Counters::bump(&sim.counters.reports_sent);
                        // Only the first copy's acknowledgement strikes the report.
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
    sim: &'a CmppSim,
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
