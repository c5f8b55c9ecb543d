//! Link quality minute by minute: what a channel's links measure (round trips of submits and
//! keep-alive probes, their jitter, what went unanswered, re-sent or refused, when a link
//! was up) is added into the current minute; closed minutes are kept in the store, and a
//! period's figures are read back from them at any step.
//!
//! The figures and how they are computed, as the channel acceptance defines them:
//! - latency: round trip from a request's send to its answer (submits and probes; a request
//!   answered only after a re-send is left out, its wait is the time-out, not the network);
//! - jitter: the mean difference between successive round trips on one link;
//! - loss: sends that went unanswered within the time-out (each re-send stands for one, and a
//!   request never answered for its last send) over all sends;
//! - availability: the share of the period with at least one link of the channel logged in.
//!   Time when the platform was not running counts as unavailable: no row, no up time.

use std::collections::BTreeMap;
use std::time::Duration;

use hongyan_store::{LinkMinute, Timestamp};

const MINUTE_MS: i64 = 60_000;

/// The start of the minute that holds `t`.
pub fn minute_of(t: Timestamp) -> Timestamp {
    Timestamp::from_millis(t.as_millis() - t.as_millis().rem_euclid(MINUTE_MS))
}

/// One minute being filled — of a channel, or of one of its connections — and since when a
/// link has been up in it.
#[derive(Debug)]
struct Track {
    current: LinkMinute,
    /// Since when a link has been up, while one is; counted into `up_ms` at each minute's end
    /// and when it goes down.
    up_since: Option<i64>,
}

impl Track {
    fn new(current: LinkMinute) -> Self {
        Self { current, up_since: None }
    }

    /// Closes every minute that ended before `now` into `closed`.
    fn roll(&mut self, now: i64, closed: &mut Vec<LinkMinute>) {
        while now >= self.current.minute.as_millis() + MINUTE_MS {
            let end = self.current.minute.as_millis() + MINUTE_MS;
            self.count_up_until(end);
            let next = if self.up_since.is_some() { end } else { now - now.rem_euclid(MINUTE_MS) };
            let mut fresh = empty_like(&self.current);
            fresh.minute = Timestamp::from_millis(next);
            let done = std::mem::replace(&mut self.current, fresh);
            if !done.is_empty() {
                closed.push(done);
            }
        }
    }

    fn count_up_until(&mut self, t: i64) {
        if let Some(since) = self.up_since {
            let from = since.max(self.current.minute.as_millis());
            self.current.up_ms += u32::try_from((t - from).max(0)).unwrap_or(0);
            self.up_since = Some(t);
        }
    }

    fn up(&mut self, up: bool, now: i64) {
        if up {
            self.up_since.get_or_insert(now);
        } else {
            self.count_up_until(now);
            self.up_since = None;
        }
    }

    /// Everything up to `now`, the current minute's part too.
    fn take_part(&mut self, now: Timestamp) -> Option<LinkMinute> {
        self.count_up_until(now.as_millis());
        let mut fresh = empty_like(&self.current);
        fresh.minute = minute_of(now);
        let part = std::mem::replace(&mut self.current, fresh);
        (!part.is_empty()).then_some(part)
    }
}

/// An empty minute of the same channel and connection as `m`.
fn empty_like(m: &LinkMinute) -> LinkMinute {
    LinkMinute { link: m.link, ..LinkMinute::empty(&m.channel, m.minute) }
}

/// A channel's minute being filled, each connection's beside it, and the minutes closed
/// since they were last taken.
#[derive(Debug)]
pub(crate) struct Minutes {
    channel: Track,
    conns: Vec<Track>,
    /// Each link's last round trip, for the jitter.
    last_rtt: Vec<Option<u64>>,
    closed: Vec<LinkMinute>,
}

/// Most closed minutes held for one channel while the store cannot take them (a day, with
/// its connections' rows).
const MAX_HELD: usize = 1_440 * 5;

impl Minutes {
    pub(crate) fn new(channel: &str, links: usize, now: Timestamp) -> Self {
        let minute = minute_of(now);
        let conn = |i: usize| LinkMinute { link: u16::try_from(i).ok(), ..LinkMinute::empty(channel, minute) };
        Self {
            channel: Track::new(LinkMinute::empty(channel, minute)),
            conns: (0..links.max(1)).map(|i| Track::new(conn(i))).collect(),
            last_rtt: vec![None; links.max(1)],
            closed: Vec::new(),
        }
    }

