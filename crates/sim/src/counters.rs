//! What a simulator has seen, so tests can assert on it.

use std::sync::atomic::{AtomicU32, Ordering};

/// Counts kept by every simulator.
#[derive(Debug, Default)]
pub struct Counters {
    /// Successful logins.
    pub logins: AtomicU32,
    /// Refused logins.
    pub refused_logins: AtomicU32,
    /// Submits received (one per PDU).
    pub submits: AtomicU32,
    /// Submits answered with the flow-control code.
    pub throttled: AtomicU32,
    /// Connections closed on purpose (`drop_every`).
    pub dropped: AtomicU32,
    /// Submits left unanswered on purpose (`silent_every`).
    pub silenced: AtomicU32,
    /// Status reports sent (duplicates included).
    pub reports_sent: AtomicU32,
    /// Status reports acknowledged by the SP.
    pub reports_acked: AtomicU32,
    /// MO messages acknowledged by the SP.
    pub mo_acked: AtomicU32,
}

impl Counters {
    pub(crate) fn bump(counter: &AtomicU32) -> u32 {
        counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Reads a counter.
    pub fn get(counter: &AtomicU32) -> u32 {
        counter.load(Ordering::Relaxed)
    }
}
