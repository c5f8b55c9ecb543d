//! The sliding window every carrier session keeps: requests sent and not yet answered, with
//! their retransmission state. Keyed by the protocol's sequence number (a `u32` in CMPP,
//! SMGP and SMPP, a three-part sequence in SGIP). Time is passed in, never read.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One outstanding request.
#[derive(Debug)]
struct Pending<T> {
    /// What the application handed us; given back if the request times out.
    item: T,
    /// The encoded frame, re-sent unchanged (same sequence number) on time-out.
    bytes: Vec<u8>,
    /// When it was last sent.
    sent_at: Instant,
    /// How many times it has been sent.
    attempts: u32,
}

/// What a timer tick decided.
#[derive(Debug)]
pub struct Expired<K, T> {
    /// Frames to send again.
    pub resend: Vec<Vec<u8>>,
    /// Requests sent the maximum number of times without an answer.
    pub timed_out: Vec<(K, T)>,
}

/// Outstanding requests by sequence number.
#[derive(Debug)]
pub struct Window<K, T> {
    entries: BTreeMap<K, Pending<T>>,
    limit: usize,
    /// Re-sends since the last [`Window::take_resends`]: the link-quality figures count each
    /// as a request that went unanswered within the time-out.
    resent: u32,
}

impl<K: Ord + Copy, T> Window<K, T> {
    /// A window of at most `limit` outstanding requests.
    pub fn new(limit: usize) -> Self {
        Self { entries: BTreeMap::new(), limit, resent: 0 }
    }

    /// Number of outstanding requests.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is outstanding.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// True when no more requests may be sent.
    pub fn is_full(&self) -> bool {
        self.entries.len() >= self.limit
    }

    /// Records a request just sent for the first time.
    pub fn insert(&mut self, sequence: K, item: T, bytes: Vec<u8>, now: Instant) {
        self.entries.insert(sequence, Pending { item, bytes, sent_at: now, attempts: 1 });
    }

    /// The request outstanding under `sequence`, if any.
    pub fn get(&self, sequence: K) -> Option<&T> {
        self.entries.get(&sequence).map(|p| &p.item)
    }

    /// Takes the request a response answers; `None` for a response we are not waiting for.
    pub fn remove(&mut self, sequence: K) -> Option<T> {
        self.entries.remove(&sequence).map(|p| p.item)
    }

    /// Takes the request only if `answers` accepts it (a Submit_Resp does not answer a
    /// Query); otherwise it stays outstanding.
    pub fn remove_if(&mut self, sequence: K, answers: impl FnOnce(&T) -> bool) -> Option<T> {
        if !answers(self.get(sequence)?) {
            return None;
        }
        self.remove(sequence)
    }

    /// When the earliest request times out.
    pub fn deadline(&self, timeout: Duration) -> Option<Instant> {
        self.entries.values().map(|p| p.sent_at + timeout).min()
    }

    /// Re-sends what is due and gives up on what was sent `max_attempts` times already.
    pub fn expire(&mut self, now: Instant, timeout: Duration, max_attempts: u32) -> Expired<K, T> {
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
                self.resent = self.resent.saturating_add(1);
                resend.push(pending.bytes.clone());
            }
        }
        let timed_out = given_up.into_iter().filter_map(|s| Some((s, self.remove(s)?))).collect();
        Expired { resend, timed_out }
    }

    /// Re-sends made since the last call.
    pub fn take_resends(&mut self) -> u32 {
        std::mem::take(&mut self.resent)
    }

    /// Empties the window (the link closed), in sequence order.
    pub fn drain(&mut self) -> Vec<(K, T)> {
        std::mem::take(&mut self.entries).into_iter().map(|(s, p)| (s, p.item)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(60);

    #[test]
    fn limit_and_responses() {
        let now = Instant::now();
        let mut w = Window::new(2);
        w.insert(1u32, "a", vec![1], now);
        assert!(!w.is_full());
        w.insert(2, "b", vec![2], now);
        assert!(w.is_full());
        assert_eq!(w.get(2), Some(&"b"));
        assert_eq!(w.remove_if(1, |_| false), None, "not an answer to this request");
        assert_eq!(w.remove_if(1, |_| true), Some("a"));
        assert_eq!(w.remove(1), None);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn resends_then_gives_up() {
        let t0 = Instant::now();
        let mut w = Window::new(16);
        w.insert(7u32, "a", vec![7], t0);
        assert_eq!(w.deadline(T), Some(t0 + T));
        assert!(w.expire(t0 + T / 2, T, 3).resend.is_empty());
        for n in 1..=2u32 {
            let tick = w.expire(t0 + T * n, T, 3);
            assert_eq!((tick.resend, tick.timed_out.len()), (vec![vec![7]], 0));
        }
        assert_eq!(w.take_resends(), 2);
        assert_eq!(w.take_resends(), 0, "counted once");
        let tick = w.expire(t0 + T * 3, T, 3);
        assert!(tick.resend.is_empty());
        assert_eq!(tick.timed_out, vec![(7, "a")]);
        assert!(w.is_empty());
    }

    #[test]
    fn zero_attempts_means_one_send() {
        let t0 = Instant::now();
        let mut w = Window::new(16);
        w.insert(1u32, "a", vec![1], t0);
        let tick = w.expire(t0 + T, T, 0);
        assert_eq!((tick.resend.len(), tick.timed_out), (0, vec![(1, "a")]));
    }

    #[test]
    fn drain_hands_back_in_sequence_order() {
        let now = Instant::now();
        let mut w = Window::new(16);
        w.insert(9u32, "late", vec![], now);
        w.insert(3, "early", vec![], now);
        assert_eq!(w.drain(), vec![(3, "early"), (9, "late")]);
        assert!(w.is_empty());
    }
}