    /// Closes every minute that ended before `now`; the channel's current minute.
    pub(crate) fn roll(&mut self, now: Timestamp) -> &mut LinkMinute {
        let ms = now.as_millis();
        self.channel.roll(ms, &mut self.closed);
        for c in &mut self.conns {
            c.roll(ms, &mut self.closed);
        }
        if self.closed.len() > MAX_HELD {
            let extra = self.closed.len() - MAX_HELD;
            self.closed.drain(..extra);
        }
        &mut self.channel.current
    }

    /// Connection `link`'s current minute (after [`Minutes::roll`]).
    pub(crate) fn conn_mut(&mut self, link: usize) -> Option<&mut LinkMinute> {
        self.conns.get_mut(link).map(|c| &mut c.current)
    }

    /// The channel went from no link up to one (`true`) or from one to none.
    pub(crate) fn up(&mut self, up: bool, now: Timestamp) {
        self.roll(now);
        self.channel.up(up, now.as_millis());
    }

    /// Connection `link` logged in (`true`) or ended.
    pub(crate) fn conn_up(&mut self, link: usize, up: bool, now: Timestamp) {
        self.roll(now);
        if let Some(c) = self.conns.get_mut(link) {
            c.up(up, now.as_millis());
        }
    }

    /// A request on link `link` was answered after `rtt`.
    pub(crate) fn round_trip(&mut self, link: usize, rtt: Duration, probe: bool, now: Timestamp) {
        let us = u64::try_from(rtt.as_micros()).unwrap_or(u64::MAX);
        let prev = self.last_rtt.get_mut(link).and_then(|slot| slot.replace(us));
        self.roll(now);
        let conn = self.conns.get_mut(link).map(|c| &mut c.current);
        for m in std::iter::once(&mut self.channel.current).chain(conn) {
            m.rtt.add(us);
            m.rtt_sum_us = m.rtt_sum_us.saturating_add(us);
            m.rtt_max_us = m.rtt_max_us.max(us);
            if let Some(p) = prev {
                m.jitter_sum_us = m.jitter_sum_us.saturating_add(p.abs_diff(us));
                m.jitter_pairs += 1;
            }
            if probe {
                m.probes += 1;
            }
        }
    }

    /// A link ended: the next round trip on it starts a new jitter series.
    pub(crate) fn link_ended(&mut self, link: usize) {
        if let Some(slot) = self.last_rtt.get_mut(link) {
            *slot = None;
        }
    }

    /// The minutes closed before `now`, taken.
    pub(crate) fn take_closed(&mut self, now: Timestamp) -> Vec<LinkMinute> {
        self.roll(now);
        std::mem::take(&mut self.closed)
    }

    /// Everything up to `now`, the current minute's part too (at shutdown).
    pub(crate) fn take_all(&mut self, now: Timestamp) -> Vec<LinkMinute> {
        self.roll(now);
        let mut out = std::mem::take(&mut self.closed);
        out.extend(self.channel.take_part(now));
        for c in &mut self.conns {
            out.extend(c.take_part(now));
        }
        out
    }

    /// Minutes the store refused, to be offered again with the next ones.
    pub(crate) fn put_back(&mut self, rows: Vec<LinkMinute>) {
        let later = std::mem::replace(&mut self.closed, rows);
        self.closed.extend(later);
    }

    /// The channel's current minute so far.
    pub(crate) fn current(&self) -> &LinkMinute {
        &self.channel.current
    }

    /// Each connection's current minute so far, and whether it is logged in.
    pub(crate) fn conns(&self) -> impl Iterator<Item = (&LinkMinute, bool)> {
        self.conns.iter().map(|c| (&c.current, c.up_since.is_some()))
    }

    /// The channel's current minute, as the last timed event left it.
    pub(crate) fn current_mut(&mut self) -> &mut LinkMinute {
        &mut self.channel.current
    }
}

/// The channel figures the procurement sets, judged over a period: the mean round trip, the
/// jitter, the loss and the availability.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    /// Mean round trip at most this, in milliseconds.
    pub latency_ms: f64,
    /// Jitter at most this, in milliseconds.
    pub jitter_ms: f64,
    /// Loss at most this share.
    pub loss: f64,
    /// Availability at least this share.
    pub availability: f64,
}

/// Latency ≤ 10 ms, jitter ≤ 20 ms, loss ≤ 0.1 %, availability ≥ 99.9 %.
pub const TARGETS: Targets = Targets { latency_ms: 10.0, jitter_ms: 20.0, loss: 0.001, availability: 0.999 };

