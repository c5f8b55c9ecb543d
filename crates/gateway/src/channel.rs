//! A channel: N connections to one gateway, one shared backlog, one rate limit.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

// tokio's: the monotonic clock in a running process, and a paused clock's in tests, like
// every other timer of the links.
use tokio::time::Instant;

use hongyan_types::MessageId;

use hongyan_engine::{DispatchReceiver, Engine, Outbound};
use hongyan_types::SubmitOutcome;
use tokio::sync::watch;

use crate::adapter::{Adapter, SubmitAnswer, Work};
use crate::cmpp::{self, CmppSettings};
use crate::gates::LinkGates;
use crate::lanes::Lanes;
use crate::link;
use crate::rate::RateLimit;
use crate::sgip::{self, SgipSettings};
use crate::smgp::{self, SmgpSettings};
use crate::smpp::{self, SmppSettings};

/// Protocol-specific settings of a channel.
#[derive(Debug, Clone)]
pub enum ProtocolConfig {
    /// CMPP 2.0/3.0 (China Mobile).
    Cmpp(CmppSettings),
    /// SMGP 3.0 (China Telecom).
    Smgp(SmgpSettings),
    /// SGIP 1.2 (China Unicom), both directions.
    Sgip(SgipSettings),
    /// SMPP 3.4 (aggregators).
    Smpp(SmppSettings),
}

/// Everything one channel needs.
#[derive(Debug, Clone)]
pub struct ChannelConfig {
    /// Unique name (stored with each message, matched by reports).
    pub name: String,
    /// Gateway address.
    pub addr: SocketAddr,
    /// TLS towards the gateway, when it asks for it (plain TCP otherwise).
    pub tls: Option<hongyan_net::TlsTarget>,
    /// Connections kept open to the gateway.
    pub connections: usize,
    /// Contracted submits per second over all connections; `None` = unlimited.
    pub rate: Option<u32>,
    /// True when the peer is Hongyan's own simulator; said in the logs.
    pub simulated: bool,
    /// The protocol and its settings.
    pub protocol: ProtocolConfig,
    /// With no link up for this long, the channel is reported down: new traffic goes to its
    /// backups and what waits here is moved to them.
    pub failover_after: Duration,
}

impl ChannelConfig {
    /// A fresh session for a new connection; `session_no` counts the channel's sessions.
    pub(crate) fn new_adapter(&self, session_no: u32) -> Box<dyn Adapter> {
        match &self.protocol {
            ProtocolConfig::Cmpp(s) => Box::new(cmpp::CmppAdapter::new(&self.name, s.clone())),
            ProtocolConfig::Smgp(s) => Box::new(smgp::SmgpAdapter::new(&self.name, s.clone())),
            ProtocolConfig::Sgip(s) => Box::new(sgip::SgipAdapter::new(s.clone(), session_no)),
            ProtocolConfig::Smpp(s) => Box::new(smpp::SmppAdapter::new(&self.name, s.clone())),
        }
    }

    fn segments(&self, out: &Outbound) -> Vec<Work> {
        match &self.protocol {
            ProtocolConfig::Cmpp(_) | ProtocolConfig::Smgp(_) | ProtocolConfig::Sgip(_) | ProtocolConfig::Smpp(_) => {
                crate::adapter::ucs2_segments(out)
            }
        }
    }

    /// How long a request waits for its answer before it is sent again.
    pub(crate) fn response_timeout(&self) -> Duration {
        match &self.protocol {
            ProtocolConfig::Cmpp(s) => s.session.response_timeout,
            ProtocolConfig::Smgp(s) => s.session.response_timeout,
            ProtocolConfig::Sgip(s) => s.session.response_timeout,
            ProtocolConfig::Smpp(s) => s.session.response_timeout,
        }
    }

    /// What the console shows of the configuration.
    fn setup(&self) -> hongyan_engine::monitor::ChannelSetup {
        let (protocol, window) = match &self.protocol {
            ProtocolConfig::Cmpp(s) => {
                let v = if s.session.version == hongyan_cmpp_proto::Version::V20 { "CMPP 2.0" } else { "CMPP 3.0" };
                (v, s.session.window)
            }
            ProtocolConfig::Smgp(s) => ("SMGP 3.0", s.session.window),
            ProtocolConfig::Sgip(s) => ("SGIP 1.2", s.session.window),
            ProtocolConfig::Smpp(s) => ("SMPP 3.4", s.session.window),
        };
        hongyan_engine::monitor::ChannelSetup {
            protocol: protocol.into(),
            addr: if self.tls.is_some() { format!("{} (TLS)", self.addr) } else { self.addr.to_string() },
            connections: self.connections.max(1),
            window,
            rate: self.rate,
            simulated: self.simulated,
        }
    }

