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
//! Every connection, in or out, becomes one [`NetStream`]: plain TCP, or TLS over it. A
//! listener that speaks TLS holds a [`ServerTls`] and turns what it accepts into a stream with
//! [`NetStream::accepted`], the handshake bounded in time. Connecting out ([`Dialer`]) goes
//! towards a [`TlsTarget`], checked against one [`Trust`] (Mozilla's roots and any CA files)
//! that every outgoing TLS client of the process shares. Protocols drive the stream without
//! knowing which kind it is, and tests drive them over in-memory pipes instead.
//!
//! What it does not own: protocols and the time-outs of a session; those belong to whoever
//! drives the stream.

mod dial;
mod limits;
mod listener;
mod stream;
mod tls;

pub use dial::{Dialer, TlsTarget};
pub use limits::{ConnLimits, Permit};
pub use listener::{Accepted, Listener, ListenerStats, StatsSnapshot};
pub use stream::{NetStream, HANDSHAKE_LIMIT};
pub use tls::{ServerTls, Trust, TrustError};

/// Every listener made in this process, by name, for operators' eyes.
pub fn all_stats() -> Vec<StatsSnapshot> {
    listener::registry().snapshots()
}