/// A channel's figures over one step of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityPoint {
    /// The step's start.
    pub from: Timestamp,
    /// Its end (exclusive).
    pub to: Timestamp,
    /// The figures' sum over the step's minutes.
    pub total: LinkMinute,
    /// Milliseconds of the step that have passed (the denominator of availability).
    pub elapsed_ms: i64,
}

impl QualityPoint {
    /// Share of the elapsed step with a link up; `None` before the step began.
    pub fn availability(&self) -> Option<f64> {
        (self.elapsed_ms > 0).then(|| (f64::from(self.total.up_ms) / self.elapsed_ms as f64).min(1.0))
    }

    /// Share of sends unanswered within the time-out; `None` when nothing was sent.
    pub fn loss(&self) -> Option<f64> {
        let t = &self.total;
        let lost = u64::from(t.resends) + u64::from(t.unanswered);
        let sent = u64::from(t.submits) + u64::from(t.probes) + u64::from(t.resends);
        (sent > 0).then(|| (lost as f64 / sent as f64).min(1.0))
    }

    /// Mean difference between successive round trips, in milliseconds.
    pub fn jitter_ms(&self) -> Option<f64> {
        let t = &self.total;
        (t.jitter_pairs > 0).then(|| t.jitter_sum_us as f64 / f64::from(t.jitter_pairs) / 1000.0)
    }

    /// Round-trip quantile `q` in milliseconds (at most a fifth above the true value), never
    /// above the longest seen.
    pub fn rtt_ms(&self, q: f64) -> Option<f64> {
        let us = self.total.rtt.quantile_us(q)?.min(self.total.rtt_max_us);
        Some(us as f64 / 1000.0)
    }

    /// Mean round trip in milliseconds.
    pub fn rtt_mean_ms(&self) -> Option<f64> {
        let n = self.total.rtt.count();
        (n > 0).then(|| self.total.rtt_sum_us as f64 / n as f64 / 1000.0)
    }
}

impl QualityPoint {
    /// Each figure against its target: `Some(true)` met, `Some(false)` missed, `None` nothing
    /// measured. In the order latency, jitter, loss, availability.
    pub fn judged(&self, t: &Targets) -> [Option<bool>; 4] {
        [
            self.rtt_mean_ms().map(|v| v <= t.latency_ms),
            self.jitter_ms().map(|v| v <= t.jitter_ms),
            self.loss().map(|v| v <= t.loss),
            self.availability().map(|v| v >= t.availability),
        ]
    }
}

/// The whole of a period's steps as one.
pub fn sum(points: &[QualityPoint]) -> Option<QualityPoint> {
    let first = points.first()?;
    let mut all = QualityPoint {
        from: first.from,
        to: points.last().map_or(first.to, |p| p.to),
        total: LinkMinute::empty(&first.total.channel, first.from),
        elapsed_ms: 0,
    };
    for p in points {
        add(&mut all.total, &p.total);
        all.elapsed_ms += p.elapsed_ms;
    }
    Some(all)
}

/// Adds a channel's minutes (oldest first, from the store) into steps of `step` from `from`
/// to `to`; the part of a step after `now` does not count towards availability.
pub fn fold(rows: &[LinkMinute], from: Timestamp, to: Timestamp, step: Duration, now: Timestamp) -> Vec<QualityPoint> {
    let step_ms = i64::try_from(step.as_millis()).unwrap_or(i64::MAX).max(MINUTE_MS);
    let channel = rows.first().map(|r| r.channel.as_str()).unwrap_or_default();
    let mut points = Vec::new();
    let mut start = from.as_millis();
    while start < to.as_millis() {
        let end = start.saturating_add(step_ms).min(to.as_millis());
        let elapsed_ms = (end.min(now.as_millis()) - start).max(0);
        let total = LinkMinute::empty(channel, Timestamp::from_millis(start));
        points.push(QualityPoint {
            from: Timestamp::from_millis(start),
            to: Timestamp::from_millis(end),
            total,
            elapsed_ms,
        });
        start = end;
    }
    for r in rows {
        let i = (r.minute.as_millis() - from.as_millis()).div_euclid(step_ms);
        if let Some(p) = usize::try_from(i).ok().and_then(|i| points.get_mut(i)) {
            add(&mut p.total, r);
        }
    }
    points
}

