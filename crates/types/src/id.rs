//! Message ids: 64-bit, time-ordered, unique, shown as decimal strings.
//!
//! Why not UUIDs: an 8-byte integer key keeps the message table and its indexes small at 64
//! million rows a year, sorts by acceptance time, and is the same type in SQLite and
//! PostgreSQL. It is shown as a string because JavaScript clients lose precision above 2^53.

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::Timestamp;

/// Bits below the millisecond part: up to about a million ids per millisecond.
const SEQ_BITS: u32 = 20;

/// Identifies one message (one recipient of one request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MessageId(pub u64);

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for MessageId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

impl MessageId {
    /// The smallest id handed out at or after `t`: ids are time-ordered, so "messages since
    /// `t`" is "ids from `MessageId::floor(t)`", a range on the primary key.
    pub fn floor(t: Timestamp) -> Self {
        Self((t.as_millis().max(0) as u64) << SEQ_BITS)
    }

    /// When the id was handed out (to the millisecond).
    pub fn timestamp(self) -> Timestamp {
        Timestamp::from_millis((self.0 >> SEQ_BITS) as i64)
    }
}

/// Hands out strictly increasing ids without a lock.
///
/// Each id is `max(previous + 1, now_ms << 20)`, so ids follow the clock when it moves and
/// stay unique when it stalls or steps back. Seeding with the largest stored id keeps them
/// unique across restarts even if the clock was set back meanwhile.
///
/// Nodes of a cluster accept at the same millisecond: each takes a slot ([`IdGenerator::set_slot`])
/// and hands out only ids whose lowest bits are its slot, so no two nodes give the same id.
#[derive(Debug)]
pub struct IdGenerator {
    last: AtomicU64,
    /// This node's slot, and how many slots share the ids (1 alone: every id is ours).
    slot: AtomicU64,
    slots: AtomicU64,
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::new(0)
    }
}

/// How many nodes of a cluster can hand out ids at once (each one slot).
pub const NODE_SLOTS: u64 = 64;

impl IdGenerator {
    /// A generator that will never return `seed` or anything below it.
    pub fn new(seed: u64) -> Self {
        Self { last: AtomicU64::new(seed), slot: AtomicU64::new(0), slots: AtomicU64::new(1) }
    }

    /// From now on hands out only ids `≡ slot (mod NODE_SLOTS)`: this node's share of each
    /// millisecond in a cluster (up to 16,384 ids a millisecond).
    pub fn set_slot(&self, slot: u64) {
        self.slot.store(slot % NODE_SLOTS, Ordering::Relaxed);
        self.slots.store(NODE_SLOTS, Ordering::Relaxed);
    }

    /// The next id for a message accepted at `now`.
    pub fn next(&self, now: Timestamp) -> MessageId {
        let (slot, slots) = (self.slot.load(Ordering::Relaxed), self.slots.load(Ordering::Relaxed));
        // The smallest id above `v`'s predecessor that is in this node's slot.
        let ours = |v: u64| v + (slot + slots - v % slots) % slots;
        let floor = ours((now.as_millis().max(0) as u64) << SEQ_BITS);
        let mut prev = self.last.load(Ordering::Relaxed);
        loop {
            let next = floor.max(ours(prev + 1));
            match self.last.compare_exchange_weak(prev, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return MessageId(next),
                Err(actual) => prev = actual,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_carry_their_time() {
        let g = IdGenerator::new(0);
        let now = Timestamp::from_millis(1_795_910_782_123);
        let a = g.next(now);
        let b = g.next(now);
        assert!(b > a);
        assert_eq!(a.timestamp(), now);
        assert!(MessageId::floor(now) <= a && MessageId::floor(now.plus_millis(1)) > b);
        let earlier = g.next(Timestamp::from_millis(1_000));
        assert!(earlier > b, "a clock stepping back must not reuse ids");
    }

    #[test]
    fn nodes_in_different_slots_never_give_the_same_id() {
        let (a, b) = (IdGenerator::new(0), IdGenerator::new(0));
        a.set_slot(3);
        b.set_slot(4);
        let now = Timestamp::from_millis(1_795_910_782_123);
        let ids: Vec<u64> = (0..1000).flat_map(|_| [a.next(now).0, b.next(now).0]).collect();
        let unique: std::collections::HashSet<u64> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len());
        assert!(ids.iter().step_by(2).all(|id| id % NODE_SLOTS == 3));
        assert_eq!(a.next(now).timestamp(), now, "ids still carry their millisecond");
    }

    #[test]
    fn seed_is_never_reused() {
        let g = IdGenerator::new(u64::MAX / 2);
        assert!(g.next(Timestamp::from_millis(0)).0 > u64::MAX / 2);
    }

    #[test]
    fn parses_from_display() {
        let id = MessageId(42);
        assert_eq!(id.to_string().parse::<MessageId>().unwrap(), id);
        assert!("x".parse::<MessageId>().is_err());
    }
}
