//! The China Unicom SMG side of SGIP 1.2, both directions.
//!
//! The SP binds to us (Login Type 1) and submits. Reports do not go back on that connection:
//! like a real SMG, the simulator connects to the SP's own listener, binds with Login Type 2
//! and sends Report requests, then unbinds when it has been idle for a while.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hongyan_sgip_proto::pdu::{Bind, Deliver, Report, Submit};
use hongyan_sgip_proto::session::SessionConfig;
use hongyan_sgip_proto::{
    ClientEvent, ClientSession, ErrorCode, LoginType, ReportState, Request, ResultCode, Sequence, ServerEvent,
    ServerSession,
};
use hongyan_types::Timestamp;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::{sleep, Instant};

use crate::driver::{drive, Driven, Dropped};
use crate::journal::{OwedReport, ReportBook};
use crate::mo::{self, MoBox};
use crate::scenario::{RateWindows, Scenario};
use crate::Counters;

/// How long a report link may sit idle before the simulator unbinds it.
const REPORT_LINK_IDLE: Duration = Duration::from_secs(5);
/// How long connecting to the SP's listener (and its TLS handshake) may take.
const CONNECT_LIMIT: Duration = Duration::from_secs(5);

/// One SP account of the simulated SMG.
#[derive(Debug, Clone)]
pub struct SgipAccount {
    /// Password the SP binds with; the SMG binds to the SP with the same name and password.
    pub password: String,
    /// The SP's listener for reports and MO; `None` = reports are never sent.
    pub report_to: Option<SocketAddr>,
    /// TLS towards that listener; plain TCP without it.
    pub report_tls: Option<hongyan_net::TlsTarget>,
}

/// How a simulated SMG behaves.
#[derive(Debug, Clone)]
pub struct SgipSimConfig {
    /// Login name → account.
    pub accounts: HashMap<String, SgipAccount>,
    /// Delays, outcomes and misbehaviour.
    pub scenario: Scenario,
    /// Window, timers and the SMG's node id (`1AAAAX`).
    pub session: SessionConfig,
}

/// A simulated SMG.
pub struct SgipSim {
    cfg: SgipSimConfig,
    book: ReportBook,
    messages: AtomicU64,
    rates: RateWindows,
    mo: MoBox,
    fail: crate::scenario::FailEvery,
    /// What it has seen.
    pub counters: Counters,
}

impl std::fmt::Debug for SgipSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SgipSim").field("book", &self.book).finish_non_exhaustive()
    }
}

pub(crate) fn mmddhhmmss() -> u32 {
    Timestamp::from_system(SystemTime::now()).beijing_mmddhhmmss()
}

/// The book's key for one recipient of one Submit: the Submit's sequence plus the
/// recipient's place in it (not the number: the key is written in the journal in clear).
fn key(sequence: &Sequence, index: usize) -> String {
    format!("{}.{}.{}.{index}", sequence.node_id, sequence.time, sequence.counter)
}

fn sequence_of(key: &str) -> Option<Sequence> {
    let mut parts = key.split('.');
    let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
    Some(Sequence { node_id: next()?, time: next()?, counter: next()? })
}

