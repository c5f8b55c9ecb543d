//! [`Listener`]: a `TcpListener` that backs off on errors and applies [`ConnLimits`].

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};

use crate::limits::{ConnLimits, Counts, Permit, Refusal};

/// The first pause after a failed accept; doubled on each further failure.
const FIRST_PAUSE: Duration = Duration::from_millis(10);
/// The longest pause: a freed descriptor is picked up within a second.
const LONGEST_PAUSE: Duration = Duration::from_secs(1);
/// A repeated error or refusal is logged at most this often.
const LOG_EVERY: Duration = Duration::from_secs(10);

/// A connection admitted under the limits, with Nagle off. Keep `permit` for as long as the
/// connection lives.
#[derive(Debug)]
pub struct Accepted {
    /// The connection.
    pub stream: TcpStream,
    /// Who connected.
    pub peer: SocketAddr,
    /// Its place under the limits, freed when dropped.
    pub permit: Permit,
}

/// What one listener has done since it started.
#[derive(Debug)]
pub struct ListenerStats {
    name: String,
    addr: Option<SocketAddr>,
    counts: Arc<Counts>,
    accepted: AtomicU64,
    refused: AtomicU64,
    accept_errors: AtomicU64,
}

/// [`ListenerStats`] at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// The listener's name, such as `http` or `smpp-server`.
    pub name: String,
    /// Where it listens.
    pub addr: Option<SocketAddr>,
    /// Connections open now.
    pub open: usize,
    /// Connections admitted.
    pub accepted: u64,
    /// Connections closed at once for being over a limit.
    pub refused: u64,
    /// Failed accepts (out of descriptors, aborted handshakes, ...).
    pub accept_errors: u64,
}

impl ListenerStats {
    /// This listener's figures now.
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            name: self.name.clone(),
            addr: self.addr,
            open: self.counts.open(),
            accepted: self.accepted.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            accept_errors: self.accept_errors.load(Ordering::Relaxed),
        }
    }
}

/// The listeners alive in this process; weak, so a dropped listener leaves it.
pub(crate) fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::default)
}

/// See [`registry`].
#[derive(Debug, Default)]
pub(crate) struct Registry(Mutex<Vec<Weak<ListenerStats>>>);

impl Registry {
    /// Every live listener's figures.
    pub(crate) fn snapshots(&self) -> Vec<StatsSnapshot> {
        let mut all = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        all.retain(|w| w.strong_count() > 0);
        all.iter().filter_map(Weak::upgrade).map(|s| s.snapshot()).collect()
    }

    fn add(&self, stats: &Arc<ListenerStats>) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(Arc::downgrade(stats));
    }
}

/// A listening socket that never spins and never lets one source take every descriptor.
#[derive(Debug)]
pub struct Listener {
    inner: TcpListener,
    limits: ConnLimits,
    stats: Arc<ListenerStats>,
    refusal: Option<Arc<[u8]>>,
    errors_log: LogGate,
    refusals_log: LogGate,
}

impl Listener {
    /// Wraps a bound listener; `name` appears in logs and stats.
    pub fn new(inner: TcpListener, name: &str, limits: ConnLimits) -> Self {
        let stats = Arc::new(ListenerStats {
            name: name.to_owned(),
            addr: inner.local_addr().ok(),
            counts: Arc::default(),
            accepted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            accept_errors: AtomicU64::new(0),
        });
        registry().add(&stats);
        Self { inner, limits, stats, refusal: None, errors_log: LogGate::default(), refusals_log: LogGate::default() }
    }

    /// Bytes written (best effort, never waited for) to a refused connection before it is
    /// closed, such as an HTTP 503 answer.
    #[must_use]
    pub fn with_refusal(mut self, answer: &[u8]) -> Self {
        self.refusal = Some(answer.into());
        self
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// This listener's figures.
    pub fn stats(&self) -> Arc<ListenerStats> {
        self.stats.clone()
    }

    /// The next admitted connection. Cancel-safe: use it in `select!` with a shutdown signal.
    pub async fn accept(&mut self) -> Accepted {
        let mut pause = Duration::ZERO;
        loop {
            match self.inner.accept().await {
                Ok((stream, peer)) => {
                    pause = Duration::ZERO;
                    match self.stats.counts.admit(peer.ip(), self.limits) {
                        Ok(permit) => {
                            self.stats.accepted.fetch_add(1, Ordering::Relaxed);
                            // Every protocol here is request and answer: small writes go out
                            // at once rather than wait for Nagle's timer.
                            let _ = stream.set_nodelay(true);
                            return Accepted { stream, peer, permit };
                        }
                        Err(why) => self.refuse(stream, peer, why),
                    }
                }
                Err(e) => {
                    self.stats.accept_errors.fetch_add(1, Ordering::Relaxed);
                    if is_per_connection(&e) {
                        continue;
                    }
                    pause = (pause * 2).clamp(FIRST_PAUSE, LONGEST_PAUSE);
                    if let Some(quiet) = self.errors_log.open(Instant::now()) {
                        tracing::warn!(listener = %self.stats.name, error = %e, suppressed = quiet,
                            pause_ms = pause.as_millis() as u64, "accept failed; backing off");
                    }
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }

    fn refuse(&mut self, stream: TcpStream, peer: SocketAddr, why: Refusal) {
        self.stats.refused.fetch_add(1, Ordering::Relaxed);
        if let Some(answer) = &self.refusal {
            let _ = stream.try_write(answer);
        }
        if let Some(quiet) = self.refusals_log.open(Instant::now()) {
            let limit = match why {
                Refusal::Total => format!("{} connections on this listener", self.limits.total),
                Refusal::PerSource => format!("{} connections from one address", self.limits.per_source),
            };
            tracing::warn!(listener = %self.stats.name, %peer, suppressed = quiet, "connection refused: over {limit}");
        }
    }
}

impl From<TcpListener> for Listener {
    /// A listener with the default limits, named by its address.
    fn from(inner: TcpListener) -> Self {
        let name = inner.local_addr().map_or_else(|_| "tcp".to_owned(), |a| a.to_string());
        Self::new(inner, &name, ConnLimits::default())
    }
}

/// Errors that concern only the connection being accepted; the next accept may well work.
fn is_per_connection(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionRefused
            | ErrorKind::Interrupted
    )
}

/// Lets one line through per [`LOG_EVERY`], and counts the ones it held back.
#[derive(Debug, Default)]
struct LogGate {
    last: Option<Instant>,
    quiet: u64,
}

impl LogGate {
    /// `Some(lines kept quiet since the last one)` when this one may be logged.
    fn open(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.duration_since(last) < LOG_EVERY => {
                self.quiet += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.quiet))
            }
        }
    }
}

#[cfg(test)]
mod tests;
