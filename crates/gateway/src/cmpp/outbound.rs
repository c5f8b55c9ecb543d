//! A CMPP channel: one TCP link to an ISMG (or the simulator), kept up for as long as the
//! platform runs, fed from the engine's dispatch queue.
//!
//! The loop is the usual sans-I/O driver: give the session bytes and time, write out what it
//! wants sent, act on its events, sleep until the next of (bytes arrive, work arrives, the
//! session's timer, shutdown). Nothing here parses a PDU.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hongyan_cmpp_proto::session::{ClientEvent, ClientSession, SessionConfig};
use hongyan_cmpp_proto::Version;
use hongyan_engine::{DispatchReceiver, Engine};
use hongyan_store::SubmitOutcome;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{sleep, sleep_until, Instant};

use super::map::{self, Work};
use crate::backoff::Backoff;

/// CMPP result code for "flow control": the ISMG wants us slower, the message is fine.
const FLOW_CONTROL: u32 = 8;
/// How long to hold submits after a flow-control answer.
const THROTTLE_PAUSE: Duration = Duration::from_millis(200);
/// How long shutdown waits for in-flight submits to be answered.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// Everything one CMPP channel needs.
#[derive(Debug, Clone)]
pub struct CmppClientConfig {
    /// Channel name (stored with each message, matched by reports).
    pub channel: String,
    /// ISMG address.
    pub addr: SocketAddr,
    /// SP_Id (企业代码), 6 digits.
    pub sp_id: String,
    /// Shared secret.
    pub secret: String,
    /// Src_Id: the SP service code shown to the handset as sender.
    pub src_id: String,
    /// Service_Id (业务代码).
    pub service_id: String,
    /// Protocol timers, window and version.
    pub session: SessionConfig,
    /// True when the peer is Hongyan's own simulator; said in every log line of the link.
    pub simulated: bool,
}

/// Why one link ended.
enum LinkEnd {
    /// Shutdown finished cleanly.
    Drained,
    /// The link broke or was refused; try again after a back-off.
    Lost { reason: String, was_up: bool },
}

