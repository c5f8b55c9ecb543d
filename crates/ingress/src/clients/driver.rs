//! The socket loop of a client connection, written once for SMPP and CMPP: write what the
//! session wants sent, let the connection act on its events and move receipts, read, fire
//! timers, answer submits as the engine finishes them, and log out on shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::Engine;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{sleep_until, Instant};

/// Longest sleep: leases and back-offs are looked at again this often.
const TICK: Duration = Duration::from_secs(1);

/// How long a client gets to answer our logout on shutdown before its connection is closed
/// anyway: a client that never answers must not hold the platform's stop for the protocol's
/// whole response time-out (a minute for CMPP). Receipts it has not acknowledged stay owed.
const LOGOUT_LIMIT: Duration = Duration::from_secs(3);

/// A sans-I/O server session as the driver needs it.
pub(crate) trait ServerIo {
    /// The next frame to write.
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    /// The session is over.
    fn is_closed(&self) -> bool;
    /// When its timers next fire.
    fn poll_timeout(&self) -> Option<std::time::Instant>;
    /// Bytes read from the socket.
    fn handle_input(&mut self, data: &[u8], now: std::time::Instant) -> Result<(), String>;
    /// Fires due timers.
    fn handle_timeout(&mut self, now: std::time::Instant);
    /// The protocol's logout (unbind, TERMINATE).
    fn logout(&mut self, now: std::time::Instant);
}

macro_rules! server_io {
    ($ty:ty, $logout:ident) => {
        impl ServerIo for $ty {
            fn poll_transmit(&mut self) -> Option<Vec<u8>> {
                <$ty>::poll_transmit(self)
            }
            fn is_closed(&self) -> bool {
                <$ty>::is_closed(self)
            }
            fn poll_timeout(&self) -> Option<std::time::Instant> {
                <$ty>::poll_timeout(self)
            }
            fn handle_input(&mut self, data: &[u8], now: std::time::Instant) -> Result<(), String> {
                <$ty>::handle_input(self, data, now).map_err(|e| e.to_string())
            }
            fn handle_timeout(&mut self, now: std::time::Instant) {
                <$ty>::handle_timeout(self, now)
            }
            fn logout(&mut self, now: std::time::Instant) {
                <$ty>::$logout(self, now)
            }
        }
    };
}

server_io!(hongyan_smpp_proto::SmscSession, unbind);
server_io!(hongyan_cmpp_proto::ServerSession, terminate);

/// A client connection over its sans-I/O server session.
pub(crate) trait ClientConn {
    /// A finished submit, ready to be answered.
    type Answer: Send + 'static;
    /// The protocol's server session.
    type Session: ServerIo;
    /// The session, to drive.
    fn session(&mut self) -> &mut Self::Session;
    /// The session, to look at.
    fn session_ref(&self) -> &Self::Session;
    /// Acts on the session's events (starting submits in `submits`) and moves receipts.
    fn step(&mut self, submits: &mut JoinSet<Self::Answer>) -> impl Future<Output = ()> + Send;
    /// Answers a finished submit.
    fn answer(&mut self, answer: Self::Answer);
    /// True when new feed events would be delivered now.
    fn waits_for_feed(&self) -> bool;
    /// The engine, whose feed wakes the connection.
    fn engine(&self) -> &Arc<Engine>;
}

/// Runs `conn` over `stream` until the session closes or the peer leaves. Submits still in the
/// engine then finish on their own; only their answers are lost.
pub(crate) async fn drive<C: ClientConn>(
    mut conn: C,
    stream: Box<dyn super::Io>,
    mut shutdown: watch::Receiver<bool>,
    name: &str,
) -> std::io::Result<()> {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut submits = JoinSet::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut stopping = *shutdown.borrow();
    let mut give_up_at: Option<Instant> = None;
    let engine = conn.engine().clone();
    let result = loop {
        // Registered before the step reads the feed: a report stored while it reads still
        // wakes the wait below (a `notify_waiters` reaches only registered waiters; one that
        // came between two waits used to cost a whole tick, about a second).
        let fed = engine.feed_changed().notified();
        tokio::pin!(fed);
        fed.as_mut().enable();
        conn.step(&mut submits).await;
        // Answers and receipts queued together go out in one write, not a system call each.
        if let Some(out) = hongyan_wire::gather(|| conn.session().poll_transmit()) {
            wr.write_all(&out).await?;
        }
        if conn.session_ref().is_closed() {
            break Ok(());
        }
        if give_up_at.is_some_and(|t| Instant::now() >= t) {
            break Ok(());
        }
        let mut wake = give_up_at.map_or(Instant::now() + TICK, |t| t.min(Instant::now() + TICK));
        if let Some(t) = conn.session_ref().poll_timeout() {
            wake = wake.min(Instant::from_std(t));
        }
        let waits = conn.waits_for_feed();
        tokio::select! {
            n = rd.read(&mut buf) => match n {
                Ok(0) => break Ok(()),
                Ok(n) => if let Err(e) = conn.session().handle_input(&buf[..n], Instant::now().into_std()) {
                    tracing::warn!(error = %e, "{name}: closing after a protocol error");
                },
                Err(e) => break Err(e),
            },
            Some(done) = submits.join_next(), if !submits.is_empty() => {
                if let Ok(answer) = done {
                    conn.answer(answer);
                }
            }
            () = &mut fed, if waits => {}
            _ = sleep_until(wake) => conn.session().handle_timeout(Instant::now().into_std()),
            _ = shutdown.changed(), if !stopping => {
                stopping = true;
                give_up_at = Some(Instant::now() + LOGOUT_LIMIT);
                conn.session().logout(Instant::now().into_std());
            }
        }
    };
    submits.detach_all();
    result
}
