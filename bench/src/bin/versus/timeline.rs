//! When each message's request was written, its submit_sm reached the sink and its report
//! reached the receiver, for latency percentiles. Message `i` goes to number `138` + `i` in
//! eight digits, so the sink and the receiver find `i` from the number alone (its last eight
//! digits, whatever prefix a gateway adds).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Percentiles {
    pub(crate) p50: f64,
    pub(crate) p99: f64,
    pub(crate) p999: f64,
    pub(crate) max: f64,
}

/// Per message, ns since `epoch` (+1, so 0 means "not seen").
#[derive(Debug)]
pub(crate) struct Timeline {
    epoch: Instant,
    sent: Vec<AtomicU64>,
    submitted: Vec<AtomicU64>,
    reported: Vec<AtomicU64>,
}

/// Which moment of a message.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Moment {
    Sent,
    Submitted,
    Reported,
}

impl Timeline {
    pub(crate) fn new(messages: u64) -> Self {
        let slots = || (0..messages).map(|_| AtomicU64::new(0)).collect();
        Self { epoch: Instant::now(), sent: slots(), submitted: slots(), reported: slots() }
    }

    /// Forgets an earlier peer's run.
    pub(crate) fn reset(&self) {
        for slot in self.sent.iter().chain(&self.submitted).chain(&self.reported) {
            slot.store(0, Ordering::Relaxed);
        }
    }

    fn slots(&self, moment: Moment) -> &[AtomicU64] {
        match moment {
            Moment::Sent => &self.sent,
            Moment::Submitted => &self.submitted,
            Moment::Reported => &self.reported,
        }
    }

    /// Marks message `i` (the first time only: a duplicate keeps the first moment); true
    /// when this was the first time.
    pub(crate) fn mark(&self, moment: Moment, i: u64) -> bool {
        let at = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX - 1) + 1;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.slots(moment).get(i))
            .is_some_and(|slot| slot.compare_exchange(0, at, Ordering::Relaxed, Ordering::Relaxed).is_ok())
    }

    /// Marks the message whose handset number is `number`; true when this was the first time.
    pub(crate) fn mark_number(&self, moment: Moment, number: &[u8]) -> bool {
        index(number).is_some_and(|i| self.mark(moment, i))
    }

    /// Messages of `range` seen at `moment`.
    pub(crate) fn count_in(&self, moment: Moment, range: std::ops::Range<usize>) -> u64 {
        self.slots(moment).get(range).map_or(0, |s| s.iter().filter(|a| a.load(Ordering::Relaxed) != 0).count() as u64)
    }

    /// The latest `moment` among messages `range`.
    pub(crate) fn last_in(&self, moment: Moment, range: std::ops::Range<usize>) -> Option<Instant> {
        let latest = self.slots(moment).get(range)?.iter().map(|a| a.load(Ordering::Relaxed)).max()?;
        (latest > 0).then(|| self.epoch + std::time::Duration::from_nanos(latest - 1))
    }

    /// Percentiles of `to − from` over the messages that have both.
    pub(crate) fn between(&self, from: Moment, to: Moment) -> Option<Percentiles> {
        self.between_in(from, to, 0..self.sent.len())
    }

    /// The same over messages `range` only (the verification codes among a bulk job's).
    pub(crate) fn between_in(&self, from: Moment, to: Moment, range: std::ops::Range<usize>) -> Option<Percentiles> {
        let (from, to) = (self.slots(from).get(range.clone())?, self.slots(to).get(range)?);
        let mut ms: Vec<f64> = from
            .iter()
            .zip(to)
            .filter_map(|(a, b)| match (a.load(Ordering::Relaxed), b.load(Ordering::Relaxed)) {
                (0, _) | (_, 0) => None,
                (a, b) => Some(b.saturating_sub(a) as f64 / 1e6),
            })
            .collect();
        if ms.is_empty() {
            return None;
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
        Some(Percentiles { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: ms[ms.len() - 1] })
    }
}

/// The message index in a number: its last eight digits.
fn index(number: &[u8]) -> Option<u64> {
    let digits = number.get(number.len().checked_sub(8)?..)?;
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_any_prefix_name_their_message() {
        assert_eq!(index(b"13800000042"), Some(42));
        assert_eq!(index(b"+8613800000042"), Some(42));
        assert_eq!(index(b"1234"), None);
    }

    #[test]
    fn percentiles_cover_the_messages_seen_at_both_moments() {
        let t = Timeline::new(1000);
        for i in 0..1000 {
            t.mark(Moment::Sent, i);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        for i in 0..500 {
            t.mark(Moment::Submitted, i);
        }
        let p = t.between(Moment::Sent, Moment::Submitted).expect("500 pairs");
        assert!(p.p50 >= 5.0 && p.p50 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max, "{p:?}");
        assert!(t.between(Moment::Sent, Moment::Reported).is_none());
        assert!(t.between_in(Moment::Sent, Moment::Submitted, 500..1000).is_none(), "none of these was submitted");
        assert!(t.between_in(Moment::Sent, Moment::Submitted, 0..10).is_some());
        t.reset();
        assert!(t.between(Moment::Sent, Moment::Submitted).is_none());
    }
}
