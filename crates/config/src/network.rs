//! `[network]`: what every listener tolerates from a client before it cuts the connection.

use std::time::Duration;

use crate::walk::{Table, Walker};

/// Time-outs and connection limits of our listeners (HTTP, the SMPP/CMPP servers, SGIP inbound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    /// A request's head (request line and headers) must arrive within this; it also bounds how
    /// long an idle keep-alive connection waits for its next request.
    pub header_timeout: Duration,
    /// A request's whole body must arrive within this, counted from the end of its head.
    pub body_timeout: Duration,
    /// Connections open at once on one listener.
    pub max_connections: usize,
    /// Connections open at once from one source address on one listener.
    pub max_connections_per_source: usize,
    /// At shutdown, connections still open this long after the listener closed are cut.
    pub shutdown_grace: Duration,
}

impl Default for Network {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(60),
            max_connections: 4096,
            max_connections_per_source: 512,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

pub(crate) fn parse(w: &mut Walker, mut t: Table) -> Network {
    let d = Network::default();
    let ms = |v: i64| Duration::from_millis(v as u64);
    let n = Network {
        header_timeout: t.opt_int(w, "header_timeout_ms", 100, 600_000).map_or(d.header_timeout, ms),
        body_timeout: t.opt_int(w, "body_timeout_ms", 100, 3_600_000).map_or(d.body_timeout, ms),
        max_connections: t.opt_int(w, "max_connections", 1, 1_000_000).map_or(d.max_connections, |v| v as usize),
        max_connections_per_source: t
            .opt_int(w, "max_connections_per_source", 1, 1_000_000)
            .map_or(d.max_connections_per_source, |v| v as usize),
        shutdown_grace: t.opt_int(w, "shutdown_grace_ms", 0, 600_000).map_or(d.shutdown_grace, ms),
    };
    let path = t.key_path("max_connections_per_source");
    t.finish(w);
    if n.max_connections_per_source > n.max_connections {
        w.problem(path, "must not be more than max_connections");
    }
    n
}
