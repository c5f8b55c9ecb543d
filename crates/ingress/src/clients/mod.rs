//! What our servers for client systems (SMPP, CMPP) share: the socket loop of a connection
//! ([`driver::drive`]), which connection delivers an account's receipts ([`Leases`]), and the
//! receipt pump ([`pump::Pump`]) that moves them from the account's feed onto that
//! connection, at least once and in order.

pub(crate) mod driver;
pub(crate) mod pump;

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::task::JoinSet;

/// The status text a receipt carries for a final status: SMPP's `stat:` and CMPP's Stat alike.
pub(crate) fn receipt_stat(status: hongyan_types::MessageStatus) -> &'static str {
    use hongyan_types::MessageStatus as S;
    match status {
        S::Delivered => "DELIVRD",
        S::Expired => "EXPIRED",
        S::Undelivered => "UNDELIV",
        S::Failed | S::Rejected => "REJECTD",
        _ => "UNKNOWN",
    }
}

/// The accounts whose receipts some connection of one server is delivering.
#[derive(Debug, Default)]
pub(crate) struct Leases {
    // std Mutex: an insert or remove, never held across an await.
    held: Mutex<HashSet<i64>>,
}

/// The right to deliver an account's receipts; given back when dropped (the connection ended).
#[derive(Debug)]
pub(crate) struct Lease {
    leases: Arc<Leases>,
    account: i64,
}

impl Leases {
    /// The account's lease, unless another connection holds it.
    pub(crate) fn take(self: &Arc<Self>, account: i64) -> Option<Lease> {
        let fresh = self.held.lock().expect("leases").insert(account);
        fresh.then(|| Lease { leases: self.clone(), account })
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.leases.held.lock().expect("leases").remove(&self.account);
    }
}

/// A client connection's byte stream: plain TCP, or TLS over it.
pub(crate) trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Io for T {}

/// Accepts connections until `shutdown` turns true, runs `connection` for each (after the TLS
/// handshake when `tls` is given), then waits for every connection to log out (each bounded by
/// its session's response timeout). The listener backs off when accepts fail and refuses
/// connections over its limits (see `hongyan_net`).
pub(crate) async fn accept_loop<F, Fut>(
    mut listener: hongyan_net::Listener,
    tls: Option<hongyan_net::ServerTls>,
    mut shutdown: watch::Receiver<bool>,
    name: &str,
    connection: F,
) where
    F: Fn(Box<dyn Io>, Option<std::net::IpAddr>, watch::Receiver<bool>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let connection = Arc::new(connection);
    let mut sessions = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let hongyan_net::Accepted { stream, peer, permit } = accepted;
                tracing::debug!(%peer, "{name}: client connected");
                let (connection, stop, tls, name) = (connection.clone(), shutdown.clone(), tls.clone(), name.to_owned());
                sessions.spawn(async move {
                    let _permit = permit;
                    let io: Box<dyn Io> = match hongyan_net::NetStream::accepted(stream, tls.as_ref(), hongyan_net::HANDSHAKE_LIMIT).await {
                        Ok(stream) => Box::new(stream),
                        Err(e) => return tracing::debug!(%peer, error = %e, "{name}: connection dropped"),
                    };
                    if let Err(e) = connection(io, Some(peer.ip()), stop).await {
                        tracing::debug!(error = %e, "{name}: client connection ended");
                    }
                });
            }
            Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
            _ = shutdown.changed() => break,
        }
    }
    while sessions.join_next().await.is_some() {}
}
