//! What a session counts for the link-quality figures. Round trips of submits are measured by
//! the link engine, which sees the submit and its answer; what only the session sees — a
//! request or a keep-alive probe sent again because its answer did not come in time, and
//! how long a probe took to be answered — it hands over here.

use std::time::Duration;

use crate::{KeepAlive, Window};

/// Counted since the last time the session was asked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LinkTally {
    /// Requests and probes sent again, each a send that went unanswered within the time-out.
    pub resends: u32,
    /// The round trip of the last keep-alive probe answered at its first send.
    pub probe_round_trip: Option<Duration>,
}

impl LinkTally {
    /// Takes the counts of a session's window and keep-alive (resetting them).
    pub fn take<K: Ord + Copy, T>(window: &mut Window<K, T>, keepalive: Option<&mut KeepAlive>) -> Self {
        let mut tally = Self { resends: window.take_resends(), probe_round_trip: None };
        if let Some(k) = keepalive {
            tally.resends = tally.resends.saturating_add(k.take_resends());
            tally.probe_round_trip = k.take_round_trip();
        }
        tally
    }
}
