//! Hongyan against Kannel 1.4.5 (Debian's package), same load, same SMPP sink, same run
//! (issue 14's peer comparison).
//!
//! N single-message HTTP requests (default 20,000) from C keep-alive connections (default
//! 50) → the gateway → one SMPP bind with window 100 → a sink that answers every submit_sm
//! ESME_ROK with a message_id. Scenario `http-smpp`: the sink sends no receipts.
//! `http-smpp-dlr`: it sends one DELIVRD receipt per submit, and the gateway pushes each
//! report to an HTTP receiver in the harness (Hongyan's account callback, Kannel's dlr-url).
//! Each peer runs as its own processes (`hongyan serve` from this tree's release build;
//! Kannel's bearerbox and smsbox, installed with apt-get when missing) against a fresh data
//! folder, one after the other.
//!
//! Measured per peer: msg/s end to end (first request written → the sink received the N-th
//! submit_sm, or the receiver the N-th delivered report); latency per message (request
//! written → submit_sm → report); CPU seconds per 1,000 messages of the gateway's processes
//! (utime + stime from /proc before the load and once the gateway is idle after it); peak RSS
//! (VmHWM, summed over the processes); errors (non-2xx answers, broken requests, submits
//! missing or extra, anything but submit_sm reaching the sink, reports missing or receipts
//! refused), which must be 0: the run exits non-zero if not. Printed per scenario as one
//! Markdown table with the Hongyan/Kannel ratio, then one JSON line.
//!
//! Run: `cargo build --release -p hongyan` at the root, then
//! `cd bench && cargo run --release --bin versus -- --scenario all --peer both --messages 20000`.
//! `--quick` is the test suite's scaled-down run: both scenarios, 500 messages, concurrency
//! 10, Kannel only when it is already installed.

mod load;
mod peers;
mod procs;
mod receiver;
mod sink;
mod timeline;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};

use peers::{Peer, Running};
use receiver::Reports;
use sink::SinkCounters;
use timeline::{Moment, Percentiles, Timeline};

/// Give up on a run whose sink has seen no new submit for this long.
const STALL: Duration = Duration::from_secs(60);
/// Longest wait for a peer to answer HTTP and bind to the sink.
const READY: Duration = Duration::from_secs(60);

/// A load shape (issue 14's table rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// No receipts: the clock stops at the sink's N-th submit_sm.
    HttpSmpp,
    /// The sink sends a DELIVRD receipt per submit; the peer forwards each report to an HTTP
    /// receiver (Hongyan's account callback, Kannel's dlr-url); the clock stops at the N-th
    /// number reported delivered there.
    HttpSmppDlr,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::HttpSmpp => "http-smpp",
            Self::HttpSmppDlr => "http-smpp-dlr",
        }
    }

    fn receipts(self) -> bool {
        self == Self::HttpSmppDlr
    }
}