/// Adds `r`'s counts into `into`.
pub fn add(into: &mut LinkMinute, r: &LinkMinute) {
    into.up_ms = into.up_ms.saturating_add(r.up_ms);
    into.submits += r.submits;
    into.accepted += r.accepted;
    into.refused += r.refused;
    into.throttled += r.throttled;
    into.unanswered += r.unanswered;
    into.resends += r.resends;
    into.drops += r.drops;
    into.probes += r.probes;
    into.rtt.merge(&r.rtt);
    into.rtt_sum_us = into.rtt_sum_us.saturating_add(r.rtt_sum_us);
    into.rtt_max_us = into.rtt_max_us.max(r.rtt_max_us);
    into.jitter_sum_us = into.jitter_sum_us.saturating_add(r.jitter_sum_us);
    into.jitter_pairs += r.jitter_pairs;
    into.in_flight_max = into.in_flight_max.max(r.in_flight_max);
    for (code, n) in &r.codes {
        *into.codes.entry(*code).or_insert(0) += n;
    }
}

/// Counts refusals by result code.
pub(crate) fn count_code(codes: &mut BTreeMap<u32, u32>, code: u32) {
    *codes.entry(code).or_insert(0) += 1;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Timestamp {
        Timestamp::from_millis(1_800_000_000_000 + s * 1000)
    }

    #[test]
    fn up_time_is_split_at_minute_ends_and_idle_down_minutes_leave_no_row() {
        let t0 = minute_of(at(0));
        let s = |n: i64| Timestamp::from_millis(t0.as_millis() + n * 1000);
        let mut m = Minutes::new("ch", 1, s(0));
        m.up(true, s(30));
        m.up(false, s(100)); // 30 s in the first minute, 40 s in the second
        m.up(true, s(300)); // minutes 2 and 3: down and idle, no rows
        let rows = m.take_closed(s(330));
        assert_eq!(rows.iter().map(|r| (r.minute, r.up_ms)).collect::<Vec<_>>(), vec![(s(0), 30_000), (s(60), 40_000)]);
        let rows = m.take_all(s(450)); // minute 5 all up, 6 up 30 s so far
        assert_eq!(
            rows.iter().map(|r| (r.minute, r.up_ms)).collect::<Vec<_>>(),
            vec![(s(300), 60_000), (s(360), 60_000), (s(420), 30_000)]
        );
    }

    #[test]
    fn jitter_is_the_mean_difference_of_successive_round_trips_per_link() {
        let mut m = Minutes::new("ch", 2, at(0));
        let ms = Duration::from_millis;
        m.round_trip(0, ms(10), false, at(1));
        m.round_trip(1, ms(50), false, at(1)); // another link: no pair with link 0
        m.round_trip(0, ms(14), false, at(1));
        m.round_trip(0, ms(8), true, at(1));
        let c = m.current().clone();
        assert_eq!((c.jitter_sum_us, c.jitter_pairs, c.probes, c.rtt_max_us), (10_000, 2, 1, 50_000));
        let p = QualityPoint { from: at(0), to: at(60), total: c, elapsed_ms: 60_000 };
        assert_eq!(p.jitter_ms(), Some(5.0));
        assert_eq!(p.rtt_mean_ms(), Some(20.5));
    }

    #[test]
    fn steps_add_minutes_and_count_only_time_that_has_passed() {
        let t0 = minute_of(at(0));
        let min = |n: i64| Timestamp::from_millis(t0.as_millis() + n * MINUTE_MS);
        let mut rows = Vec::new();
        for n in 0..3 {
            let mut r = LinkMinute::empty("ch", min(n));
            r.up_ms = 60_000;
            r.submits = 100;
            r.resends = 1;
            r.unanswered = u32::from(n == 2);
            count_code(&mut r.codes, 8);
            rows.push(r);
        }
        // Restarted within minute 1: a second row for the same minute.
        let mut again = LinkMinute::empty("ch", min(1));
        again.submits = 10;
        rows.insert(2, again);
        let points = fold(&rows, min(0), min(4), Duration::from_secs(120), min(3));
        assert_eq!(points.len(), 2);
        assert_eq!((points[0].total.submits, points[0].total.up_ms, points[0].elapsed_ms), (210, 120_000, 120_000));
        assert_eq!(points[0].availability(), Some(1.0));
        assert_eq!(points[1].elapsed_ms, 60_000, "minute 3 has not happened yet");
        assert_eq!(points[1].availability(), Some(1.0));
        assert_eq!(points[1].loss(), Some(2.0 / 101.0));
        assert_eq!(points[0].total.codes.get(&8), Some(&2));
    }
}
