//! Inbound requests: which ones the application holds unanswered, and the answers given
//! lately, so duplicates are handled the way the spec asks (sgip.md §1) and `ack` knows which
//! response command to send.

use crate::{CommandId, Sequence};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

/// How many answered requests are remembered for re-answering duplicates. A peer re-sends
/// within its response time-out, so a few windows' worth is plenty.
const ANSWERED_MEMORY: usize = 64;

/// What arrived: its command and a digest of the whole frame, to tell a true duplicate (same
/// sequence, same content) from a reused sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    /// The request's Command ID.
    pub(crate) command: CommandId,
    digest: u64,
}

impl Seen {
    /// Describes the frame `raw` carrying a `command` request.
    pub(crate) fn new(command: CommandId, raw: &[u8]) -> Self {
        // SipHash with fixed keys: collisions are not a security matter here (a forged one
        // would only get the forger's own frame dropped as a duplicate).
        let mut hasher = DefaultHasher::new();
        raw.hash(&mut hasher);
        Self { command, digest: hasher.finish() }
    }
}

/// What to do with an inbound request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Admit {
    /// First time seen: hand it to the application.
    New,
    /// A copy of one the application holds: drop it, the coming answer serves both.
    Pending,
    /// A copy of one answered lately: send this answer again.
    Answered(Vec<u8>),
    /// Same sequence, different content: refuse with Result 9.
    Conflict,
    /// Too many unanswered already: refuse with Result 11.
    Busy,
}

/// Inbound requests by sequence.
#[derive(Debug)]
pub(crate) struct Inbound {
    pending: HashMap<Sequence, Seen>,
    answered: VecDeque<(Sequence, Seen, Vec<u8>)>,
    limit: usize,
}

impl Inbound {
    /// At most `limit` requests unanswered at a time.
    pub(crate) fn new(limit: usize) -> Self {
        Self { pending: HashMap::new(), answered: VecDeque::new(), limit }
    }

    /// Decides what to do with a request that arrived as `sequence`.
    pub(crate) fn admit(&mut self, sequence: Sequence, seen: Seen) -> Admit {
        if let Some(held) = self.pending.get(&sequence) {
            return if *held == seen { Admit::Pending } else { Admit::Conflict };
        }
        if let Some((_, done, answer)) = self.answered.iter().find(|(s, ..)| *s == sequence) {
            return if *done == seen { Admit::Answered(answer.clone()) } else { Admit::Conflict };
        }
        if self.pending.len() >= self.limit {
            return Admit::Busy;
        }
        self.pending.insert(sequence, seen);
        Admit::New
    }

    /// Takes the request the application is answering; `None` if it holds no such request.
    pub(crate) fn take(&mut self, sequence: Sequence) -> Option<Seen> {
        self.pending.remove(&sequence)
    }

    /// Remembers the answer given, for duplicates that arrive after it.
    pub(crate) fn remember(&mut self, sequence: Sequence, seen: Seen, answer: Vec<u8>) {
        if self.answered.len() >= ANSWERED_MEMORY {
            self.answered.pop_front();
        }
        self.answered.push_back((sequence, seen, answer));
    }

    /// Requests the application holds unanswered.
    pub(crate) fn len(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(counter: u32) -> Sequence {
        Sequence { node_id: 1, time: 2, counter }
    }

    #[test]
    fn duplicates_conflicts_and_the_limit() {
        let mut inbound = Inbound::new(2);
        let a = Seen::new(CommandId::DELIVER, b"frame a");
        let b = Seen::new(CommandId::DELIVER, b"frame b");
        assert_eq!(inbound.admit(seq(1), a), Admit::New);
        assert_eq!(inbound.admit(seq(1), a), Admit::Pending);
        assert_eq!(inbound.admit(seq(1), b), Admit::Conflict);
        assert_eq!(inbound.admit(seq(2), b), Admit::New);
        assert_eq!(inbound.admit(seq(3), b), Admit::Busy);
        assert_eq!(inbound.len(), 2);

        assert_eq!(inbound.take(seq(1)), Some(a));
        assert_eq!(inbound.take(seq(1)), None);
        inbound.remember(seq(1), a, vec![0xaa]);
        assert_eq!(inbound.admit(seq(1), a), Admit::Answered(vec![0xaa]));
        assert_eq!(inbound.admit(seq(1), b), Admit::Conflict);
    }

    #[test]
    fn answer_memory_is_bounded() {
        let mut inbound = Inbound::new(1);
        let a = Seen::new(CommandId::REPORT, b"x");
        for n in 0..=ANSWERED_MEMORY as u32 {
            inbound.remember(seq(n), a, vec![]);
        }
        assert_eq!(inbound.answered.len(), ANSWERED_MEMORY);
        assert_eq!(inbound.admit(seq(0), a), Admit::New, "the oldest answer was forgotten");
    }
}