struct Args {
    scenarios: Vec<Scenario>,
    messages: u64,
    concurrency: usize,
    peers: Vec<Peer>,
    /// Kannel is skipped (not installed) when missing: the quick run must not need apt.
    kannel_optional: bool,
    hongyan_bin: PathBuf,
    keep: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    use lexopt::prelude::*;
    let (mut messages, mut concurrency, mut peer, mut quick, mut bin, mut keep) =
        (None, None, None, false, None, false);
    let mut scenario = None;
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("messages") => messages = Some(parser.value()?.parse()?),
            Long("concurrency") => concurrency = Some(parser.value()?.parse()?),
            Long("peer") => peer = Some(parser.value()?.string()?),
            Long("scenario") => scenario = Some(parser.value()?.string()?),
            Long("quick") => quick = true,
            Long("hongyan-bin") => bin = Some(PathBuf::from(parser.value()?)),
            Long("keep") => keep = true,
            Long("help") | Short('h') => {
                println!(
                    "usage: versus [--scenario http-smpp|http-smpp-dlr|all] [--peer hongyan|kannel|both]\n\
                     \x20             [--messages N] [--concurrency C] [--quick]\n\
                     \x20             [--hongyan-bin PATH] [--keep (leave the data folders)]"
                );
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    let peers = match peer.as_deref().unwrap_or("both") {
        "hongyan" => vec![Peer::Hongyan],
        "kannel" => vec![Peer::Kannel],
        "both" => vec![Peer::Hongyan, Peer::Kannel],
        other => bail!("unknown peer `{other}`: expected hongyan, kannel or both"),
    };
    let scenarios = match scenario.as_deref().unwrap_or(if quick { "all" } else { "http-smpp" }) {
        "http-smpp" => vec![Scenario::HttpSmpp],
        "http-smpp-dlr" => vec![Scenario::HttpSmppDlr],
        "all" => vec![Scenario::HttpSmpp, Scenario::HttpSmppDlr],
        other => bail!("unknown scenario `{other}`: expected http-smpp, http-smpp-dlr or all"),
    };
    let args = Args {
        scenarios,
        messages: messages.unwrap_or(if quick { 500 } else { 20_000 }),
        concurrency: concurrency.unwrap_or(if quick { 10 } else { 50 }),
        kannel_optional: quick && peer.is_none(),
        hongyan_bin: bin.map_or_else(|| default_bin(quick), Ok)?,
        peers,
        keep,
    };
    ensure!(args.messages > 0 && args.concurrency > 0, "--messages and --concurrency must be at least 1");
    Ok(args)
}

/// The release build at the root of this tree; the quick run also takes the debug build.
fn default_bin(quick: bool) -> anyhow::Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target");
    let profiles: &[&str] = if quick { &["release", "debug"] } else { &["release"] };
    profiles.iter().map(|p| root.join(p).join("hongyan")).find(|p| p.exists()).with_context(|| {
        format!("no hongyan binary under {}: run `cargo build --release -p hongyan` at the root first", root.display())
    })
}

/// One peer's figures.
#[derive(Debug, Default)]
struct Row {
    peer: &'static str,
    seconds: f64,
    rate: f64,
    cpu_per_1000: f64,
    rss_mib: f64,
    http_failed: u64,
    missing: u64,
    extra: u64,
    other_pdus: u64,
    /// Numbers not reported delivered at the receiver (the receipts scenario).
    reports_missing: u64,
    /// Request written → its submit_sm at the sink.
    to_submit: Option<Percentiles>,
    /// Request written → its report at the receiver (the receipts scenario).
    to_report: Option<Percentiles>,
    /// Receipts the peer refused at the sink.
    receipts_refused: u64,
    completed: bool,
}

impl Row {
    fn errors(&self) -> u64 {
        self.http_failed + self.missing + self.extra + self.other_pdus + self.reports_missing + self.receipts_refused
    }
}

