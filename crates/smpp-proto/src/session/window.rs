//! The sliding window: requests sent and not yet answered, with their retransmission state.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One outstanding request.
#[derive(Debug)]
struct Pending<T> {
    /// What the application handed us; given back if the request times out.
    item: T,
    /// The encoded frame, re-sent unchanged (same sequence_number) on time-out.
    bytes: Vec<u8>,
    /// When it was last sent.
    sent_at: Instant,
    /// How many times it has been sent.
    attempts: u32,
}

/// What a timer tick decided.
#[derive(Debug)]
pub(crate) struct Expired<T> {
    /// Frames to send again.
    pub(crate) resend: Vec<Vec<u8>>,
    /// Requests sent the maximum number of times without an answer.
    pub(crate) timed_out: Vec<(u32, T)>,
}

/// Outstanding requests by sequence_number.
#[derive(Debug)]
pub(crate) struct Window<T> {
    entries: BTreeMap<u32, Pending<T>>,
    limit: usize,
}

impl<T> Window<T> {
    /// A window of at most `limit` outstanding requests.
    pub(crate) fn new(limit: usize) -> Self {
        Self { entries: BTreeMap::new(), limit }
    }

    /// Number of outstanding requests.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no more requests may be sent.
    pub(crate) fn is_full(&self) -> bool {
        self.entries.len() >= self.limit
    }

    /// Records a request just sent for the first time.
    pub(crate) fn insert(&mut self, sequence: u32, item: T, bytes: Vec<u8>, now: Instant) {
        self.entries.insert(sequence, Pending { item, bytes, sent_at: now, attempts: 1 });
    }

    /// The request outstanding under `sequence`, if any.
    pub(crate) fn get(&self, sequence: u32) -> Option<&T> {
        self.entries.get(&sequence).map(|p| &p.item)
    }

    /// Takes the request a response answers; `None` for a response we are not waiting for.
    pub(crate) fn remove(&mut self, sequence: u32) -> Option<T> {
        self.entries.remove(&sequence).map(|p| p.item)
    }

    /// When the earliest request times out.
    pub(crate) fn deadline(&self, timeout: Duration) -> Option<Instant> {
        self.entries.values().map(|p| p.sent_at + timeout).min()
    }

    /// Re-sends what is due and gives up on what was sent `max_attempts` times already.
    pub(crate) fn expire(&mut self, now: Instant, timeout: Duration, max_attempts: u32) -> Expired<T> {
        let mut resend = Vec::new();
        let mut given_up = Vec::new();
        for (&seq, pending) in &mut self.entries {
            if now < pending.sent_at + timeout {
                continue;
            }
            // max(1): a configured 0 still means the one send that already happened.
            if pending.attempts >= max_attempts.max(1) {
                given_up.push(seq);
            } else {
                pending.attempts += 1;
                pending.sent_at = now;
                resend.push(pending.bytes.clone());
            }
        }
        let timed_out = given_up.into_iter().filter_map(|s| Some((s, self.remove(s)?))).collect();
        Expired { resend, timed_out }
    }

    /// Empties the window (the link closed), oldest sequence_number first.
    pub(crate) fn drain(&mut self) -> Vec<(u32, T)> {
        std::mem::take(&mut self.entries).into_iter().map(|(s, p)| (s, p.item)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(30);

    #[test]
    fn limit_and_responses() {
        let now = Instant::now();
        let mut w = Window::new(2);
        w.insert(1, "a", vec![1], now);
        assert!(!w.is_full());
        w.insert(2, "b", vec![2], now);
        assert!(w.is_full());
        assert_eq!(w.get(2), Some(&"b"));
        assert_eq!(w.remove(1), Some("a"));
        assert_eq!(w.remove(1), None);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn resends_then_gives_up() {
        let t0 = Instant::now();
        let mut w = Window::new(16);
        w.insert(7, "a", vec![7], t0);
        assert_eq!(w.deadline(T), Some(t0 + T));
        assert!(w.expire(t0 + T / 2, T, 3).resend.is_empty());
        for n in 1..=2u32 {
            let tick = w.expire(t0 + T * n, T, 3);
            assert_eq!((tick.resend, tick.timed_out.len()), (vec![vec![7]], 0));
        }
        let tick = w.expire(t0 + T * 3, T, 3);
        assert!(tick.resend.is_empty());
        assert_eq!(tick.timed_out, vec![(7, "a")]);
        assert_eq!(w.len(), 0);
    }
}
