//! Putting incoming (MO) long messages back together (segmentation.md §2).
//!
//! Parts are keyed by originator + reference + total, may arrive in any order and through
//! different SMSCs, and may be repeated. A message whose parts do not all arrive within the
//! timeout (counted from its first part) is handed back as [`Incomplete`] with what did
//! arrive, and so is the oldest pending message when the bound on pending messages is hit:
//! nothing is dropped silently. Time comes in as `now` arguments; there are no clock reads.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Which message a part belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartKey {
    /// Originating address. A caller serving several service numbers can append the
    /// destination here to keep messages to different numbers apart.
    pub originator: String,
    /// The concatenation reference (8-bit references as 0–255).
    pub reference: u16,
    /// Segments in the message.
    pub total: u8,
}

/// A message whose parts all arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complete<P = Vec<u8>> {
    /// The message's key.
    pub key: PartKey,
    /// The parts in order, part 1 first.
    pub parts: Vec<P>,
}

impl<P: AsRef<[u8]>> Complete<P> {
    /// The parts' bytes one after another: decode this, not each part, so a character cut
    /// between parts by a careless sender (an escape pair, a surrogate pair) comes out whole.
    pub fn joined(&self) -> Vec<u8> {
        self.parts.iter().flat_map(|p| p.as_ref().iter().copied()).collect()
    }
}

/// Why a message was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// Not all parts arrived within the timeout.
    TimedOut,
    /// Pushed out by a newer message when `max_pending` messages were waiting.
    Evicted,
}

/// A message given up on, with the parts that did arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete<P = Vec<u8>> {
    /// The message's key.
    pub key: PartKey,
    /// Parts that arrived, as (number, part), in number order.
    pub parts: Vec<(u8, P)>,
    /// Why it was given up.
    pub reason: GiveUpReason,
}

impl<P> Incomplete<P> {
    /// Numbers of the parts that never arrived.
    pub fn missing(&self) -> Vec<u8> {
        (1..=self.key.total).filter(|n| !self.parts.iter().any(|(got, _)| got == n)).collect()
    }
}

/// Collects parts of long messages until each is complete, times out or is evicted.
///
/// Generic over the part type so a caller can keep more than the bytes with each part (its
/// message id, the UDH's other elements); `Vec<u8>` by default.
#[derive(Debug)]
pub struct Reassembler<P = Vec<u8>> {
    timeout: Duration,
    max_pending: usize,
    pending: HashMap<PartKey, Pending<P>>,
    /// Pending keys by arrival of their first part, so the oldest is found in O(log n) when
    /// one must be evicted. Kept in step with `pending`.
    order: BTreeMap<u64, PartKey>,
    next_seq: u64,
    /// Evicted or superseded messages waiting to be handed out by `poll_expired`.
    given_up: Vec<Incomplete<P>>,
    /// When the oldest entry of `given_up` was given up: `poll_timeout` answers it.
    given_up_at: Option<Instant>,
}

#[derive(Debug)]
struct Pending<P> {
    seq: u64,
    deadline: Instant,
    /// Index = part number − 1.
    parts: Vec<Option<P>>,
    received: usize,
}

impl<P> Reassembler<P> {
    /// A reassembler that waits `timeout` from a message's first part and holds at most
    /// `max_pending` unfinished messages (at least 1).
    pub fn new(timeout: Duration, max_pending: usize) -> Self {
        Self {
            timeout,
            max_pending: max_pending.max(1),
            pending: HashMap::new(),
            order: BTreeMap::new(),
            next_seq: 0,
            given_up: Vec::new(),
            given_up_at: None,
        }
    }

    /// Adds part `number` of the message `key`; returns the message once its last missing
    /// part arrives. A repeated part is ignored (the first copy is kept).
    ///
    /// Following TS 23.040's "ignore the element" rule, a part whose total is 0 or 1, or
    /// whose number is 0 or above the total, is complete on its own. A part for a pending
    /// message that has already timed out starts a new message; the old one is handed out
    /// by the next [`poll_expired`](Self::poll_expired), as is any message evicted to make
    /// room.
    pub fn push(&mut self, key: PartKey, number: u8, part: P, now: Instant) -> Option<Complete<P>> {
        if key.total <= 1 || number == 0 || number > key.total {
            return Some(Complete { key, parts: vec![part] });
        }
        if self.pending.get(&key).is_some_and(|p| now >= p.deadline) {
            self.give_up(&key, GiveUpReason::TimedOut, now);
        }
        if !self.pending.contains_key(&key) {
            self.make_room(now);
            self.start(key.clone(), now);
        }
        let entry = self.pending.get_mut(&key)?;
        let slot = &mut entry.parts[usize::from(number) - 1];
        if slot.is_some() {
            return None;
        }
        *slot = Some(part);
        entry.received += 1;
        if entry.received < entry.parts.len() {
            return None;
        }
        let entry = self.pending.remove(&key)?;
        self.order.remove(&entry.seq);
        Some(Complete { key, parts: entry.parts.into_iter().flatten().collect() })
    }

    /// Gives up on every message whose deadline is at or before `now` and returns them,
    /// after any evicted ones, oldest first.
    pub fn poll_expired(&mut self, now: Instant) -> Vec<Incomplete<P>> {
        let expired: Vec<PartKey> = self
            .order
            .values()
            .filter(|key| self.pending.get(*key).is_some_and(|p| now >= p.deadline))
            .cloned()
            .collect();
        for key in expired {
            self.give_up(&key, GiveUpReason::TimedOut, now);
        }
        self.given_up_at = None;
        std::mem::take(&mut self.given_up)
    }

    /// When [`poll_expired`](Self::poll_expired) next has something to return; `None` when
    /// nothing is pending.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadlines = self.pending.values().map(|p| p.deadline);
        deadlines.chain(self.given_up_at).min()
    }

    /// Messages waiting for parts.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    fn start(&mut self, key: PartKey, now: Instant) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let parts = std::iter::repeat_with(|| None).take(usize::from(key.total)).collect();
        self.order.insert(seq, key.clone());
        self.pending.insert(key, Pending { seq, deadline: now + self.timeout, parts, received: 0 });
    }

    fn make_room(&mut self, now: Instant) {
        while self.pending.len() >= self.max_pending {
            let Some((_, oldest)) = self.order.pop_first() else { break };
            self.give_up(&oldest, GiveUpReason::Evicted, now);
        }
    }

    fn give_up(&mut self, key: &PartKey, reason: GiveUpReason, now: Instant) {
        let Some(entry) = self.pending.remove(key) else { return };
        self.order.remove(&entry.seq);
        let parts = (1..=u8::MAX).zip(entry.parts).filter_map(|(n, p)| p.map(|p| (n, p))).collect();
        self.given_up.push(Incomplete { key: key.clone(), parts, reason });
        self.given_up_at.get_or_insert(now);
    }
}

#[cfg(test)]
mod tests;
