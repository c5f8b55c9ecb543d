//! The side-by-side scenarios, `http-smpp` and `http-smpp-dlr`: the same single-message HTTP
//! load against each peer in turn, with the same sink and report receiver.

use std::sync::Arc;

use anyhow::Context;

use crate::peers::{self, Peer, Running};
use crate::receiver::{self, Reports};
use crate::report::{Row, Table};
use crate::sink::{self, SinkCounters};
use crate::timeline::{Moment, Timeline};
use crate::{load, procs, wait, Args, Scenario};

/// Where the peers under test meet the harness: the sink and the report receiver.
struct Ends {
    counters: Arc<SinkCounters>,
    reports: Arc<Reports>,
    timeline: Arc<Timeline>,
    receipts: bool,
}

/// Runs `scenario` against every peer asked for, one after the other, and prints its table.
pub(crate) async fn run(scenario: Scenario, args: &Args) -> anyhow::Result<Vec<Row>> {
    let messages = args.messages(scenario);
    let timeline = Arc::new(Timeline::new(messages));
    let counters = Arc::new(SinkCounters::new(Arc::clone(&timeline)));
    let sink = sink::start(Arc::clone(&counters), scenario.receipts()).await.context("starting the SMPP sink")?;
    let reports = Arc::new(Reports::new(Arc::clone(&timeline)));
    let receiver = receiver::start(Arc::clone(&reports)).await.context("starting the report receiver")?;
    let callback = scenario.receipts().then_some(receiver);
    let ends = Ends { counters, reports, timeline, receipts: scenario.receipts() };
    let mut rows = Vec::new();
    for &peer in &args.peers {
        let dir = args.data_dir(scenario, peer_tag(peer))?;
        // Read before the start: a peer may bind before `measure` looks.
        let binds = SinkCounters::get(&ends.counters.binds);
        ends.reports.reset();
        ends.timeline.reset();
        let mut running = match peer {
            Peer::Hongyan => peers::start_hongyan(&args.hongyan_bin, &dir, sink, callback)?,
            Peer::Kannel => peers::start_kannel(&dir, sink, callback)?,
        };
        let row = measure(peer, &mut running, &ends, binds, (messages, args.concurrency(scenario))).await;
        running.stop();
        args.done_with(&dir, peer.label(), row.is_ok());
        rows.push(row?);
    }
    let end = if scenario.receipts() { "every report received over HTTP" } else { "no receipts" };
    Table {
        scenario: scenario.name(),
        title: format!(
            "scenario {}: {messages} single-message requests, concurrency {}, one SMPP bind, window {}, {end}; \
             msg/s end to end",
            scenario.name(),
            args.concurrency(scenario),
            sink::WINDOW
        ),
        notes: Vec::new(),
        rows: &rows,
        reports: scenario.receipts(),
        params: vec![
            ("messages", messages.to_string()),
            ("concurrency", args.concurrency(scenario).to_string()),
            ("window", sink::WINDOW.to_string()),
        ],
    }
    .print();
    Ok(rows)
}

fn peer_tag(peer: Peer) -> &'static str {
    match peer {
        Peer::Hongyan => "hongyan",
        Peer::Kannel => "kannel",
    }
}

async fn measure(
    peer: Peer,
    running: &mut Running,
    ends: &Ends,
    binds: u64,
    (messages, concurrency): (u64, usize),
) -> anyhow::Result<Row> {
    let counters = &*ends.counters;
    wait::ready(&mut running.procs, running.http, counters, binds)
        .await
        .with_context(|| format!("{} did not come up", peer.label()))?;
    let (base, other_base) = (SinkCounters::get(&counters.submits), SinkCounters::get(&counters.other));
    let refused_base = SinkCounters::get(&counters.receipts_refused);
    let ticks = procs::clock_ticks();
    let procs: Vec<&procs::Proc> = running.procs.iter().collect();
    let cpu_before = procs::total_cpu(&procs, ticks)?;
    let make = Arc::clone(&running.make);
    let load = load::run(running.http, messages, concurrency, make, Arc::clone(&ends.timeline)).await;
    for s in &load.samples {
        eprintln!("{}: {s}", peer.label());
    }
    let submitted = wait::until(|| SinkCounters::get(&counters.submits), base + messages).await;
    let got = SinkCounters::get(&counters.submits) - base;
    let reported = !ends.receipts || wait::until(|| ends.reports.delivered(), messages).await;
    let started = load.started.context("no request was sent")?;
    let end = if ends.receipts { ends.reports.last() } else { counters.last_submit() };
    let seconds = end.saturating_duration_since(started).as_secs_f64();
    let cpu = wait::idle_cpu(&procs, ticks).await? - cpu_before;
    Ok(Row {
        peer: peer.label(),
        seconds,
        rate: got.min(messages) as f64 / seconds.max(f64::MIN_POSITIVE),
        cpu_per_1000: cpu * 1000.0 / messages as f64,
        rss_mib: procs::total_peak_rss_mib(&procs)?,
        http_failed: load.failed,
        missing: messages.saturating_sub(got),
        extra: got.saturating_sub(messages),
        other_pdus: SinkCounters::get(&counters.other) - other_base,
        reports_missing: if ends.receipts { messages.saturating_sub(ends.reports.delivered()) } else { 0 },
        receipts_refused: SinkCounters::get(&counters.receipts_refused) - refused_base,
        completed: submitted && reported,
        to_submit: ends.timeline.between(Moment::Sent, Moment::Submitted),
        to_report: ends.timeline.between(Moment::Sent, Moment::Reported),
        ..Row::default()
    })
}
