//! Live figures of each channel, as its gateway reports them: the links up out of those
//! configured, submits in flight (the windows in use), what waits in the backlog, submits sent
//! and throttled, and the last error. The console's overview and channel page read them.
//!
//! The gateway owns the figures' meaning; the engine only holds them, so that every edge (the
//! API, the console) reads one place. Counters are atomics: a link writes its own slot on every
//! turn of its loop, readers take a snapshot without a lock.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use hongyan_store::Timestamp;

use crate::Engine;

/// What is configured for a channel: fixed while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSetup {
    /// The protocol, e.g. `CMPP 3.0`.
    pub protocol: String,
    /// The gateway's address.
    pub addr: String,
    /// Connections kept open.
    pub connections: usize,
    /// Submits in flight allowed per connection.
    pub window: usize,
    /// Contracted submits a second, over all connections.
    pub rate: Option<u32>,
    /// The peer is Hongyan's own simulator.
    pub simulated: bool,
}

/// One channel's figures, written by its gateway.
#[derive(Debug)]
pub struct ChannelMonitor {
    setup: ChannelSetup,
    links_up: AtomicUsize,
    in_flight: Vec<AtomicUsize>,
    backlog: AtomicUsize,
    submitted: AtomicU64,
    throttled: AtomicU64,
    // std Mutex: a store or a clone of a short text, never held across an await.
    last_error: Mutex<Option<(Timestamp, String)>>,
}

/// A snapshot of one channel's figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelFigures {
    /// The channel's name.
    pub name: String,
    /// What is configured.
    pub setup: ChannelSetup,
    /// Links logged in now.
    pub links_up: usize,
    /// Submits sent and not yet answered, over all links.
    pub in_flight: usize,
    /// Segments waiting to be submitted.
    pub backlog: usize,
    /// Submits sent since start.
    pub submitted: u64,
    /// Throttling answers since start.
    pub throttled: u64,
    /// The last error and when.
    pub last_error: Option<(Timestamp, String)>,
}

impl ChannelMonitor {
    /// A link logged in (`true`) or ended (`false`).
    pub fn link(&self, up: bool) {
        if up {
            self.links_up.fetch_add(1, Ordering::Relaxed);
        } else {
            self.links_up.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Link `index` has `n` submits in flight.
    pub fn in_flight(&self, index: usize, n: usize) {
        if let Some(slot) = self.in_flight.get(index) {
            slot.store(n, Ordering::Relaxed);
        }
    }

    /// The channel's backlog holds `n` segments.
    pub fn backlog(&self, n: usize) {
        self.backlog.store(n, Ordering::Relaxed);
    }

    /// A submit went out.
    pub fn submitted(&self) {
        self.submitted.fetch_add(1, Ordering::Relaxed);
    }

    /// The gateway asked to slow down.
    pub fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// Something went wrong (a link lost, a login refused, a submit refused).
    pub fn error(&self, at: Timestamp, what: impl Into<String>) {
        *self.last_error.lock().expect("last error") = Some((at, what.into()));
    }

    fn figures(&self, name: &str) -> ChannelFigures {
        ChannelFigures {
            name: name.to_owned(),
            setup: self.setup.clone(),
            links_up: self.links_up.load(Ordering::Relaxed),
            in_flight: self.in_flight.iter().map(|s| s.load(Ordering::Relaxed)).sum(),
            backlog: self.backlog.load(Ordering::Relaxed),
            submitted: self.submitted.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            last_error: self.last_error.lock().expect("last error").clone(),
        }
    }
}

/// Every channel's monitor, by name.
#[derive(Debug, Default)]
pub(crate) struct Monitors {
    // std Mutex: registration at start and snapshots, never held across an await.
    channels: Mutex<Vec<(String, Arc<ChannelMonitor>)>>,
}

impl Engine {
    /// Registers a channel's figures (its gateway calls this once, at start) and returns the
    /// handle the gateway writes them through.
    pub fn monitor_channel(&self, name: &str, setup: ChannelSetup) -> Arc<ChannelMonitor> {
        let m = Arc::new(ChannelMonitor {
            in_flight: (0..setup.connections.max(1)).map(|_| AtomicUsize::new(0)).collect(),
            setup,
            links_up: AtomicUsize::new(0),
            backlog: AtomicUsize::new(0),
            submitted: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            last_error: Mutex::new(None),
        });
        let mut list = self.monitors.channels.lock().expect("monitors");
        list.retain(|(n, _)| n != name);
        list.push((name.to_owned(), m.clone()));
        m
    }

    /// A snapshot of every registered channel's figures, in registration order.
    pub fn channel_figures(&self) -> Vec<ChannelFigures> {
        self.monitors.channels.lock().expect("monitors").iter().map(|(n, m)| m.figures(n)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn figures_add_up_over_links() {
        let (e, _rx, _store) = crate::tests::engine("monitor").await;
        let setup = ChannelSetup {
            protocol: "CMPP 3.0".into(),
            addr: "127.0.0.1:7890".into(),
            connections: 2,
            window: 16,
            rate: Some(100),
            simulated: true,
        };
        let m = e.monitor_channel("mobile", setup.clone());
        m.link(true);
        m.link(true);
        m.in_flight(0, 3);
        m.in_flight(1, 5);
        m.in_flight(9, 100);
        m.submitted();
        m.throttled();
        m.link(false);
        m.error(Timestamp::from_millis(1), "peer closed the connection");
        let f = &e.channel_figures()[0];
        assert_eq!((f.links_up, f.in_flight, f.submitted, f.throttled), (1, 8, 1, 1));
        assert_eq!(f.setup, setup);
        assert_eq!(f.last_error.as_ref().map(|e| e.1.as_str()), Some("peer closed the connection"));
    }
}
