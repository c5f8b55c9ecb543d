//! Cluster mode: the carrier connections this node holds.
//!
//! Each connection of each channel is a lease, `link:CHANNEL:i`. A node takes connections up
//! to its fair share (the channel's connections over the live nodes, rounded up) while no
//! other node holds fewer, renews what it holds, and gives a connection up when it holds more
//! than its share or two more than another node — after its link has drained, so the carrier
//! never sees more connections than it granted for longer than a reconnect. A node that holds
//! none gives the channel's messages to those that do (`gateway::channel`). The gateway sees
//! one flag per connection (`gateway::LinkGates`).

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
        let channels: Vec<(String, usize)> = self.connections.iter().map(|(c, n)| (c.clone(), *n)).collect();
        for (channel, n) in channels {
            let Ok(holdings) = leases.holdings(&format!("link:{channel}:")).await else { continue };
            let others = Others::of(&holdings, leases.node(), live);
            self.balance(leases, &channel, n.div_ceil(live.max(1)), others).await;
        }
    }

    /// Keeps this node's connections of `channel` within `share` and within one of the node
    /// holding the fewest: a node gives one up when it holds two more than that node (so four
    /// connections on three nodes end as two, one and one, not two, two and none), and takes
    /// a free one only while no other node holds fewer.
    async fn balance(&mut self, leases: &Leases, channel: &str, share: usize, others: Others) {
        let mine: Vec<usize> = (0..self.slots.len())
            .filter(|i| self.slots[*i].channel == channel && self.slots[*i].lease.is_some())
            .filter(|i| self.slots[*i].release_at.is_none())
            .collect();
        if others.gives_up(mine.len(), share) {
            if let Some(extra) = mine.last() {
                self.slots[*extra].give_up();
            }
            return;
        }
        let mut held = mine.len();
        for slot in self.slots.iter_mut().filter(|s| s.channel == channel && s.lease.is_none()) {
            if !others.may_take(held, share) {
                break;
            }
            if slot.take(leases).await {
                held += 1;
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

/// The other live nodes' hold on one channel.
struct Others {
    /// The fewest connections another live node holds; `None` when this node is alone.
    fewest: Option<usize>,
}

impl Others {
    fn of(holdings: &HashMap<String, usize>, me: &str, live: usize) -> Self {
        let others_live = live.saturating_sub(1);
        let holding: Vec<usize> = holdings.iter().filter(|(node, _)| *node != me).map(|(_, n)| *n).collect();
        let fewest = match others_live {
            0 => None,
            _ if holding.len() < others_live => Some(0),
            _ => holding.into_iter().min(),
        };
        Self { fewest }
    }

    /// Whether a node holding `mine` connections gives one up.
    fn gives_up(&self, mine: usize, share: usize) -> bool {
        mine > share || self.fewest.is_some_and(|fewest| mine >= fewest + 2)
    }

    /// Whether a node holding `held` connections takes a free one.
    fn may_take(&self, held: usize, share: usize) -> bool {
        held < share && self.fewest.is_none_or(|fewest| held <= fewest)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each node's decisions, round after round, until none changes anything: the
    /// connections every node ends with.
    fn settle(connections: usize, nodes: usize, mut held: Vec<usize>) -> Vec<usize> {
        let share = connections.div_ceil(nodes);
        for _ in 0..20 {
            let before = held.clone();
            for me in 0..nodes {
                let holdings: HashMap<String, usize> =
                    held.iter().enumerate().filter(|(_, n)| **n > 0).map(|(i, n)| (i.to_string(), *n)).collect();
                let others = Others::of(&holdings, &me.to_string(), nodes);
                if others.gives_up(held[me], share) {
                    held[me] -= 1;
                    continue;
                }
                while held.iter().sum::<usize>() < connections && others.may_take(held[me], share) {
                    held[me] += 1;
                }
            }
            if held == before {
                return held;
            }
        }
        panic!("no rest: {held:?}");
    }

    #[test]
    fn connections_end_within_one_of_each_other() {
        let mut four_on_three = settle(4, 3, vec![0, 0, 0]);
        four_on_three.sort_unstable();
        assert_eq!(four_on_three, [1, 1, 2], "every node gets one before any gets two");
        let mut rebalanced = settle(4, 3, vec![2, 2, 0]);
        rebalanced.sort_unstable();
        assert_eq!(rebalanced, [1, 1, 2], "a node that holds none is given one");
        assert_eq!(settle(4, 1, vec![0]), [4], "a node alone takes them all");
        let mut joined = settle(4, 2, vec![4, 0]);
        joined.sort_unstable();
        assert_eq!(joined, [2, 2], "a node that joins gets its share");
        let mut fewer = settle(2, 3, vec![0, 0, 0]);
        fewer.sort_unstable();
        assert_eq!(fewer, [0, 1, 1], "fewer connections than nodes: one each, no churn");
    }
}
