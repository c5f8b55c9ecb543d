//! The platform's Prometheus metrics, in the process-wide default registry: what the engine
//! and the links count as they go (messages accepted, submit answers, reports, round trips),
//! and what is read at scrape time from the live state (links, windows, backlogs, the oldest
//! message waiting). The store backend registers its own (commit time and size) beside these;
//! `GET /metrics` encodes them all.
//!
//! Labels are bounded: channel names and categories come from the configuration, carriers are
//! three, answers and outcomes are short fixed lists. Numbers and texts never are labels.

use std::sync::LazyLock;

use prometheus::{
    register_gauge, register_histogram_vec, register_int_counter_vec, register_int_gauge_vec, Gauge, HistogramVec,
    IntCounterVec, IntGaugeVec,
};

use crate::Engine;

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    register_int_counter_vec!(name, help, labels).expect("metric registered once")
}

fn gauge(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    register_int_gauge_vec!(name, help, labels).expect("metric registered once")
}

/// Messages accepted (stored and handed to their channel), by carrier and category.
pub static ACCEPTED: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter("hongyan_messages_accepted_total", "Messages accepted and stored", &["carrier", "category"])
});

/// Submit answers by channel and answer (`accepted`, `refused`, `throttled`).
pub static SUBMITS: LazyLock<IntCounterVec> =
    LazyLock::new(|| counter("hongyan_submits_total", "Carrier answers to submitted segments", &["channel", "answer"]));

/// Status reports stored, by channel and outcome (`delivered`, `failed`, `duplicate`, and
/// `early`: before its submit answer, held until it comes).
pub static REPORTS: LazyLock<IntCounterVec> =
    LazyLock::new(|| counter("hongyan_reports_total", "Status reports received and stored", &["channel", "outcome"]));

/// Round trips of submits and keep-alive probes, by channel.
pub static ROUND_TRIP: LazyLock<HistogramVec> = LazyLock::new(|| {
    let buckets = vec![0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
    register_histogram_vec!(
        "hongyan_link_round_trip_seconds",
        "Round trip of a submit or keep-alive probe to its answer",
        &["channel"],
        buckets
    )
    .expect("metric registered once")
});

/// Requests sent again or never answered, by channel.
pub static LOST: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "hongyan_link_lost_requests_total",
        "Requests unanswered within the time-out (re-sent or given up)",
        &["channel"],
    )
});

/// Callback events pushed, by outcome (`delivered`, `failed` — tried again later —, `given_up`).
pub static CALLBACKS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter("hongyan_callback_events_total", "Report and reply events pushed to callbacks", &["outcome"])
});

/// From a report's arrival to its callback being answered 2xx: the oldest report of each
/// delivered batch.
pub static CALLBACK_LAG: LazyLock<prometheus::Histogram> = LazyLock::new(|| {
    let buckets = vec![0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0];
    prometheus::register_histogram!("hongyan_callback_lag_seconds", "Report arrival to callback delivered", buckets)
        .expect("metric registered once")
});

static LINKS_UP: LazyLock<IntGaugeVec> =
    LazyLock::new(|| gauge("hongyan_channel_links_up", "Connections of the channel logged in", &["channel"]));
static LINKS_CONFIGURED: LazyLock<IntGaugeVec> =
    LazyLock::new(|| gauge("hongyan_channel_links_configured", "Connections the channel keeps", &["channel"]));
static IN_FLIGHT: LazyLock<IntGaugeVec> =
    LazyLock::new(|| gauge("hongyan_channel_in_flight", "Submits sent and not yet answered", &["channel"]));
static BACKLOG: LazyLock<IntGaugeVec> =
    LazyLock::new(|| gauge("hongyan_channel_backlog", "Segments waiting in the channel's queue", &["channel"]));
static QUEUE_AGE: LazyLock<Gauge> = LazyLock::new(|| {
    register_gauge!("hongyan_queue_oldest_seconds", "Age of the oldest message accepted, due and not yet submitted")
        .expect("metric registered once")
});

/// Registers every series that exists from the start, at zero, so a scrape (and a dashboard)
/// sees them before the first event: Prometheus's advice for known label values.
pub(crate) fn init() {
    for outcome in ["delivered", "failed", "given_up"] {
        CALLBACKS.with_label_values(&[outcome]);
    }
    LazyLock::force(&CALLBACK_LAG);
    LazyLock::force(&ACCEPTED);
    LazyLock::force(&QUEUE_AGE);
    for v in [&LINKS_UP, &LINKS_CONFIGURED, &IN_FLIGHT, &BACKLOG] {
        LazyLock::force(v);
    }
}

/// A channel's series, at zero.
pub(crate) fn init_channel(channel: &str) {
    for outcome in ["delivered", "failed", "duplicate", "early"] {
        REPORTS.with_label_values(&[channel, outcome]);
    }
}

/// Counts a request's stored messages.
pub(crate) fn accepted(batch: &[hongyan_store::NewMessage]) {
    let mut groups: Vec<(hongyan_types::Carrier, &str, u64)> = Vec::new();
    for m in batch {
        match groups.iter_mut().find(|(c, k, _)| *c == m.carrier && *k == m.category.name()) {
            Some(g) => g.2 += 1,
            None => groups.push((m.carrier, m.category.name(), 1)),
        }
    }
    for (carrier, category, n) in groups {
        ACCEPTED.with_label_values(&[carrier.as_str(), category]).inc_by(n);
    }
}

impl Engine {
    /// Sets the gauges read from the live state, just before a scrape encodes them.
    pub async fn refresh_metrics(&self) {
        for f in self.channel_figures() {
            let ch = [f.name.as_str()];
            LINKS_UP.with_label_values(&ch).set(f.links_up as i64);
            LINKS_CONFIGURED.with_label_values(&ch).set(f.setup.connections as i64);
            IN_FLIGHT.with_label_values(&ch).set(f.in_flight as i64);
            BACKLOG.with_label_values(&ch).set(f.backlog as i64);
        }
        let now = self.clock.now();
        match self.store.oldest_due(now).await {
            Ok(at) => QUEUE_AGE.set(at.map_or(0.0, |t| (now.as_millis() - t.as_millis()).max(0) as f64 / 1000.0)),
            Err(e) => tracing::warn!(error = %e, "could not read the queue's age for the metrics"),
        }
    }
}