impl SgipSim {
    /// A simulator with its owed reports in `book`.
    pub fn new(cfg: SgipSimConfig, book: ReportBook) -> Arc<Self> {
        Arc::new(Self {
            cfg,
            book,
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

    /// Accepts SP connections and runs one report link per account until `shutdown`.
    pub async fn serve(self: Arc<Self>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
        let mut listener = hongyan_net::Listener::new(listener, "sim-sgip", hongyan_net::ConnLimits::default());
        for (name, account) in &self.cfg.accounts {
            if let Some(addr) = account.report_to {
                let dialer = hongyan_net::Dialer { addr, tls: account.report_tls.clone() };
                tokio::spawn(Arc::clone(&self).report_link(name.clone(), dialer, shutdown.clone()));
            }
        }
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

    fn login_ok(&self, bind: &Bind) -> Option<String> {
        let name = String::from_utf8_lossy(&bind.login_name).into_owned();
        let account = self.cfg.accounts.get(&name)?;
        (bind.login_type == LoginType::SP_TO_SMG && bind.verify(name.as_bytes(), account.password.as_bytes()))
            .then_some(name)
    }

    /// Owes one report per recipient; returns the result for the Submit_Resp.
    fn accept_submit(&self, sp: &str, sequence: &Sequence, submit: &Submit) -> ResultCode {
        if self.fail.now(self.cfg.scenario.fail_every) {
            return ResultCode(32);
        }
        if !self.rates.admit(sp, self.cfg.scenario.rate_limit) {
            Counters::bump(&self.counters.throttled);
            return ResultCode::FLOW_LIMIT;
        }
        let now = self.book.now_ms();
        let due = now + self.cfg.scenario.report_due_in().as_millis() as i64;
        for (index, user) in submit.user_numbers.iter().enumerate() {
            let user = String::from_utf8_lossy(user).into_owned();
            let outcome = self.cfg.scenario.outcome(self.messages.fetch_add(1, Ordering::Relaxed));
            let owed = OwedReport {
                msg_id: key(sequence, index),
                sp: sp.to_owned(),
                due_ms: due,
                stat: outcome.stat.clone(),
                err: outcome.err.clone(),
                submit_time: Timestamp::from_millis(now).beijing_yymmddhhmm(),
                done_time: Timestamp::from_millis(due).beijing_yymmddhhmm(),
                dest: user,
                src_id: String::from_utf8_lossy(&submit.sp_number).into_owned(),
                service_id: String::from_utf8_lossy(&submit.service_type).into_owned(),
            };
            if let Err(e) = self.book.add(owed) {
                tracing::error!(error = %e, "simulated SMG: journal write failed; refusing the submit");
                return ResultCode::NODE_BUSY;
            }
        }
        ResultCode::OK
    }

    /// MO goes over the same SMG → SP connection as reports, as a Deliver.
    fn send_mo(&self, sp: &str, session: &mut ClientSession, out: &mut HashMap<u32, String>, last: &mut Instant) {
        while session.can_send() {
            let Some(m) = self.mo.take(sp, &self.cfg.scenario.mo) else { return };
            let deliver = Deliver {
                user_number: format!("86{}", m.from).into_bytes(),
                sp_number: m.dest(sp).as_bytes().to_vec(),
                message_coding: hongyan_sgip_proto::MessageCoding::UCS2,
                message_content: mo::ucs2(&m.text),
                ..Deliver::default()
            };
            match session.send(Instant::now().into_std(), mmddhhmmss(), deliver) {
                Ok(seq) => {
                    *last = Instant::now();
                    out.insert(seq.counter, MoBox::key(&m));
                }
                Err(_) => {
                    self.mo.put_back(sp, m);
                    return;
                }
            }
        }
    }

    fn report_pdu(r: &OwedReport) -> Option<Report> {
        let sequence = sequence_of(&r.msg_id)?;
        let (state, error) = if r.stat == "DELIVRD" {
            (ReportState::DELIVERED, ErrorCode(0))
        } else {
            (ReportState::FAILED, ErrorCode(r.err.parse().unwrap_or(1)))
        };
        Some(Report::new(sequence, r.dest.as_bytes(), state, error))
    }

    /// Serves one SP connection (Login Type 1) until it ends. Any byte stream does.
    pub async fn connection<S: AsyncRead + AsyncWrite>(
        self: Arc<Self>,
        stream: S,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let session = ServerSession::new(self.cfg.session.clone(), Instant::now().into_std());
        let mut conn = SpConn { sim: &self, session, sp: None, submits: 0, delayed: VecDeque::new() };
        match drive(&mut conn, stream, &mut shutdown, "simulated SMG").await {
            Ok(true) => {
                Counters::bump(&self.counters.dropped);
            }
            Ok(false) => {}
            Err(e) => tracing::debug!(error = %e, "simulated SMG: connection ended"),
        }
    }

    /// Delivers `sp`'s due reports over connections the SMG opens to the SP, for ever.
    async fn report_link(
        self: Arc<Self>,
        sp: String,
        dialer: hongyan_net::Dialer,
        mut shutdown: watch::Receiver<bool>,
    ) {
        while !*shutdown.borrow() {
            if !self.book.has_due(&sp, self.book.now_ms()) && !self.mo.pending(&sp, &self.cfg.scenario.mo) {
                tokio::select! {
                    _ = sleep(Duration::from_millis(20)) => continue,
                    _ = shutdown.changed() => return,
                }
            }
            match dialer.connect(CONNECT_LIMIT).await {
                Ok(stream) => self.report_connection(&sp, stream, &mut shutdown).await,
                Err(e) => {
                    tracing::debug!(addr = %dialer.addr, error = %e, "simulated SMG: SP report listener unreachable");
                    sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    async fn report_connection<S: AsyncRead + AsyncWrite>(
        &self,
        sp: &str,
        stream: S,
        shutdown: &mut watch::Receiver<bool>,
    ) {
        let password = self.cfg.accounts.get(sp).map(|a| a.password.clone()).unwrap_or_default();
        let bind = Bind::new(LoginType::SMG_TO_SP, sp.as_bytes(), password.as_bytes());
        let mut session = ClientSession::new(self.cfg.session.clone(), bind);
        let _ = session.bind(Instant::now().into_std(), mmddhhmmss());
        let mut conn = ReportConn { sim: self, sp, session, out: HashMap::new(), last_activity: Instant::now() };
        if let Err(e) = drive(&mut conn, stream, shutdown, "simulated SMG").await {
            tracing::debug!(error = %e, "simulated SMG: report connection ended");
        }
        conn.out.values().for_each(|id| mo::released(&self.book, &self.mo, sp, id));
    }

    fn send_reports(&self, sp: &str, session: &mut ClientSession, out: &mut HashMap<u32, String>, last: &mut Instant) {
        self.send_mo(sp, session, out, last);
        while session.can_send() {
            let Some(r) = self.book.take_due(sp, self.book.now_ms(), 1).pop() else { return };
            let Some(report) = Self::report_pdu(&r) else {
                let _ = self.book.ack(&r.msg_id);
                continue;
            };
            let copies = if self.cfg.scenario.duplicate_reports { 2 } else { 1 };
            for copy in 0..copies {
                match session.send(Instant::now().into_std(), mmddhhmmss(), report.clone()) {
                    Ok(seq) => {
                        Counters::bump(&self.counters.reports_sent);
                        *last = Instant::now();
                        if copy == 0 {
                            out.insert(seq.counter, r.msg_id.clone());
                        }
                    }
                    Err(_) if copy == 0 => {
                        self.book.release(&r.msg_id);
                        return;
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

/// An SP's connection to the SMG (Login Type 1): binds and Submits.
struct SpConn<'a> {
    sim: &'a SgipSim,
    session: ServerSession,
    /// The SP's login name once bound.
    sp: Option<String>,
    /// Submits on this connection, for `drop_every` and `silent_every`.
    submits: u32,
    /// Submit answers held back by `submit_latency`.
    delayed: VecDeque<(Instant, Sequence, ResultCode)>,
}

impl SpConn<'_> {
    fn handle_events(&mut self) -> Result<(), Dropped> {
        let sim = self.sim;
        while let Some(event) = self.session.poll_event() {
            match event {
                ServerEvent::BindRequest { sequence, bind } => {
                    self.sp = sim.login_ok(&bind);
                    let ok = self.sp.is_some();
                    Counters::bump(if ok { &sim.counters.logins } else { &sim.counters.refused_logins });
                    self.session.answer_bind(sequence, if ok { ResultCode::OK } else { ResultCode::ILLEGAL_LOGIN });
                }
                ServerEvent::Request { sequence, request: Request::Submit(s) } => {
                    let Some(name) = self.sp.as_deref() else { continue };
                    Counters::bump(&sim.counters.submits);
                    self.submits += 1;
                    if sim.cfg.scenario.drops(self.submits) {
                        return Err(Dropped);
                    }
                    if sim.cfg.scenario.silent(self.submits) {
                        Counters::bump(&sim.counters.silenced);
                        continue;
                    }
                    let result = sim.accept_submit(name, &sequence, &s);
                    self.delayed.push_back((Instant::now() + sim.cfg.scenario.submit_latency, sequence, result));
                }
                ServerEvent::Request { sequence, .. } => drop(self.session.ack(sequence, ResultCode::OK)),
                _ => {}
            }
        }
        Ok(())
    }
}

impl Driven for SpConn<'_> {
    type Session = ServerSession;

    fn session(&mut self) -> &mut ServerSession {
        &mut self.session
    }

    fn step(&mut self) -> Result<Option<Instant>, Dropped> {
        let handled = self.handle_events();
        // What was answered before a drop goes out before the connection closes.
        while self.delayed.front().is_some_and(|(t, _, _)| *t <= Instant::now()) {
            if let Some((_, seq, result)) = self.delayed.pop_front() {
                self.session.ack(seq, result);
            }
        }
        handled?;
        Ok(self.delayed.front().map(|(t, _, _)| *t))
    }
}

/// The SMG's connection to an SP's listener (Login Type 2): Reports and MO.
struct ReportConn<'a> {
    sim: &'a SgipSim,
    sp: &'a str,
    session: ClientSession,
    /// Sequence counter → report or MO id, until the SP answers.
    out: HashMap<u32, String>,
    last_activity: Instant,
}

impl Driven for ReportConn<'_> {
    type Session = ClientSession;

    fn session(&mut self) -> &mut ClientSession {
        &mut self.session
    }

    fn step(&mut self) -> Result<Option<Instant>, Dropped> {
        let (sim, sp) = (self.sim, self.sp);
        while let Some(event) = self.session.poll_event() {
            match event {
                ClientEvent::Response { sequence, .. } => {
                    if let Some(id) = self.out.remove(&sequence.counter) {
                        mo::acked(&sim.book, &sim.counters, &id);
                    }
                }
                ClientEvent::TimedOut { sequence, .. } => {
                    if let Some(id) = self.out.remove(&sequence.counter) {
                        mo::released(&sim.book, &sim.mo, sp, &id);
                    }
                }
                _ => {}
            }
        }
        if self.session.is_bound() {
            sim.send_reports(sp, &mut self.session, &mut self.out, &mut self.last_activity);
            if self.out.is_empty() && self.last_activity.elapsed() > REPORT_LINK_IDLE {
                self.session.unbind(Instant::now().into_std(), mmddhhmmss());
            }
        }
        Ok(None)
    }
}
