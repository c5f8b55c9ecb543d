//! Waiting on the gateway under test: until it is up, until a count reaches its target, until
//! its processes are idle.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::ensure;

use crate::load;
use crate::procs::Proc;
use crate::sink::SinkCounters;

/// Give up on a run whose count has not moved for this long.
pub(crate) const STALL: Duration = Duration::from_secs(60);
/// Longest wait for a peer to answer HTTP and bind to the sink.
const READY: Duration = Duration::from_secs(60);

/// Until the peer answers HTTP (any status: Kannel refuses a sendsms without a user) and
/// has bound to the sink more than `binds` times in all.
pub(crate) async fn ready(
    procs: &mut [Proc],
    http: SocketAddr,
    counters: &SinkCounters,
    binds: u64,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY;
    loop {
        for p in procs.iter_mut() {
            p.check_alive()?;
        }
        let bound = SinkCounters::get(&counters.binds) > binds;
        if bound && healthz(http).await.is_some() {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "not ready within {READY:?} (bound to the sink: {bound})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The status `GET /healthz` is answered with, if it is answered.
pub(crate) async fn healthz(http: SocketAddr) -> Option<u16> {
    let probe = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    load::once(http, probe).await.ok().map(|a| a.status)
}

/// Waits for `count` to reach `target` (submits at the sink, reports at the receiver); false
/// when it stops moving for `STALL` first.
pub(crate) async fn until(count: impl Fn() -> u64, target: u64) -> bool {
    let (mut last, mut since) = (count(), Instant::now());
    loop {
        let now = count();
        if now >= target {
            // A peer that re-sends would go past the target: give it a moment to show it.
            tokio::time::sleep(Duration::from_millis(500)).await;
            return true;
        }
        if now != last {
            (last, since) = (now, Instant::now());
        } else if since.elapsed() > STALL {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// The processes' CPU seconds once they are idle (under 10 ms in 200 ms, or 5 s at most):
/// work the gateway still does after the last submit (storing the responses) is part of
/// its cost per message.
pub(crate) async fn idle_cpu(procs: &[&Proc], ticks: f64) -> anyhow::Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut cpu = crate::procs::total_cpu(procs, ticks)?;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let next = crate::procs::total_cpu(procs, ticks)?;
        if next - cpu < 0.01 || Instant::now() > deadline {
            return Ok(next);
        }
        cpu = next;
    }
}