/// Runs the channel until `shutdown` turns true and in-flight work is answered.
pub async fn run_client(
    cfg: CmppClientConfig,
    engine: Arc<Engine>,
    mut queue: DispatchReceiver,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backlog: VecDeque<Work> = VecDeque::new();
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
    let kind = if cfg.simulated { "SIMULATED gateway" } else { "gateway" };
    loop {
        if *shutdown.borrow() {
            break;
        }
        let end = match tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(cfg.addr)).await {
            Ok(Ok(stream)) => {
                let mut link = Link { cfg: &cfg, engine: &engine, inflight: HashMap::new(), backlog: &mut backlog };
                link.run(stream, &mut queue, &mut shutdown).await
            }
            Ok(Err(e)) => LinkEnd::Lost { reason: e.to_string(), was_up: false },
            Err(_) => LinkEnd::Lost { reason: "connect timed out".into(), was_up: false },
        };
        match end {
            LinkEnd::Drained => break,
            LinkEnd::Lost { reason, was_up } => {
                if was_up {
                    backoff.reset();
                }
                let delay = backoff.next_delay();
                tracing::warn!(channel = %cfg.channel, %kind, addr = %cfg.addr, %reason, retry_in_ms = delay.as_millis() as u64, "CMPP link down");
                tokio::select! {
                    _ = sleep(delay) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
    tracing::info!(channel = %cfg.channel, unsent_segments = backlog.len(), "CMPP channel stopped; unsent messages stay queued in the store");
}

struct Link<'a> {
    cfg: &'a CmppClientConfig,
    engine: &'a Arc<Engine>,
    inflight: HashMap<u32, Work>,
    backlog: &'a mut VecDeque<Work>,
}

/// State of one connection's loop that is not the session itself.
struct Flags {
    up: bool,
    draining: bool,
    terminate_sent: bool,
    paused_until: Option<Instant>,
    drain_deadline: Option<Instant>,
    version: Version,
}

impl Link<'_> {
    async fn run(
        &mut self,
        stream: TcpStream,
        queue: &mut DispatchReceiver,
        shutdown: &mut watch::Receiver<bool>,
    ) -> LinkEnd {
        let _ = stream.set_nodelay(true);
        let (mut rd, mut wr) = stream.into_split();
        let mut session = ClientSession::new(
            self.cfg.session.clone(),
            self.cfg.sp_id.as_bytes().to_vec(),
            self.cfg.secret.as_bytes().to_vec(),
        );
        session.connect(Instant::now().into_std(), self.engine.clock().now().beijing_mmddhhmmss());
        let mut f = Flags {
            up: false,
            draining: *shutdown.borrow(),
            terminate_sent: false,
            paused_until: None,
            drain_deadline: None,
            version: self.cfg.session.version,
        };
        let mut buf = vec![0u8; 16 * 1024];
        let end = loop {
            if let Err(reason) = self.step(&mut session, &mut wr, &mut f).await {
                break LinkEnd::Lost { reason, was_up: f.up };
            }
            if f.draining && !f.up {
                break LinkEnd::Drained;
            }
            if session.is_closed() {
                break if f.draining {
                    LinkEnd::Drained
                } else {
                    LinkEnd::Lost { reason: "session closed".into(), was_up: f.up }
                };
            }
            let wants_work =
                f.up && !f.draining && self.backlog.is_empty() && session.can_submit() && f.paused_until.is_none();
            let timer = session.poll_timeout().map(Instant::from_std);
            tokio::select! {
                read = rd.read(&mut buf) => match read {
                    Ok(0) => break LinkEnd::Lost { reason: "peer closed the connection".into(), was_up: f.up },
                    Ok(n) => if let Err(e) = session.handle_input(&buf[..n], Instant::now().into_std()) {
                        break LinkEnd::Lost { reason: format!("protocol error: {e}"), was_up: f.up };
                    },
                    Err(e) => break LinkEnd::Lost { reason: e.to_string(), was_up: f.up },
                },
                Some(out) = queue.recv(), if wants_work => self.backlog.extend(map::segments(&out)),
                _ = sleep_until(timer.unwrap_or_else(far_future)), if timer.is_some() => session.handle_timeout(Instant::now().into_std()),
                _ = sleep_until(f.paused_until.unwrap_or_else(far_future)), if f.paused_until.is_some() => f.paused_until = None,
                _ = shutdown.changed(), if !f.draining => {
                    f.draining = true;
                    f.drain_deadline = Some(Instant::now() + DRAIN_GRACE);
                }
                _ = sleep_until(f.drain_deadline.unwrap_or_else(far_future)), if f.drain_deadline.is_some() => {
                    tracing::warn!(channel = %self.cfg.channel, unanswered = self.inflight.len(), "drain grace over; closing with submits unanswered");
                    break LinkEnd::Drained;
                }
            }
        };
        // Whatever the carrier did not answer goes back to the front, in submit order.
        let mut orphans: Vec<(u32, Work)> = self.inflight.drain().collect();
        orphans.sort_by_key(|(seq, _)| std::cmp::Reverse(*seq));
        orphans.into_iter().for_each(|(_, w)| self.backlog.push_front(w));
        end
    }

    /// Submits what the window allows, writes what the session queued, handles its events.
    async fn step(
        &mut self,
        session: &mut ClientSession,
        wr: &mut OwnedWriteHalf,
        f: &mut Flags,
    ) -> Result<(), String> {
        loop {
            if f.up && !f.draining && f.paused_until.is_none() {
                self.fill_window(session);
            }
            if f.draining && f.up && self.inflight.is_empty() && !f.terminate_sent {
                session.terminate(Instant::now().into_std());
                f.terminate_sent = true;
            }
            while let Some(bytes) = session.poll_transmit() {
                wr.write_all(&bytes).await.map_err(|e| e.to_string())?;
            }
            if !self.handle_events(session, f).await? {
                return Ok(());
            }
            // Events may have opened the window or queued acknowledgements: go round again.
        }
    }

    fn fill_window(&mut self, session: &mut ClientSession) {
        while session.can_submit() {
            let Some(work) = self.backlog.pop_front() else { break };
            match session.submit(Instant::now().into_std(), map::submit(self.cfg, &work)) {
                Ok(seq) => {
                    self.inflight.insert(seq, work);
                }
                Err(_) => {
                    self.backlog.push_front(work);
                    break;
                }
            }
        }
    }

    /// Returns true when there were events (so the caller goes round again).
    async fn handle_events(&mut self, session: &mut ClientSession, f: &mut Flags) -> Result<bool, String> {
        let mut outcomes = Vec::new();
        let mut acks = Vec::new();
        let mut reports = Vec::new();
        let now = self.engine.clock().now();
        let mut any = false;
        while let Some(event) = session.poll_event() {
            any = true;
            match event {
                ClientEvent::Connected { version } => {
                    f.up = true;
                    f.version = version;
                    let kind = if self.cfg.simulated { "SIMULATED gateway (not a real carrier)" } else { "gateway" };
                    tracing::info!(channel = %self.cfg.channel, addr = %self.cfg.addr, version = %version, "CMPP link up to {kind}");
                }
                ClientEvent::ConnectRejected { status } => return Err(format!("CONNECT refused with status {status}")),
                ClientEvent::SubmitResp { sequence_id, resp } => {
                    let Some(work) = self.inflight.remove(&sequence_id) else {
                        continue;
                    };
                    if resp.result.0 == FLOW_CONTROL {
                        f.paused_until = Some(Instant::now() + THROTTLE_PAUSE);
                        self.backlog.push_front(work);
                    } else {
                        outcomes.push(map::outcome(&work, &resp, now));
                    }
                }
                ClientEvent::SubmitTimedOut { sequence_id, .. } => {
                    // Never lost: unanswered after every retry, it waits for the next turn.
                    if let Some(work) = self.inflight.remove(&sequence_id) {
                        self.backlog.push_back(work);
                    }
                }
                ClientEvent::Deliver { sequence_id, deliver } => match deliver.report(f.version) {
                    Some(Ok(r)) => {
                        reports.push(map::report(&self.cfg.channel, &deliver, &r, f.version, now));
                        acks.push((sequence_id, deliver.msg_id));
                    }
                    Some(Err(e)) => {
                        tracing::warn!(channel = %self.cfg.channel, error = %e, "malformed status report acknowledged with result 1");
                        session.ack_deliver(sequence_id, deliver.msg_id, 1);
                    }
                    None => {
                        // MO messages are issue 5's work; acknowledge so the ISMG does not resend forever.
                        tracing::info!(channel = %self.cfg.channel, "MO message received and acknowledged (MO handling not built yet)");
                        session.ack_deliver(sequence_id, deliver.msg_id, 0);
                    }
                },
                ClientEvent::LinkDead => return Err("keep-alive unanswered".into()),
                ClientEvent::Terminated => tracing::info!(channel = %self.cfg.channel, "CMPP link terminated"),
                ClientEvent::Malformed { error } => {
                    tracing::warn!(channel = %self.cfg.channel, %error, "malformed PDU from the gateway")
                }
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        self.record(outcomes).await;
        self.apply_reports(session, reports, acks).await;
        Ok(any)
    }

    async fn record(&self, outcomes: Vec<SubmitOutcome>) {
        if let Err(e) = self.engine.submit_outcomes(outcomes).await {
            // The messages stay `accepted` and are submitted again after a restart.
            tracing::error!(channel = %self.cfg.channel, error = %e, "could not record submit outcomes");
        }
    }

    /// Acknowledges reports only once they are stored; if storing fails the ISMG resends.
    async fn apply_reports(
        &self,
        session: &mut ClientSession,
        reports: Vec<hongyan_store::ReportIn>,
        acks: Vec<(u32, u64)>,
    ) {
        if reports.is_empty() {
            return;
        }
        match self.engine.reports(reports).await {
            Ok(_) => acks.into_iter().for_each(|(seq, id)| session.ack_deliver(seq, id, 0)),
            Err(e) => {
                tracing::error!(channel = %self.cfg.channel, error = %e, "could not store reports; not acknowledged")
            }
        }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400)
}
