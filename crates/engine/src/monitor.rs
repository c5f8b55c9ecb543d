//! Live figures of each channel, as its gateway reports them: the links up out of those
//! configured, submits in flight (the windows in use), what waits in the backlog, submits sent
//! and throttled, and the last error. The console's overview and channel page read them.
//!
//! The gateway owns the figures' meaning; the engine only holds them, so that every edge (the
//! API, the console) reads one place. Counters are atomics: a link writes its own slot on every
//! turn of its loop, readers take a snapshot without a lock. The link-quality figures go into
//! the channel's current minute (`quality.rs`) under a short lock, and closed minutes are kept
//! in the store by [`Engine::save_link_quality`].

use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use hongyan_store::{LinkMinute, Timestamp};

use crate::quality::{count_code, fold, Minutes, QualityPoint};
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
    /// When the last submit went out (UTC ms; 0 before the first).
    last_submit: AtomicI64,
    /// Since when no link is up (UTC ms), or 0 while one is.
    down_since: AtomicI64,
    /// Since when a link is up (UTC ms), or 0 while none is.
    up_since: AtomicI64,
    accepted: AtomicU64,
    refused: AtomicU64,
    reports: AtomicU64,
    throttled: AtomicU64,
    // std Mutex: a store or a clone of a short text, never held across an await.
    last_error: Mutex<Option<(Timestamp, String)>>,
    // std Mutex: a few additions per event, never held across an await.
    quality: Mutex<Minutes>,
    prom: Prom,
}

/// The channel's Prometheus series, looked up once.
#[derive(Debug)]
struct Prom {
    accepted: prometheus::IntCounter,
    refused: prometheus::IntCounter,
    throttled: prometheus::IntCounter,
    round_trip: prometheus::Histogram,
    lost: prometheus::IntCounter,
}

impl Prom {
    fn new(channel: &str) -> Self {
        use crate::metrics::{init_channel, LOST, ROUND_TRIP, SUBMITS};
        init_channel(channel);
        Self {
            accepted: SUBMITS.with_label_values(&[channel, "accepted"]),
            refused: SUBMITS.with_label_values(&[channel, "refused"]),
            throttled: SUBMITS.with_label_values(&[channel, "throttled"]),
            round_trip: ROUND_TRIP.with_label_values(&[channel]),
            lost: LOST.with_label_values(&[channel]),
        }
    }
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
    /// When the last submit went out.
    pub last_submit: Option<Timestamp>,
    /// Since when no link has been up (since registration if none ever was).
    pub down_since: Option<Timestamp>,
    /// Since when at least one link has been up.
    pub up_since: Option<Timestamp>,
    /// Submits the carrier accepted since start.
    pub accepted: u64,
    /// Submits the carrier refused since start.
    pub refused: u64,
    /// Status reports stored since start.
    pub reports: u64,
    /// Throttling answers since start.
    pub throttled: u64,
    /// The last error and when.
    pub last_error: Option<(Timestamp, String)>,
    /// The link-quality figures of the current minute so far.
    pub minute: LinkMinute,
    /// Each connection's.
    pub connections: Vec<ConnectionFigures>,
}

/// One connection of a channel, live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionFigures {
    /// Its index in the channel (0 …).
    pub index: usize,
    /// Logged in now.
    pub up: bool,
    /// Submits sent on it and not yet answered.
    pub in_flight: usize,
    /// Its link-quality figures of the current minute so far.
    pub minute: LinkMinute,
}

