//! The China Mobile ISMG side of CMPP 2.0/3.0.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hongyan_cmpp_proto::pdu::{Connect, Deliver, StatusReport, Submit, SubmitResp};
use hongyan_cmpp_proto::session::{ServerEvent, ServerSession, SessionConfig};
use hongyan_cmpp_proto::{msg_id, MsgFmt, SubmitResult};
use hongyan_types::Timestamp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

use crate::journal::{OwedReport, ReportBook};

/// CONNECT_RESP statuses (cmpp.md §6).
const STATUS_BAD_SOURCE: u32 = 2;
const STATUS_AUTH: u32 = 3;

/// How a simulated ISMG behaves.
#[derive(Debug, Clone)]
pub struct CmppSimConfig {
    /// Accepted SP_Id → shared secret.
    pub accounts: HashMap<String, String>,
    /// Time from submit to status report.
    pub report_delay: Duration,
    /// Time before each SUBMIT_RESP is sent.
    pub submit_latency: Duration,
    /// ISMG code put in every Msg_Id.
    pub gateway_code: u32,
    /// Window, timers and highest version.
    pub session: SessionConfig,
}

/// What the simulator has seen, so tests can assert on it.
#[derive(Debug, Default)]
pub struct Counters {
    /// Successful logins.
    pub logins: AtomicU32,
    /// Refused logins.
    pub refused_logins: AtomicU32,
    /// SUBMITs received (one per PDU, whatever its number of recipients).
    pub submits: AtomicU32,
    /// Status reports acknowledged by the SP.
    pub reports_acked: AtomicU32,
}

/// A simulated ISMG serving any number of SP connections.
pub struct CmppSim {
    cfg: CmppSimConfig,
    book: ReportBook,
    seq: AtomicU32,
    /// What it has seen.
    pub counters: Counters,
}

impl std::fmt::Debug for CmppSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CmppSim").field("book", &self.book).finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    Timestamp::from_system(SystemTime::now()).as_millis()
}

impl CmppSim {
    /// A simulator with its owed reports in `book`.
    pub fn new(cfg: CmppSimConfig, book: ReportBook) -> Arc<Self> {
        // Seeded from the clock so Msg_Ids after a restart do not repeat the last run's.
        let seq = AtomicU32::new((now_ms() as u32).wrapping_mul(7919));
        Arc::new(Self { cfg, book, seq, counters: Counters::default() })
    }

    /// Reports still owed.
    pub fn owed_reports(&self) -> usize {
        self.book.owed()
    }