    pub(crate) fn kind(&self) -> &'static str {
        if self.simulated {
            "SIMULATED gateway (not a real carrier)"
        } else {
            "gateway"
        }
    }
}

/// Transient refusals of one segment before it fails over or fails.
pub(crate) const TRANSIENT_ATTEMPTS: u8 = 3;

/// How often the channel's health is looked at.
const HEALTH_TICK: Duration = Duration::from_millis(500);

/// How long a node that holds none of the channel's connections gathers newly accepted
/// messages before it gives them to the nodes that do: one hand-over for many, soon enough
/// that a verification code does not wait for the health tick.
const GIVE_BACK_AFTER: Duration = Duration::from_millis(5);

/// What the connections of one channel share.
pub(crate) struct Shared {
    pub(crate) cfg: ChannelConfig,
    pub(crate) engine: Arc<Engine>,
    // std Mutex: held only to push or pop, never across an await.
    backlog: Mutex<Lanes>,
    /// Bumped whenever work is added, so idle links wake up.
    pub(crate) work_added: watch::Sender<u64>,
    pub(crate) rate: Option<RateLimit>,
    /// Sessions opened so far, over all connections and reconnects.
    pub(crate) sessions: std::sync::atomic::AtomicU32,
    /// Links logged in right now.
    pub(crate) links_up: AtomicUsize,
    /// The figures the console shows.
    pub(crate) monitor: Arc<hongyan_engine::monitor::ChannelMonitor>,
    /// Segments refused for a transient reason, waiting for their retry time.
    retries: Mutex<Vec<(Instant, Work)>>,
    /// A lane ran low while parked messages wait: the channel task reads them back.
    refill_wanted: tokio::sync::Notify,
    /// In a cluster, which connections this node holds (`gates.rs`).
    pub(crate) gates: Option<LinkGates>,
}

impl Shared {
    pub(crate) fn pop(&self) -> Option<Work> {
        let mut b = self.backlog.lock().expect("backlog");
        let work = b.pop();
        self.monitor.backlog(b.len());
        if b.wants_refill() {
            self.refill_wanted.notify_one();
        }
        work
    }

    /// A newly queued message: its segments wait in memory, or only its id when its lane is
    /// full (it is read back from the store when its turn comes).
    fn offer(&self, out: &Outbound) {
        let lane = crate::lanes::lane(out.message.category);
        let mut b = self.backlog.lock().expect("backlog");
        if b.admits(lane) {
            self.cfg.segments(out).into_iter().for_each(|w| b.push_back(w));
        } else {
            b.park(lane, out.message.id);
        }
        self.monitor.backlog(b.len());
        drop(b);
        self.work_added.send_modify(|g| *g += 1);
    }

    /// Reads parked messages back while a lane runs low. A message that is no longer
    /// waiting here (sent, failed, moved to another channel) is simply not found.
    async fn refill(&self) {
        loop {
            let Some((lane, ids)) = self.backlog.lock().expect("backlog").start_refill() else { return };
            let (work, unread) = match self.engine.reload(&self.cfg.name, ids.clone()).await {
                Ok(outs) => (outs.iter().flat_map(|o| self.cfg.segments(o)).collect(), Vec::new()),
                Err(e) => {
                    tracing::error!(channel = %self.cfg.name, error = %e, "could not read queued messages back; retrying");
                    (Vec::new(), ids)
                }
            };
            let failed = !unread.is_empty();
            self.backlog.lock().expect("backlog").finish_refill(lane, work, unread);
            self.work_added.send_modify(|g| *g += 1);
            if failed {
                return;
            }
        }
    }

    /// Puts work back at the front (it was first in line), in the order given.
    pub(crate) fn put_back_front(&self, work: Vec<Work>) {
        let mut b = self.backlog.lock().expect("backlog");
        work.into_iter().rev().for_each(|w| b.push_front(w));
        drop(b);
        self.work_added.send_modify(|g| *g += 1);
    }

    pub(crate) fn push_back(&self, work: Vec<Work>) {
        let mut b = self.backlog.lock().expect("backlog");
        work.into_iter().for_each(|w| b.push_back(w));
        self.monitor.backlog(b.len());
        drop(b);
        self.work_added.send_modify(|g| *g += 1);
    }

    pub(crate) fn backlog_len(&self) -> usize {
        self.backlog.lock().expect("backlog").len()
    }

    /// Link `index` logged in; the first one brings the channel (back) up.
    pub(crate) fn link_up(&self, index: usize) {
        self.monitor.link(index, true, self.engine.clock().now());
        if self.links_up.fetch_add(1, Ordering::SeqCst) == 0 {
            self.engine.set_channel_up(&self.cfg.name, true);
        }
    }