impl ChannelMonitor {
    fn minutes(&self) -> MutexGuard<'_, Minutes> {
        self.quality.lock().expect("link quality")
    }

    /// Link `index` logged in (`true`) or ended (`false`).
    pub fn link(&self, index: usize, up: bool, now: Timestamp) {
        self.minutes().conn_up(index, up, now);
        if up {
            if self.links_up.fetch_add(1, Ordering::Relaxed) == 0 {
                self.down_since.store(0, Ordering::Relaxed);
                self.up_since.store(now.as_millis(), Ordering::Relaxed);
                self.minutes().up(true, now);
            }
        } else if self.links_up.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.up_since.store(0, Ordering::Relaxed);
            self.down_since.store(now.as_millis(), Ordering::Relaxed);
            self.minutes().up(false, now);
        }
    }

    /// Link `index` was lost after it had logged in, with `unanswered` requests in flight.
    pub fn dropped(&self, index: usize, unanswered: usize, now: Timestamp) {
        let mut q = self.minutes();
        q.link_ended(index);
        let unanswered32 = u32::try_from(unanswered).unwrap_or(u32::MAX);
        let m = q.roll(now);
        m.drops += 1;
        m.unanswered += unanswered32;
        if let Some(c) = q.conn_mut(index) {
            c.drops += 1;
            c.unanswered += unanswered32;
        }
        self.prom.lost.inc_by(unanswered as u64);
    }

    /// Link `index` has `n` submits in flight.
    pub fn in_flight(&self, index: usize, n: usize) {
        if let Some(slot) = self.in_flight.get(index) {
            slot.store(n, Ordering::Relaxed);
        }
        let all: usize = self.in_flight.iter().map(|s| s.load(Ordering::Relaxed)).sum();
        // Written on every turn of a link's loop, without a clock read: it goes into the
        // minute the last timed event opened.
        let mut q = self.minutes();
        let m = q.current_mut();
        m.in_flight_max = m.in_flight_max.max(u32::try_from(all).unwrap_or(u32::MAX));
        if let Some(c) = q.conn_mut(index) {
            c.in_flight_max = c.in_flight_max.max(u32::try_from(n).unwrap_or(u32::MAX));
        }
    }

    /// The channel's backlog holds `n` segments.
    pub fn backlog(&self, n: usize) {
        self.backlog.store(n, Ordering::Relaxed);
    }

    /// A submit went out on link `index`.
    pub fn submitted(&self, index: usize, now: Timestamp) {
        self.submitted.fetch_add(1, Ordering::Relaxed);
        self.last_submit.store(now.as_millis(), Ordering::Relaxed);
        let mut q = self.minutes();
        q.roll(now).submits += 1;
        if let Some(c) = q.conn_mut(index) {
            c.submits += 1;
        }
    }

    /// A request on link `index` (a submit, or a keep-alive probe when `probe`) was answered
    /// `rtt` after it was sent.
    pub fn round_trip(&self, index: usize, rtt: Duration, probe: bool, now: Timestamp) {
        self.prom.round_trip.observe(rtt.as_secs_f64());
        self.minutes().round_trip(index, rtt, probe, now);
    }

    /// The carrier accepted a submit.
    pub fn accepted(&self, now: Timestamp) {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        self.prom.accepted.inc();
        self.minutes().roll(now).accepted += 1;
    }

    /// The carrier refused a submit with result `code`.
    pub fn refused(&self, code: u32, now: Timestamp) {
        self.refused.fetch_add(1, Ordering::Relaxed);
        self.prom.refused.inc();
        let mut q = self.minutes();
        let m = q.roll(now);
        m.refused += 1;
        count_code(&mut m.codes, code);
    }

    /// The gateway asked to slow down.
    pub fn throttled(&self, now: Timestamp) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
        self.prom.throttled.inc();
        self.minutes().roll(now).throttled += 1;
    }

    /// What link `index`'s session counted: re-sends, and requests given up after every
    /// re-send.
    pub fn losses(&self, index: usize, resends: u32, gave_up: u32, now: Timestamp) {
        if resends == 0 && gave_up == 0 {
            return;
        }
        self.prom.lost.inc_by(u64::from(resends) + u64::from(gave_up));
        let mut q = self.minutes();
        let m = q.roll(now);
        m.resends += resends;
        m.unanswered += gave_up;
        if let Some(c) = q.conn_mut(index) {
            c.resends += resends;
            c.unanswered += gave_up;
        }
    }

    /// Something went wrong (a link lost, a login refused, a submit refused).
    pub fn error(&self, at: Timestamp, what: impl Into<String>) {
        *self.last_error.lock().expect("last error") = Some((at, what.into()));
    }

    fn figures(&self, name: &str) -> ChannelFigures {
        // One lock for the channel's minute and its connections': the same moment for both.
        let q = self.minutes();
        let connections = q
            .conns()
            .zip(&self.in_flight)
            .enumerate()
            .map(|(index, ((minute, up), in_flight))| ConnectionFigures {
                index,
                up,
                in_flight: in_flight.load(Ordering::Relaxed),
                minute: minute.clone(),
            })
            .collect();
        let at = |a: &AtomicI64| Some(a.load(Ordering::Relaxed)).filter(|&ms| ms != 0).map(Timestamp::from_millis);
        ChannelFigures {
            name: name.to_owned(),
            setup: self.setup.clone(),
            links_up: self.links_up.load(Ordering::Relaxed),
            in_flight: self.in_flight.iter().map(|s| s.load(Ordering::Relaxed)).sum(),
            backlog: self.backlog.load(Ordering::Relaxed),
            submitted: self.submitted.load(Ordering::Relaxed),
            last_submit: at(&self.last_submit),
            down_since: at(&self.down_since),
            up_since: at(&self.up_since),
            accepted: self.accepted.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            reports: self.reports.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            last_error: self.last_error.lock().expect("last error").clone(),
            minute: q.current().clone(),
            connections,
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
        let links = setup.connections.max(1);
        let m = Arc::new(ChannelMonitor {
            quality: Mutex::new(Minutes::new(name, links, self.clock.now())),
            prom: Prom::new(name),
            in_flight: (0..links).map(|_| AtomicUsize::new(0)).collect(),
            setup,
            links_up: AtomicUsize::new(0),
            backlog: AtomicUsize::new(0),
            submitted: AtomicU64::new(0),
            last_submit: AtomicI64::new(0),
            down_since: AtomicI64::new(self.clock.now().as_millis()),
            up_since: AtomicI64::new(0),
            accepted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            reports: AtomicU64::new(0),
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

    /// Counts stored reports against their channels (the report-drop alert compares them
    /// with the submits accepted).
    pub(crate) fn count_reports<'a>(&self, channels: impl Iterator<Item = &'a str>) {
        let list = self.monitors.channels.lock().expect("monitors");
        for c in channels {
            if let Some((_, m)) = list.iter().find(|(n, _)| n == c) {
                m.reports.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn all_monitors(&self) -> Vec<Arc<ChannelMonitor>> {
        self.monitors.channels.lock().expect("monitors").iter().map(|(_, m)| m.clone()).collect()
    }

    /// Keeps every channel's closed minutes of link quality in the store — and with `all`
    /// (at shutdown) the current minute's part too. Minutes the store refuses are held and
    /// offered again next time. Returns how many rows were written.
    pub async fn save_link_quality(&self, all: bool) -> hongyan_store::Result<usize> {
        let now = self.clock.now();
        let mut written = 0;
        for m in self.all_monitors() {
            let rows = if all { m.minutes().take_all(now) } else { m.minutes().take_closed(now) };
            if rows.is_empty() {
                continue;
            }
            let n = rows.len();
            if let Err(e) = self.store.save_link_minutes(rows.clone()).await {
                m.minutes().put_back(rows);
                return Err(e);
            }
            written += n;
        }
        Ok(written)
    }

    /// A channel's link quality (or with `link`, that connection's) from `from` to `to` in
    /// steps of `step` (at least a minute), read from the kept minutes. The current minute is
    /// not in them yet.
    pub async fn link_quality(
        &self,
        channel: &str,
        link: Option<u16>,
        from: Timestamp,
        to: Timestamp,
        step: Duration,
    ) -> hongyan_store::Result<Vec<QualityPoint>> {
        let rows = self.store.link_minutes(channel, link, from, to).await?;
        Ok(fold(&rows, from, to, step, self.clock.now()))
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
        let now = Timestamp::from_millis(1);
        m.link(0, true, now);
        m.link(1, true, now);
        m.in_flight(0, 3);
        m.in_flight(1, 5);
        m.in_flight(9, 100);
        m.submitted(1, now);
        m.throttled(now);
        m.link(0, false, now);
        m.error(Timestamp::from_millis(1), "peer closed the connection");
        let f = &e.channel_figures()[0];
        assert_eq!((f.links_up, f.in_flight, f.submitted, f.throttled), (1, 8, 1, 1));
        assert_eq!(f.setup, setup);
        let conns: Vec<_> = f.connections.iter().map(|c| (c.index, c.up, c.in_flight, c.minute.submits)).collect();
        assert_eq!(conns, [(0, false, 3, 0), (1, true, 5, 1)], "each connection's own figures");
        assert_eq!(f.connections[1].minute.link, Some(1));
        assert_eq!(f.last_error.as_ref().map(|e| e.1.as_str()), Some("peer closed the connection"));
    }
}
