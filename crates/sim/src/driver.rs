//! The socket loop every simulated gateway connection runs, written once.
//!
//! A connection's state implements [`Driven`]: `step` acts on its session's events and sends
//! what is due, and says when it next needs waking; the driver writes what the session wants
//! sent, reads bytes into it, fires its timers, and turns shutdown into the protocol's logout.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

/// How often a connection looks for due reports even when nothing else happens.
const TICK: Duration = Duration::from_millis(20);

/// The simulator chose to drop the connection (`drop_every`).
pub(crate) struct Dropped;

/// A sans-I/O server session as the driver needs it.
pub(crate) trait SimSession {
    fn handle_input(&mut self, data: &[u8], now: std::time::Instant) -> Result<(), String>;
    fn handle_timeout(&mut self, now: std::time::Instant);
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    fn poll_timeout(&self) -> Option<std::time::Instant>;
    fn is_closed(&self) -> bool;
    /// The protocol's logout (TERMINATE, Exit, Unbind).
    fn logout(&mut self, now: std::time::Instant);
}

/// One connection's state beside its session.
pub(crate) trait Driven {
    type Session: SimSession;
    fn session(&mut self) -> &mut Self::Session;
    /// Handles events and sends what is due; returns when it next needs a look, if sooner
    /// than the tick.
    fn step(&mut self) -> Result<Option<Instant>, Dropped>;
    /// The simulator is stopping: reach a safe point and log out.
    fn shutdown(&mut self) {
        self.session().logout(Instant::now().into_std());
    }
}

/// Runs a connection until the peer leaves, the session closes, or the simulator drops it
/// (`Ok(true)` in that last case). Any byte stream does: TCP, TLS, or a pipe in a test.
pub(crate) async fn drive<D: Driven, S: AsyncRead + AsyncWrite>(
    conn: &mut D,
    stream: S,
    shutdown: &mut watch::Receiver<bool>,
    name: &str,
) -> std::io::Result<bool> {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let stepped = conn.step();
        while let Some(bytes) = conn.session().poll_transmit() {
            wr.write_all(&bytes).await?;
        }
        let Ok(next) = stepped else { return Ok(true) };
        if conn.session().is_closed() {
            return Ok(false);
        }
        let mut wake = Instant::now() + TICK;
        if let Some(t) = conn.session().poll_timeout() {
            wake = wake.min(Instant::from_std(t));
        }
        if let Some(t) = next {
            wake = wake.min(t);
        }
        tokio::select! {
            n = rd.read(&mut buf) => match n? {
                0 => return Ok(false),
                n => if let Err(e) = conn.session().handle_input(&buf[..n], Instant::now().into_std()) {
                    tracing::warn!(error = %e, "{name}: closing after a protocol error");
                },
            },
            _ = sleep_until(wake) => conn.session().handle_timeout(Instant::now().into_std()),
            _ = shutdown.changed() => conn.shutdown(),
        }
    }
}

macro_rules! sim_session {
    ($ty:ty, |$s:ident, $now:ident| $logout:expr) => {
        impl $crate::driver::SimSession for $ty {
            fn handle_input(&mut self, data: &[u8], now: std::time::Instant) -> Result<(), String> {
                <$ty>::handle_input(self, data, now).map_err(|e| e.to_string())
            }
            fn handle_timeout(&mut self, now: std::time::Instant) {
                <$ty>::handle_timeout(self, now)
            }
            fn poll_transmit(&mut self) -> Option<Vec<u8>> {
                <$ty>::poll_transmit(self)
            }
            fn poll_timeout(&self) -> Option<std::time::Instant> {
                <$ty>::poll_timeout(self)
            }
            fn is_closed(&self) -> bool {
                <$ty>::is_closed(self)
            }
            fn logout(&mut self, $now: std::time::Instant) {
                let $s = self;
                $logout
            }
        }
    };
}

sim_session!(hongyan_cmpp_proto::ServerSession, |s, now| s.terminate(now));
sim_session!(hongyan_smgp_proto::ServerSession, |s, now| s.exit(now));
sim_session!(hongyan_smpp_proto::SmscSession, |s, now| s.unbind(now));
sim_session!(hongyan_sgip_proto::ServerSession, |s, now| s.unbind(now, crate::sgip::mmddhhmmss()));
sim_session!(hongyan_sgip_proto::ClientSession, |s, now| s.unbind(now, crate::sgip::mmddhhmmss()));