    /// Accepts connections until `shutdown` turns true.
    pub async fn serve(self: Arc<Self>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, peer)) => {
                        tracing::debug!(%peer, "simulated ISMG: SP connected");
                        tokio::spawn(Arc::clone(&self).connection(stream, shutdown.clone()));
                    }
                    Err(e) => tracing::warn!(error = %e, "simulated ISMG: accept failed"),
                },
                _ = shutdown.changed() => break,
            }
        }
    }

    fn next_msg_id(&self) -> u64 {
        let t = Timestamp::from_system(SystemTime::now()).to_rfc3339_beijing();
        // "YYYY-MM-DDTHH:MM:SS": pick the fields Msg_Id carries.
        let n = |a: usize, b: usize| t[a..b].parse::<u8>().unwrap_or(0);
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) as u16;
        msg_id::compose(n(5, 7), n(8, 10), n(11, 13), n(14, 16), n(17, 19), self.cfg.gateway_code, seq)
    }

    fn login(&self, connect: &Connect) -> (u32, Vec<u8>) {
        let sp = String::from_utf8_lossy(&connect.source_addr).into_owned();
        match self.cfg.accounts.get(&sp) {
            None => (STATUS_BAD_SOURCE, Vec::new()),
            Some(secret) if !connect.verify(secret.as_bytes()) => (STATUS_AUTH, secret.as_bytes().to_vec()),
            Some(secret) => (0, secret.as_bytes().to_vec()),
        }
    }

    /// Owes one report per recipient and returns the SUBMIT_RESP.
    fn accept_submit(&self, sp: &str, submit: &Submit) -> SubmitResp {
        let now = now_ms();
        let submit_time = Timestamp::from_millis(now).beijing_yymmddhhmm();
        // The report is due after the response has gone out: reports that overtake their
        // response are a scenario of their own (issue 3), not the default.
        let due = now + (self.cfg.submit_latency + self.cfg.report_delay).as_millis() as i64;
        let mut first = None;
        for dest in &submit.dest_terminal_ids {
            let id = self.next_msg_id();
            first.get_or_insert(id);
            let owed = OwedReport {
                msg_id: id,
                sp: sp.to_owned(),
                due_ms: due,
                stat: "DELIVRD".into(),
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
        let body = StatusReport {
            msg_id: r.msg_id,
            stat: r.stat.as_bytes().to_vec(),
            submit_time: r.submit_time.as_bytes().to_vec(),
            done_time: r.done_time.as_bytes().to_vec(),
            dest_terminal_id: r.dest.as_bytes().to_vec(),
            smsc_sequence: r.msg_id as u32,
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

    async fn connection(self: Arc<Self>, stream: TcpStream, mut shutdown: watch::Receiver<bool>) {
        let mut conn = Conn {
            session: ServerSession::new(self.cfg.session.clone()),
            sp: None,
            delayed: VecDeque::new(),
            out: HashMap::new(),
        };
        if let Err(e) = conn.run(&self, stream, &mut shutdown).await {
            tracing::debug!(error = %e, "simulated ISMG: connection ended");
        }
        // Reports that were on this link but not acknowledged are owed again.
        conn.out.values().for_each(|id| self.book.release(*id));
    }
}

/// One SP connection's state beside its session.
struct Conn {
    session: ServerSession,
    sp: Option<String>,
    /// Submit responses held back by `submit_latency`.
    delayed: VecDeque<(Instant, u32, SubmitResp)>,
    /// DELIVER sequence id → report Msg_Id, until DELIVER_RESP.
    out: HashMap<u32, u64>,
}

impl Conn {
    async fn run(
        &mut self,
        sim: &CmppSim,
        stream: TcpStream,
        shutdown: &mut watch::Receiver<bool>,
    ) -> std::io::Result<()> {
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        let mut buf = vec![0u8; 16 * 1024];
        let tick = Duration::from_millis(20);
        loop {
            self.handle_events(sim);
            self.send_due(sim);
            while let Some(bytes) = self.session.poll_transmit() {
                wr.write_all(&bytes).await?;
            }
            if self.session.is_closed() {
                return Ok(());
            }
            let mut wake = Instant::now() + tick;
            if let Some(t) = self.session.poll_timeout() {
                wake = wake.min(Instant::from_std(t));
            }
            if let Some((t, _, _)) = self.delayed.front() {
                wake = wake.min(*t);
            }
            tokio::select! {
                n = rd.read(&mut buf) => match n? {
                    0 => return Ok(()),
                    n => if let Err(e) = self.session.handle_input(&buf[..n], Instant::now().into_std()) {
                        tracing::warn!(error = %e, "simulated ISMG: closing after a protocol error");
                    },
                },
                _ = sleep_until(wake) => self.session.handle_timeout(Instant::now().into_std()),
                _ = shutdown.changed() => self.session.terminate(Instant::now().into_std()),
            }
        }
    }

    fn handle_events(&mut self, sim: &CmppSim) {
        while let Some(event) = self.session.poll_event() {
            match event {
                ServerEvent::ConnectRequest { sequence_id, connect } => {
                    let (status, secret) = sim.login(&connect);
                    self.session.answer_connect(sequence_id, &connect, status, &secret);
                    let sp = String::from_utf8_lossy(&connect.source_addr).into_owned();
                    tracing::info!(sp = %sp, status, "simulated ISMG: CONNECT");
                    if status == 0 {
                        sim.counters.logins.fetch_add(1, Ordering::Relaxed);
                        self.sp = Some(sp);
                    } else {
                        sim.counters.refused_logins.fetch_add(1, Ordering::Relaxed);
                    }
                }
                ServerEvent::Submit { sequence_id, submit } => {
                    let Some(sp) = self.sp.clone() else { continue };
                    sim.counters.submits.fetch_add(1, Ordering::Relaxed);
                    let resp = sim.accept_submit(&sp, &submit);
                    self.delayed.push_back((Instant::now() + sim.cfg.submit_latency, sequence_id, resp));
                }
                ServerEvent::DeliverResp { sequence_id, .. } => {
                    if let Some(id) = self.out.remove(&sequence_id) {
                        sim.counters.reports_acked.fetch_add(1, Ordering::Relaxed);
                        if let Err(e) = sim.book.ack(id) {
                            tracing::error!(error = %e, "simulated ISMG: journal write failed");
                        }
                    }
                }
                ServerEvent::DeliverTimedOut { sequence_id, .. } => {
                    if let Some(id) = self.out.remove(&sequence_id) {
                        sim.book.release(id);
                    }
                }
                other => tracing::debug!(event = ?other, "simulated ISMG: event"),
            }
        }
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
            let Some(r) = sim.book.take_due(&sp, now_ms(), 1).pop() else {
                break;
            };
            let pdu = sim.report_pdu(&r, &self.session);
            match self.session.deliver(now.into_std(), pdu) {
                Ok(seq) => drop(self.out.insert(seq, r.msg_id)),
                Err(_) => {
                    sim.book.release(r.msg_id);
                    break;
                }
            }
        }
    }
}
