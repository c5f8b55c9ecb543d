//! Cluster mode: the carrier connections this node holds.
//!
//! Each connection of each channel is a lease, `link:CHANNEL:i`. A node takes connections up
//! to its fair share (the channel's connections over the live nodes, rounded up), renews
//! what it holds, and gives a connection up when it holds more than its share — after its
//! link has drained, so the carrier never sees more connections than it granted for longer
//! than a reconnect. The gateway sees one flag per connection (`gateway::LinkGates`).

use std::collections::HashMap;
use std::time::Duration;

use hongyan_gateway::LinkGates;
use hongyan_store_postgres::{Lease, Leases, PgStore};
use tokio::sync::watch;
use tokio::time::Instant;

/// How long a link given up keeps its lease, so that it drains before another node connects.
const DRAIN_HOLD: Duration = Duration::from_secs(6);

/// One connection of one channel, as this node sees it.
struct Slot {
    channel: String,
    index: usize,
    held: watch::Sender<bool>,
    lease: Option<Lease>,
    last_renewed: Instant,
    /// Given up: the lease is kept until then, while the link drains.
    release_at: Option<Instant>,
}

/// The connection leases of every channel of this node.
pub(crate) struct LinkLeases {
    slots: Vec<Slot>,
    connections: HashMap<String, usize>,
}

impl LinkLeases {
    /// One slot per connection of each `(channel, connections)`; the gateways' flags.
    pub(crate) fn new(channels: &[(String, usize)]) -> (Self, HashMap<String, LinkGates>) {
        let mut slots = Vec::new();
        let mut gates = HashMap::new();
        for (channel, n) in channels {
            let mut flags = Vec::new();
            for index in 0..(*n).max(1) {
                let (held, rx) = watch::channel(false);
                flags.push(rx);
                let last_renewed = Instant::now();
                slots.push(Slot { channel: channel.clone(), index, held, lease: None, last_renewed, release_at: None });
            }
            gates.insert(channel.clone(), LinkGates::new(flags));
        }
        let connections = channels.iter().map(|(c, n)| (c.clone(), (*n).max(1))).collect();
        (Self { slots, connections }, gates)
    }

    /// The channels of which this node holds a connection now.
    pub(crate) fn channels_held(&self) -> Vec<String> {
        let mut held: Vec<String> = self.slots.iter().filter(|s| *s.held.borrow()).map(|s| s.channel.clone()).collect();
        held.dedup();
        held
    }

    /// Renews what is held, gives up what is over the share, takes what is free within it.
    pub(crate) async fn tend(&mut self, leases: &Leases, store: &PgStore, wait: Duration, pause_after: Duration) {
        self.renew(leases, wait, pause_after).await;
        let Ok(live) = store.live_nodes().await else { return };
        for (channel, n) in &self.connections {
            let share = n.div_ceil(live.max(1));
            let mine: Vec<usize> = (0..self.slots.len())
                .filter(|i| self.slots[*i].channel == *channel && self.slots[*i].lease.is_some())
                .filter(|i| self.slots[*i].release_at.is_none())
                .collect();
            if mine.len() > share {
                if let Some(extra) = mine.last() {
                    self.slots[*extra].give_up();
                }
            }
            let mut held = mine.len();
            for slot in self.slots.iter_mut().filter(|s| s.channel == *channel && s.lease.is_none()) {
                if held >= share {
                    break;
                }
                if slot.take(leases).await {
                    held += 1;
                }
            }
        }
    }

    /// Renews every lease held in one statement; a connection whose lease is lost, or not
    /// renewed for `pause_after`, drains; one given up is released once it has drained.
    async fn renew(&mut self, leases: &Leases, wait: Duration, pause_after: Duration) {
        for slot in self.slots.iter_mut().filter(|s| s.release_at.is_some_and(|at| Instant::now() >= at)) {
            if let Some(lease) = slot.lease.take() {
                let _ = leases.release(&lease).await;
            }
            slot.release_at = None;
        }
        let held: Vec<usize> = (0..self.slots.len()).filter(|i| self.slots[*i].lease.is_some()).collect();
        let asked: Vec<Lease> = held.iter().filter_map(|i| self.slots[*i].lease.clone()).collect();
        let at = Instant::now();
        let answer = tokio::time::timeout(wait, leases.renew_all(&asked)).await;
        for (k, i) in held.into_iter().enumerate() {
            let slot = &mut self.slots[i];
            match &answer {
                Ok(Ok(kept)) if kept.get(k) == Some(&true) => {
                    slot.last_renewed = at;
                    if slot.release_at.is_none() {
                        slot.held.send_if_modified(|h| !std::mem::replace(h, true));
                    }
                }
                Ok(Ok(_)) => {
                    tracing::warn!(channel = %slot.channel, link = slot.index, "lost the connection's lease; another node opens it");
                    slot.lease = None;
                    slot.held.send_if_modified(|h| std::mem::replace(h, false));
                }
                // Not known to be lost yet; the link drains before the lease can lapse.
                _ if slot.last_renewed.elapsed() > pause_after => {
                    slot.held.send_if_modified(|h| std::mem::replace(h, false));
                }
                _ => {}
            }
        }
    }
}

impl Slot {
    fn name(&self) -> String {
        format!("link:{}:{}", self.channel, self.index)
    }

    fn give_up(&mut self) {
        tracing::info!(channel = %self.channel, link = self.index, "giving the connection to another node");
        self.held.send_if_modified(|h| std::mem::replace(h, false));
        self.release_at = Some(Instant::now() + DRAIN_HOLD);
    }

    async fn take(&mut self, leases: &Leases) -> bool {
        match leases.acquire(&self.name()).await {
            Ok(Some(lease)) => {
                tracing::info!(channel = %self.channel, link = self.index, generation = lease.generation, "this node holds the connection");
                self.lease = Some(lease);
                self.last_renewed = Instant::now();
                self.held.send_if_modified(|h| !std::mem::replace(h, true));
                true
            }
            _ => false,
        }
    }
}
