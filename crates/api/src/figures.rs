//! The link-quality answers' objects as types: a channel as operators see it live, a span of
//! its figures, the targets it is judged against, and the acceptance report that gathers them
//! with the incidents and the bills. The channels page, the quality history and the acceptance
//! report share these, so a figure is named and rounded in one place.

use std::collections::BTreeMap;

use hongyan_engine::acceptance::{AcceptanceReport, BillingLine, IncidentTally};
use hongyan_engine::monitor::ChannelFigures;
use hongyan_engine::quality::{QualityPoint, Targets};
use hongyan_store::{LinkMinute, Timestamp};
use serde::Serialize;

use crate::shapes::{IncidentView, Time};

/// The four figures the procurement names, in the order `judged` gives them.
const FIGURES: [&str; 4] = ["latency_ms_mean_max", "jitter_ms_max", "loss_max", "availability_min"];

/// Milliseconds to the microsecond.
fn ms(v: Option<f64>) -> Option<f64> {
    v.map(|v| (v * 1000.0).round() / 1000.0)
}

/// A span of a channel's (or a connection's) figures.
#[derive(Serialize)]
pub(crate) struct PointView<'a> {
    from: Time,
    to: Time,
    availability: Option<f64>,
    up_seconds: f64,
    loss: Option<f64>,
    rtt_ms: RttView,
    jitter_ms: Option<f64>,
    submits: u32,
    accepted: u32,
    refused: u32,
    throttled: u32,
    unanswered: u32,
    resends: u32,
    drops: u32,
    probes: u32,
    in_flight_max: u32,
    refusals_by_code: &'a BTreeMap<u32, u32>,
}

#[derive(Serialize)]
struct RttView {
    mean: Option<f64>,
    p50: Option<f64>,
    p99: Option<f64>,
    max: Option<f64>,
    samples: u64,
}

impl<'a> PointView<'a> {
    pub(crate) fn new(p: &'a QualityPoint) -> Self {
        let t = &p.total;
        Self {
            from: Time::at(p.from),
            to: Time::at(p.to),
            availability: p.availability(),
            up_seconds: f64::from(t.up_ms) / 1000.0,
            loss: p.loss(),
            rtt_ms: RttView {
                mean: ms(p.rtt_mean_ms()),
                p50: ms(p.rtt_ms(0.5)),
                p99: ms(p.rtt_ms(0.99)),
                max: ms(p.rtt_ms(1.0)),
                samples: t.rtt.count(),
            },
            jitter_ms: ms(p.jitter_ms()),
            submits: t.submits,
            accepted: t.accepted,
            refused: t.refused,
            throttled: t.throttled,
            unanswered: t.unanswered,
            resends: t.resends,
            drops: t.drops,
            probes: t.probes,
            in_flight_max: t.in_flight_max,
            refusals_by_code: &t.codes,
        }
    }
}

/// One figure's limit and whether it was met (`None`: not measured).
#[derive(Serialize)]
pub(crate) struct TargetView {
    figure: &'static str,
    limit: f64,
    met: Option<bool>,
}

/// The four targets of `t` with their verdicts.
pub(crate) fn targets(t: &Targets, judged: [Option<bool>; 4]) -> Vec<TargetView> {
    let limits = [t.latency_ms, t.jitter_ms, t.loss, t.availability];
    FIGURES.iter().zip(limits).zip(judged).map(|((&figure, limit), met)| TargetView { figure, limit, met }).collect()
}

/// A minute still being filled, as a point over the part of it gone by.
pub(crate) fn current(m: &LinkMinute, now: Timestamp) -> QualityPoint {
    QualityPoint {
        from: m.minute,
        to: Timestamp::from_millis(m.minute.as_millis() + 60_000),
        total: m.clone(),
        elapsed_ms: (now.as_millis() - m.minute.as_millis()).clamp(0, 60_000),
    }
}

/// A channel now: its set-up, its links, and this minute's figures so far.
#[derive(Serialize)]
pub(crate) struct ChannelView<'a> {
    name: &'a str,
    protocol: &'a str,
    addr: &'a str,
    connections: usize,
    window: usize,
    rate: Option<u32>,
    simulated: bool,
    links_up: usize,
    in_flight: usize,
    backlog: usize,
    submitted: u64,
    throttled: u64,
    last_error: Option<LastError<'a>>,
    this_minute: Owned,
    links: Vec<LinkView>,
}

