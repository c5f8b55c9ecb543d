//! The Msg_Ids our CMPP server gives, in CMPP's layout (cmpp.md §11): the Beijing time of
//! acceptance to the second, our gateway (ISMG) code, and a 16-bit sequence that wraps.
//! Wireshark's dissector and clients that read the fields then see the real time and code.
//!
//! Such an id is not unique for ever (the same second comes back each year, and the sequence
//! wraps), so it is only what the client sees and what its reports carry: the engine's own
//! time-ordered ids stay the keys, and a client's idempotency reference adds the time the
//! submit arrived (`Engine::client_submit`).

use std::sync::atomic::{AtomicU32, Ordering};

use hongyan_cmpp_proto::msg_id;
use hongyan_types::Timestamp;

/// Hands out Msg_Ids for one server.
#[derive(Debug)]
pub(crate) struct MsgIds {
    gateway: u32,
    seq: AtomicU32,
}

impl MsgIds {
    /// Ids with `gateway` (22 bits) as the ISMG code. The sequence starts from the clock's
    /// milliseconds, so a restart within a second does not hand out that second's ids again.
    pub(crate) fn new(gateway: u32, now: Timestamp) -> Self {
        Self { gateway, seq: AtomicU32::new(now.as_millis() as u32) }
    }

    /// `n` consecutive ids (one per recipient of a group SUBMIT) at `now`: the first one;
    /// the others are [`msg_id::nth`] of it, as the spec numbers them.
    pub(crate) fn take(&self, now: Timestamp, n: usize) -> u64 {
        let seq = self.seq.fetch_add(n.max(1) as u32, Ordering::Relaxed) as u16;
        msg_id::at(now.beijing_mmddhhmmss(), self.gateway, seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_beijing_time_the_code_and_a_wrapping_sequence() {
        // 2026-12-06 22:53:07 UTC is 12-07 06:53:07 in Beijing.
        let now = Timestamp::from_millis(1_796_597_587_000);
        let ids = MsgIds::new(4001, Timestamp::from_millis(65_534));
        let first = msg_id::decompose(ids.take(now, 3));
        let (m, d, h, mi, s) = (first.month, first.day, first.hour, first.minute, first.second);
        assert_eq!((m, d, h, mi, s, first.gateway, first.seq), (12, 7, 6, 53, 7, 4001, 65_534));
        assert_eq!(msg_id::decompose(ids.take(now, 1)).seq, 1, "three were taken; the sequence wrapped");
    }
}
