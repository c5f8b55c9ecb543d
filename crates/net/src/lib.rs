//! The network edge every listener of Hongyan shares: the HTTP API, the SMPP and CMPP servers
//! for client systems, the SGIP inbound listener and the simulated gateways.
//!
//! What it owns: accepting TCP connections, and refusing the ones over a limit before they
//! cost anything. [`Listener::accept`] never spins: when the process runs out of file
//! descriptors (`EMFILE`), `accept` fails at once for as long as the shortage lasts, and a loop
//! that retries immediately burns a core and writes millions of log lines. It backs off instead
//! (10 ms doubling to 1 s, as hyper and tokio's examples do), logs a repeated error once per
//! ten seconds with the count it kept quiet, and counts every error in [`ListenerStats`].
//!
//! A connection over the listener's total or over its source address's share is closed at
//! once (after an optional canned answer, such as an HTTP 503), so one noisy client cannot take
//! every descriptor and leave `/healthz`, sends and binds hanging.
//!
//! What it does not own: protocols, TLS and time-outs of a session; those belong to whoever
//! drives the accepted stream.

mod limits;
mod listener;

pub use limits::{ConnLimits, Permit};
pub use listener::{Accepted, Listener, ListenerStats, StatsSnapshot};

/// Every listener made in this process, by name, for operators' eyes.
pub fn all_stats() -> Vec<StatsSnapshot> {
    listener::registry().snapshots()
}
