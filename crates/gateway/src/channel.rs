//! A channel: N connections to one gateway, one shared backlog, one rate limit.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hongyan_engine::{DispatchReceiver, Engine, Outbound};
use tokio::sync::watch;

use crate::adapter::{Adapter, Work};
use crate::cmpp::{self, CmppSettings};
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
    /// Connections kept open to the gateway.
    pub connections: usize,
    /// Contracted submits per second over all connections; `None` = unlimited.
    pub rate: Option<u32>,
    /// True when the peer is Hongyan's own simulator; said in the logs.
    pub simulated: bool,
    /// The protocol and its settings.
    pub protocol: ProtocolConfig,
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

    pub(crate) fn kind(&self) -> &'static str {
        if self.simulated {
            "SIMULATED gateway (not a real carrier)"
        } else {
            "gateway"
        }
    }
}

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
}

impl Shared {
    pub(crate) fn pop(&self) -> Option<Work> {
        self.backlog.lock().expect("backlog").pop()
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
        drop(b);
        self.work_added.send_modify(|g| *g += 1);
    }

    pub(crate) fn backlog_len(&self) -> usize {
        self.backlog.lock().expect("backlog").len()
    }
}

/// Runs the channel until `shutdown` turns true and its connections have drained.
pub async fn run_channel(
    cfg: ChannelConfig,
    engine: Arc<Engine>,
    mut queue: DispatchReceiver,
    mut shutdown: watch::Receiver<bool>,
) {
    let rate = RateLimit::new(cfg.rate, Instant::now());
    let shared = Arc::new(Shared {
        cfg,
        engine,
        backlog: Mutex::new(Lanes::default()),
        work_added: watch::channel(0).0,
        rate,
        sessions: Default::default(),
    });
    if let ProtocolConfig::Sgip(s) = &shared.cfg.protocol {
        let inbound = sgip::Inbound {
            channel: shared.cfg.name.clone(),
            login_name: s.login_name.clone(),
            password: s.password.clone(),
            session: s.session.clone(),
        };
        tokio::spawn(sgip::serve_inbound(s.listen, inbound, shared.engine.clone(), shutdown.clone()));
    }
    let links: Vec<_> = (0..shared.cfg.connections.max(1))
        .map(|i| tokio::spawn(link::run(i, shared.clone(), shutdown.clone())))
        .collect();
    while !*shutdown.borrow() {
        tokio::select! {
            out = queue.recv() => match out {
                Some(out) => shared.push_back(shared.cfg.segments(&out)),
                None => break,
            },
            _ = shutdown.changed() => break,
        }
    }
    for l in links {
        let _ = l.await;
    }
    tracing::info!(
        channel = %shared.cfg.name,
        unsent_segments = shared.backlog_len(),
        "channel stopped; unsent messages stay queued in the store"
    );
}