    /// Logged-in link `index` ended.
    pub(crate) fn link_down(&self, index: usize) {
        self.monitor.link(index, false, self.engine.clock().now());
        self.links_up.fetch_sub(1, Ordering::SeqCst);
    }

    /// Schedules a retry after a transient refusal (1 s, 2 s, 4 s …); after
    /// [`TRANSIENT_ATTEMPTS`] refusals hands the segment back with the last answer instead.
    pub(crate) fn retry_later(&self, mut work: Work, code: u32, text: String) -> Option<(Work, SubmitAnswer)> {
        work.attempts += 1;
        if work.attempts >= TRANSIENT_ATTEMPTS {
            return Some((work, SubmitAnswer::Refused { code, text }));
        }
        tracing::info!(channel = %self.cfg.name, message_id = %work.message_id, attempt = work.attempts, code, "transient refusal; retrying later");
        let delay = Duration::from_secs(1 << (work.attempts - 1));
        self.retries.lock().expect("retries").push((Instant::now() + delay, work));
        None
    }

    /// Puts retries whose time has come back in the backlog.
    fn release_retries(&self) {
        let now = Instant::now();
        let due: Vec<Work> = {
            let mut r = self.retries.lock().expect("retries");
            let (due, later): (Vec<_>, Vec<_>) = r.drain(..).partition(|(t, _)| *t <= now);
            *r = later;
            due.into_iter().map(|(_, w)| w).collect()
        };
        if !due.is_empty() {
            self.push_back(due);
        }
    }

    /// Segments out of retries: their messages move to a backup channel if one serves them;
    /// the rest fail with the last carrier error.
    pub(crate) async fn fail_over_or_give_up(&self, exhausted: Vec<(Work, SubmitAnswer)>) -> Vec<SubmitOutcome> {
        if exhausted.is_empty() {
            return Vec::new();
        }
        let ids: Vec<MessageId> = exhausted.iter().map(|(w, _)| w.message_id).collect();
        let moved: HashSet<MessageId> = match self.engine.reroute(&self.cfg.name, &ids).await {
            Ok(m) => m.into_iter().collect(),
            Err(e) => {
                tracing::error!(channel = %self.cfg.name, error = %e, "could not move messages after retries");
                HashSet::new()
            }
        };
        let now = self.engine.clock().now();
        exhausted
            .into_iter()
            .filter(|(w, _)| !moved.contains(&w.message_id))
            .map(|(w, answer)| link::outcome(&w, answer, now))
            .collect()
    }

    fn take_all(&self) -> (Vec<Work>, [Vec<MessageId>; 3]) {
        self.backlog.lock().expect("backlog").take_all()
    }

    fn unpark(&self, ids: [Vec<MessageId>; 3]) {
        self.backlog.lock().expect("backlog").unpark(ids);
    }
}

/// Watches the channel's links: reports it down after `failover_after` with none up, and then
/// hands what waits in its backlog to the engine to move to a backup.
struct Health {
    down_since: Option<Instant>,
    reported_down: bool,
}

impl Health {
    async fn check(&mut self, shared: &Shared) {
        shared.release_retries();
        shared.monitor.backlog(shared.backlog_len());
        if shared.gates.as_ref().is_some_and(|g| !g.any_held()) {
            // Not down: the channel's connections are on other nodes, which send its messages.
            *self = Self { down_since: None, reported_down: false };
            give_back(shared).await;
            return;
        }
        if shared.links_up.load(Ordering::SeqCst) > 0 {
            *self = Self { down_since: None, reported_down: false };
            return;
        }
        let since = *self.down_since.get_or_insert_with(Instant::now);
        if since.elapsed() < shared.cfg.failover_after {
            return;
        }
        if !self.reported_down {
            self.reported_down = true;
            shared.engine.set_channel_up(&shared.cfg.name, false);
        }
        let name = shared.cfg.name.clone();
        let engine = Arc::clone(&shared.engine);
        let away = |ids: Vec<MessageId>| async move { engine.reroute(&name, &ids).await };
        shared.hand_off("failover: could not move messages", away).await;
    }
}

