//! What every Hongyan-only scenario sets up: the sink (with or without receipts), the report
//! receiver, the timeline, a fresh data folder, and the CPU meter of the server's process.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;

use crate::hongyan::Setup;
use crate::peers::Running;
use crate::procs::{self, Proc};
use crate::receiver::{self, Reports};
use crate::sink::{self, SinkCounters};
use crate::timeline::Timeline;
use crate::{wait, Args, Scenario};

/// The harness's ends of one scenario.
pub(crate) struct Solo {
    pub(crate) timeline: Arc<Timeline>,
    pub(crate) counters: Arc<SinkCounters>,
    pub(crate) reports: Arc<Reports>,
    sink: SocketAddr,
    receiver: SocketAddr,
    /// Binds of the channel to the sink.
    links: u32,
    pub(crate) dir: PathBuf,
}

impl Solo {
    /// A timeline of `messages` slots; the sink sends a receipt per submit when `receipts`.
    pub(crate) async fn start(args: &Args, scenario: Scenario, messages: u64, receipts: bool) -> anyhow::Result<Self> {
        let timeline = Arc::new(Timeline::new(messages));
        let counters = Arc::new(SinkCounters::new(Arc::clone(&timeline)));
        let sink = sink::start(Arc::clone(&counters), receipts).await.context("starting the SMPP sink")?;
        let reports = Arc::new(Reports::new(Arc::clone(&timeline)));
        let receiver = receiver::start(Arc::clone(&reports)).await.context("starting the report receiver")?;
        let dir = args.data_dir(scenario, "hongyan")?;
        Ok(Self { timeline, counters, reports, sink, receiver, dir, links: args.links(scenario) })
    }

    /// Hongyan's setup for this run: `extra` appended to its config; reports pushed to the
    /// receiver when `callback`.
    pub(crate) fn setup<'a>(&'a self, args: &'a Args, extra: &str, callback: bool) -> Setup<'a> {
        Setup {
            bin: &args.hongyan_bin,
            dir: &self.dir,
            sink: self.sink,
            extra: extra.to_owned(),
            callback: callback.then_some(self.receiver),
            links: self.links,
        }
    }

    /// Until the server answers HTTP and has made every bind to the sink.
    pub(crate) async fn ready(&self, running: &mut Running) -> anyhow::Result<()> {
        let before = u64::from(self.links) - 1;
        wait::ready(&mut running.procs, running.http, &self.counters, before).await.context("hongyan did not come up")
    }

    /// Stops the server and removes the data folder (kept when the run failed or `--keep`).
    pub(crate) fn finish(&self, args: &Args, running: &mut Running, ok: bool) {
        running.stop();
        args.done_with(&self.dir, "Hongyan", ok);
    }

    /// submit_sm received at the sink so far.
    pub(crate) fn submits(&self) -> u64 {
        SinkCounters::get(&self.counters.submits)
    }
}

/// CPU seconds of processes from a starting point.
pub(crate) struct Meter {
    ticks: f64,
    before: f64,
}

impl Meter {
    pub(crate) fn start(procs: &[Proc]) -> anyhow::Result<Self> {
        let ticks = procs::clock_ticks();
        let refs: Vec<&Proc> = procs.iter().collect();
        Ok(Self { ticks, before: procs::total_cpu(&refs, ticks)? })
    }

    /// CPU seconds per 1,000 of `messages` once the processes are idle.
    pub(crate) async fn per_1000(&self, procs: &[Proc], messages: u64) -> anyhow::Result<f64> {
        let refs: Vec<&Proc> = procs.iter().collect();
        let cpu = wait::idle_cpu(&refs, self.ticks).await? - self.before;
        Ok(cpu * 1000.0 / messages.max(1) as f64)
    }
}

/// Peak RSS of the processes, in MiB.
pub(crate) fn peak_rss_mib(procs: &[Proc]) -> anyhow::Result<f64> {
    let refs: Vec<&Proc> = procs.iter().collect();
    procs::total_peak_rss_mib(&refs)
}

/// Per second over `seconds`, NaN when no time passed.
pub(crate) fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        f64::NAN
    }
}
