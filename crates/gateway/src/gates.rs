//! Cluster mode: which of a channel's connections this node may open.
//!
//! A carrier grants an SP a fixed number of connections. In a cluster each connection of a
//! channel belongs to the node that holds its lease (kept by the server, which knows the
//! database); the gateway sees one flag per connection, true while this node holds it. A
//! link waits for its flag before it connects and drains when the flag drops. The channel's
//! contracted rate is shared out per connection, so however the connections are spread over
//! the nodes their sum holds. A node that holds none of a channel's connections gives the
//! channel's messages back to the cluster instead of sending them (`channel.rs`).

use tokio::sync::watch;

/// One flag per connection of a channel: true while this node may keep it open.
#[derive(Debug, Clone)]
pub struct LinkGates {
    held: Vec<watch::Receiver<bool>>,
}

impl LinkGates {
    /// The flags, connection by connection.
    pub fn new(held: Vec<watch::Receiver<bool>>) -> Self {
        Self { held }
    }

    /// Connection `index`'s flag (a connection without one is never held).
    pub(crate) fn of(&self, index: usize) -> watch::Receiver<bool> {
        self.held.get(index).cloned().unwrap_or_else(|| watch::channel(false).1)
    }

    /// Whether this node holds any of the channel's connections now.
    pub(crate) fn any_held(&self) -> bool {
        self.held.iter().any(|h| *h.borrow())
    }
}

/// Resolves once `shutdown` turns true or `gate` drops (or its keeper is gone): the moment
/// a link must drain.
pub(crate) async fn stop_or_lost(shutdown: &mut watch::Receiver<bool>, gate: &mut Option<watch::Receiver<bool>>) {
    let lost = async {
        match gate {
            Some(g) => drop(g.wait_for(|held| !*held).await),
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = shutdown.wait_for(|s| *s) => {}
        () = lost => {}
    }
}