/// Resolves at `t`; never without one. (Built every turn of the channel's loop, once per
/// message, mostly with no `t`: then no `Sleep` is made, nor the runtime's timer looked up.)
async fn at(t: Option<Instant>) {
    match t {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// A node holding none of the channel's connections gives what waits here back to the
/// cluster; what could not be given back stays.
async fn give_back(shared: &Shared) {
    let engine = Arc::clone(&shared.engine);
    let away = |ids: Vec<MessageId>| async move { engine.release_messages(ids).await };
    shared.hand_off("could not give messages back to the cluster; trying again", away).await;
}

impl Shared {
    /// Takes everything waiting here, offers its ids to `away` (another channel, or the
    /// cluster), and keeps what `away` did not take. `failed` is logged if it fails.
    async fn hand_off<Fut>(&self, failed: &str, away: impl FnOnce(Vec<MessageId>) -> Fut)
    where
        Fut: std::future::Future<Output = Result<Vec<MessageId>, hongyan_engine::EngineError>>,
    {
        let (waiting, parked) = self.take_all();
        if waiting.is_empty() && parked.iter().all(Vec::is_empty) {
            return;
        }
        let ids: HashSet<MessageId> =
            waiting.iter().map(|w| w.message_id).chain(parked.iter().flatten().copied()).collect();
        let taken: HashSet<MessageId> = match away(ids.into_iter().collect()).await {
            Ok(taken) => taken.into_iter().collect(),
            Err(e) => {
                tracing::error!(channel = %self.cfg.name, error = %e, "{failed}");
                HashSet::new()
            }
        };
        self.unpark(parked.map(|ids| ids.into_iter().filter(|id| !taken.contains(id)).collect()));
        self.push_back(waiting.into_iter().filter(|w| !taken.contains(&w.message_id)).collect());
    }
}

/// Runs the channel until `shutdown` turns true and its connections have drained.
pub async fn run_channel(
    cfg: ChannelConfig,
    engine: Arc<Engine>,
    queue: DispatchReceiver,
    shutdown: watch::Receiver<bool>,
) {
    run_channel_gated(cfg, engine, queue, shutdown, None).await;
}

/// [`run_channel`] as a node of a cluster: each connection only while `gates` says this node
/// holds it, each at its share of the rate; with none held, the channel's messages are
/// given back to the cluster.
pub async fn run_channel_gated(
    cfg: ChannelConfig,
    engine: Arc<Engine>,
    mut queue: DispatchReceiver,
    mut shutdown: watch::Receiver<bool>,
    gates: Option<LinkGates>,
) {
    let rate = if gates.is_some() { None } else { RateLimit::new(cfg.rate, Instant::now()) };
    let monitor = engine.monitor_channel(&cfg.name, cfg.setup());
    let shared = Arc::new(Shared {
        monitor,
        cfg,
        engine,
        backlog: Mutex::new(Lanes::default()),
        work_added: watch::channel(0).0,
        rate,
        sessions: Default::default(),
        links_up: AtomicUsize::new(0),
        retries: Mutex::new(Vec::new()),
        refill_wanted: tokio::sync::Notify::new(),
        gates,
    });
    if let ProtocolConfig::Sgip(s) = &shared.cfg.protocol {
        let inbound = sgip::Inbound {
            channel: shared.cfg.name.clone(),
            login_name: s.login_name.clone(),
            password: s.password.clone(),
            session: s.session.clone(),
            sp_number: s.sp_number.clone(),
            tls: s.listen_tls.clone(),
        };
        tokio::spawn(sgip::serve_inbound(s.listen, inbound, shared.engine.clone(), shutdown.clone()));
    }
    let links: Vec<_> = (0..shared.cfg.connections.max(1))
        .map(|i| tokio::spawn(link::run(i, shared.clone(), shutdown.clone())))
        .collect();
    let mut health = Health { down_since: None, reported_down: false };
    let mut tick = tokio::time::interval(HEALTH_TICK);
    let mut give_back_at: Option<Instant> = None;
    while !*shutdown.borrow() {
        tokio::select! {
            out = queue.recv() => match out {
                Some(out) => {
                    shared.offer(&out);
                    if give_back_at.is_none() && shared.gates.as_ref().is_some_and(|g| !g.any_held()) {
                        give_back_at = Some(Instant::now() + GIVE_BACK_AFTER);
                    }
                }
                None => break,
            },
            () = at(give_back_at), if give_back_at.is_some() => {
                give_back_at = None;
                if shared.gates.as_ref().is_some_and(|g| !g.any_held()) {
                    give_back(&shared).await;
                }
            }
            () = shared.refill_wanted.notified() => shared.refill().await,
            _ = tick.tick() => {
                health.check(&shared).await;
                shared.refill().await;
                shared.engine.record_unrecorded().await;
            }
            _ = shutdown.changed() => break,
        }
    }
    for l in links {
        let _ = l.await;
    }
    let unrecorded = shared.engine.record_unrecorded().await;
    if unrecorded > 0 {
        tracing::error!(channel = %shared.cfg.name, unrecorded,
            "submit outcomes could not be stored before the stop; those messages are submitted again after the next start");
    }
    tracing::info!(
        channel = %shared.cfg.name,
        unsent_segments = shared.backlog_len(),
        "channel stopped; unsent messages stay queued in the store"
    );
}