#[derive(Serialize)]
struct LastError<'a> {
    at: Time,
    error: &'a str,
}

/// One connection of a channel now.
#[derive(Serialize)]
struct LinkView {
    index: usize,
    up: bool,
    in_flight: usize,
    this_minute: Owned,
}

/// A point over a minute made on the spot, serialized as it is made.
struct Owned(QualityPoint);

impl Serialize for Owned {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PointView::new(&self.0).serialize(s)
    }
}

impl<'a> ChannelView<'a> {
    pub(crate) fn new(f: &'a ChannelFigures, now: Timestamp) -> Self {
        let s = &f.setup;
        Self {
            name: &f.name,
            protocol: &s.protocol,
            addr: &s.addr,
            connections: s.connections,
            window: s.window,
            rate: s.rate,
            simulated: s.simulated,
            links_up: f.links_up,
            in_flight: f.in_flight,
            backlog: f.backlog,
            submitted: f.submitted,
            throttled: f.throttled,
            last_error: f.last_error.as_ref().map(|(at, error)| LastError { at: Time::at(*at), error }),
            this_minute: Owned(current(&f.minute, now)),
            links: f
                .connections
                .iter()
                .map(|c| LinkView {
                    index: c.index,
                    up: c.up,
                    in_flight: c.in_flight,
                    this_minute: Owned(current(&c.minute, now)),
                })
                .collect(),
        }
    }
}

/// The acceptance report: each channel judged, the incidents and their clocks, the bills.
#[derive(Serialize)]
pub(crate) struct AcceptanceView<'a> {
    from: &'a str,
    to: &'a str,
    made_at: Time,
    passed: bool,
    channels: Vec<AcceptedChannel<'a>>,
    incidents: IncidentsView<'a>,
    billing: Vec<BillingView<'a>>,
}

#[derive(Serialize)]
struct AcceptedChannel<'a> {
    name: &'a str,
    figures: PointView<'a>,
    targets: Vec<TargetView>,
}

#[derive(Serialize)]
struct IncidentsView<'a> {
    #[serde(flatten)]
    tally: TallyView,
    list: Vec<IncidentView<'a>>,
}

#[derive(Serialize)]
struct TallyView {
    total: usize,
    fixed_in_time: usize,
    fixed_late: usize,
    fix_overdue: usize,
    reported_in_time: usize,
    reported_late: usize,
    report_overdue: usize,
}

impl From<&IncidentTally> for TallyView {
    fn from(t: &IncidentTally) -> Self {
        Self {
            total: t.total,
            fixed_in_time: t.fixed_in_time,
            fixed_late: t.fixed_late,
            fix_overdue: t.fix_overdue,
            reported_in_time: t.reported_in_time,
            reported_late: t.reported_late,
            report_overdue: t.report_overdue,
        }
    }
}

#[derive(Serialize)]
struct BillingView<'a> {
    period: &'a str,
    from: &'a str,
    to: &'a str,
    messages: u64,
    billed_segments: u64,
    amount: String,
}

impl<'a> AcceptanceView<'a> {
    pub(crate) fn new(r: &'a AcceptanceReport) -> Self {
        let billing = |b: &'a BillingLine| BillingView {
            period: &b.name,
            from: &b.from,
            to: &b.to,
            messages: b.messages,
            billed_segments: b.billed_segments,
            amount: b.amount.to_string(),
        };
        Self {
            from: &r.from,
            to: &r.to,
            made_at: Time::at(r.made_at),
            passed: r.passed(),
            channels: r
                .channels
                .iter()
                .map(|c| AcceptedChannel {
                    name: &c.name,
                    figures: PointView::new(&c.figures),
                    targets: targets(&r.targets, c.met),
                })
                .collect(),
            incidents: IncidentsView {
                tally: (&r.tally).into(),
                list: r.incidents.iter().map(|i| IncidentView::new(i, r.made_at)).collect(),
            },
            billing: r.billing.iter().map(billing).collect(),
        }
    }
}