fn main() -> anyhow::Result<()> {
    let mut args = parse_args()?;
    if args.peers.contains(&Peer::Kannel) && !peers::kannel_installed() {
        if args.kannel_optional {
            eprintln!("kannel is not installed: the quick run measures Hongyan alone");
            args.peers.retain(|p| *p != Peer::Kannel);
        } else {
            peers::install_kannel()?;
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut rows = Vec::new();
    for &scenario in &args.scenarios {
        let scenario_rows = runtime.block_on(run_scenario(scenario, &args))?;
        print_table(scenario, &args, &scenario_rows);
        rows.extend(scenario_rows);
    }
    let errors: u64 = rows.iter().map(Row::errors).sum();
    ensure!(errors == 0 && rows.iter().all(|r| r.completed), "the run had {errors} errors");
    Ok(())
}

/// Where the peers under test meet the harness: the sink and the report receiver.
struct Ends {
    counters: Arc<SinkCounters>,
    reports: Arc<Reports>,
    timeline: Arc<Timeline>,
    receipts: bool,
}

async fn run_scenario(scenario: Scenario, args: &Args) -> anyhow::Result<Vec<Row>> {
    let timeline = Arc::new(Timeline::new(args.messages));
    let counters = Arc::new(SinkCounters::new(Arc::clone(&timeline)));
    let sink = sink::start(Arc::clone(&counters), scenario.receipts()).await.context("starting the SMPP sink")?;
    let reports = Arc::new(Reports::new(Arc::clone(&timeline)));
    let receiver = receiver::start(Arc::clone(&reports)).await.context("starting the report receiver")?;
    let callback = scenario.receipts().then_some(receiver);
    let ends = Ends { counters, reports, timeline, receipts: scenario.receipts() };
    let mut rows = Vec::new();
    for &peer in &args.peers {
        let tag = format!("{}-{}-{}", std::process::id(), scenario.name(), peer_tag(peer));
        let dir = std::env::temp_dir().join(format!("hongyan-versus-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        // Read before the start: a peer may bind before `measure` looks.
        let binds = SinkCounters::get(&ends.counters.binds);
        ends.reports.reset();
        ends.timeline.reset();
        let mut running = match peer {
            Peer::Hongyan => peers::start_hongyan(&args.hongyan_bin, &dir, sink, callback)?,
            Peer::Kannel => peers::start_kannel(&dir, sink, callback)?,
        };
        let row = measure(peer, &mut running, &ends, binds, args).await;
        running.stop();
        if row.is_err() || args.keep {
            eprintln!("{}: logs and data kept in {}", peer.label(), dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&dir);
        }
        rows.push(row?);
    }
    Ok(rows)
}

fn peer_tag(peer: Peer) -> &'static str {
    match peer {
        Peer::Hongyan => "hongyan",
        Peer::Kannel => "kannel",
    }
}

async fn measure(peer: Peer, running: &mut Running, ends: &Ends, binds: u64, args: &Args) -> anyhow::Result<Row> {
    let counters = &*ends.counters;
    wait_ready(running, counters, binds).await.with_context(|| format!("{} did not come up", peer.label()))?;
    let (base, other_base) = (SinkCounters::get(&counters.submits), SinkCounters::get(&counters.other));
    let refused_base = SinkCounters::get(&counters.receipts_refused);
    let ticks = procs::clock_ticks();
    let procs: Vec<&procs::Proc> = running.procs.iter().collect();
    let cpu_before = procs::total_cpu(&procs, ticks)?;
    let make = Arc::clone(&running.make);
    let load = load::run(running.http, args.messages, args.concurrency, make, Arc::clone(&ends.timeline)).await;
    for s in &load.samples {
        eprintln!("{}: {s}", peer.label());
    }
    let submitted = wait_for(|| SinkCounters::get(&counters.submits), base + args.messages).await;
    let got = SinkCounters::get(&counters.submits) - base;
    let reported = !ends.receipts || wait_for(|| ends.reports.delivered(), args.messages).await;
    let started = load.started.context("no request was sent")?;
    let end = if ends.receipts { ends.reports.last() } else { counters.last_submit() };
    let seconds = end.saturating_duration_since(started).as_secs_f64();
    let cpu = wait_idle(&procs, ticks).await? - cpu_before;
    Ok(Row {
        peer: peer.label(),
        seconds,
        rate: got.min(args.messages) as f64 / seconds.max(f64::MIN_POSITIVE),
        cpu_per_1000: cpu * 1000.0 / args.messages as f64,
        rss_mib: procs::total_peak_rss_mib(&procs)?,
        http_failed: load.failed,
        missing: args.messages.saturating_sub(got),
        extra: got.saturating_sub(args.messages),
        other_pdus: SinkCounters::get(&counters.other) - other_base,
        reports_missing: if ends.receipts { args.messages.saturating_sub(ends.reports.delivered()) } else { 0 },
        receipts_refused: SinkCounters::get(&counters.receipts_refused) - refused_base,
        completed: submitted && reported,
        to_submit: ends.timeline.between(Moment::Sent, Moment::Submitted),
        to_report: ends.timeline.between(Moment::Sent, Moment::Reported),
    })
}

/// Until the peer answers HTTP (any status: Kannel refuses a sendsms without a user) and
/// has bound to the sink.
async fn wait_ready(running: &mut Running, counters: &SinkCounters, binds: u64) -> anyhow::Result<()> {
    let deadline = Instant::now() + READY;
    let probe = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    loop {
        for p in &mut running.procs {
            p.check_alive()?;
        }
        let bound = SinkCounters::get(&counters.binds) > binds;
        if bound && load::once(running.http, probe).await.is_ok() {
            return Ok(());
        }
        ensure!(Instant::now() < deadline, "not ready within {READY:?} (bound to the sink: {bound})");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for `count` to reach `target` (submits at the sink, reports at the receiver); false
/// when it stops moving first.
async fn wait_for(count: impl Fn() -> u64, target: u64) -> bool {
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
async fn wait_idle(procs: &[&procs::Proc], ticks: f64) -> anyhow::Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut cpu = procs::total_cpu(procs, ticks)?;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let next = procs::total_cpu(procs, ticks)?;
        if next - cpu < 0.01 || Instant::now() > deadline {
            return Ok(next);
        }
        cpu = next;
    }
}

fn print_table(scenario: Scenario, args: &Args, rows: &[Row]) {
    let end = if scenario.receipts() { "every report received over HTTP" } else { "no receipts" };
    println!(
        "scenario {}: {} single-message requests, concurrency {}, one SMPP bind, window {}, {end}",
        scenario.name(),
        args.messages,
        args.concurrency,
        sink::WINDOW
    );
    println!();
    // The report column only where there are reports.
    let reports = scenario.receipts();
    let mut head = "| peer | msg/s end to end | seconds | CPU s / 1000 msg | peak RSS MB | errors \
                    | request → submit ms p50 / p99 / max |"
        .to_owned();
    let mut rule = "|---|---:|---:|---:|---:|---:|---:|".to_owned();
    if reports {
        head.push_str(" request → report ms p50 / p99 / max |");
        rule.push_str("---:|");
    }
    println!("{head}\n{rule}");
    for r in rows {
        let mut line = format!(
            "| {} | {:.0} | {:.2} | {:.3} | {:.1} | {} | {} |",
            r.peer,
            r.rate,
            r.seconds,
            r.cpu_per_1000,
            r.rss_mib,
            r.errors(),
            cell(r.to_submit)
        );
        if reports {
            line.push_str(&format!(" {} |", cell(r.to_report)));
        }
        println!("{line}");
    }
    let ratio = ratio(rows);
    if let Some((rate, cpu, rss)) = ratio {
        println!("| Hongyan / Kannel | {rate:.2}× | | {cpu:.2}× | {rss:.2}× | | |{}", if reports { " |" } else { "" });
    }
    println!();
    println!("{}", json(scenario, args, rows, ratio));
}

fn cell(p: Option<Percentiles>) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{:.1} / {:.1} / {:.1}", p.p50, p.p99, p.max))
}

fn json_percentiles(p: Option<Percentiles>) -> String {
    p.map_or_else(
        || "null".to_owned(),
        |p| format!(r#"{{"p50":{:.2},"p99":{:.2},"p99_9":{:.2},"max":{:.2}}}"#, p.p50, p.p99, p.p999, p.max),
    )
}

/// Hongyan's figures over Kannel's: msg/s, CPU per message, peak RSS.
fn ratio(rows: &[Row]) -> Option<(f64, f64, f64)> {
    let [h, k] = rows else { return None };
    Some((h.rate / k.rate, h.cpu_per_1000 / k.cpu_per_1000, h.rss_mib / k.rss_mib))
}

fn json(scenario: Scenario, args: &Args, rows: &[Row], ratio: Option<(f64, f64, f64)>) -> String {
    let mut peers = String::new();
    for (i, r) in rows.iter().enumerate() {
        let _ = write!(
            peers,
            r#"{}{{"peer":"{}","completed":{},"msg_per_s":{:.1},"seconds":{:.3},"cpu_s_per_1000":{:.4},"peak_rss_mb":{:.1},"errors":{},"http_failed":{},"missing":{},"extra":{},"other_pdus":{},"reports_missing":{},"receipts_refused":{},"request_to_submit_ms":{},"request_to_report_ms":{}}}"#,
            if i > 0 { "," } else { "" },
            r.peer,
            r.completed,
            r.rate,
            r.seconds,
            r.cpu_per_1000,
            r.rss_mib,
            r.errors(),
            r.http_failed,
            r.missing,
            r.extra,
            r.other_pdus,
            r.reports_missing,
            r.receipts_refused,
            json_percentiles(r.to_submit),
            json_percentiles(r.to_report)
        );
    }
    let ratio = ratio.map_or_else(
        || "null".to_owned(),
        |(rate, cpu, rss)| format!(r#"{{"msg_per_s":{rate:.3},"cpu_per_msg":{cpu:.3},"peak_rss":{rss:.3}}}"#),
    );
    format!(
        r#"{{"scenario":"{}","messages":{},"concurrency":{},"window":{},"peers":[{peers}],"ratio_hongyan_over_kannel":{ratio}}}"#,
        scenario.name(),
        args.messages,
        args.concurrency,
        sink::WINDOW
    )
}
