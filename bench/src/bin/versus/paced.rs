//! Paced loads, Hongyan alone (Kannel has no lanes, no categories):
//!
//! - `steady`: N single-message requests paced at 1,000 a second (request `i` is due `i` ms
//!   after the start, from C connections so a slow answer does not hold the next one back).
//!   Headline: request written → its submit_sm at the sink, p99 (target ≤ 10 ms).
//! - `verify-bulk`: a bulk job of M numbers (marketing, quiet hours off) sent as requests of
//!   10,000 numbers one after the other on one connection, while verification codes are sent
//!   at 50 a second (single-number requests on 4 connections) until the bulk job's last
//!   number has been submitted. Headline: the codes' request → submit p99 (target ≤ 50 ms);
//!   the rate is the bulk job's (first bulk request → its last number at the sink).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::batch::{quantile_ms, samples, since_last};
use crate::hongyan::{numbers, request};
use crate::load::{self, LoadOutcome, MakeRequest, Plan};
use crate::peers::Running;
use crate::report::{Extra, Row, Table};
use crate::sink::{SinkCounters, WINDOW};
use crate::solo::{peak_rss_mib, per_second, Meter, Solo};
use crate::timeline::Moment;
use crate::{kannel_note, wait, Args, Scenario};

/// The steady load's pace: one request a millisecond.
const STEADY_EVERY: Duration = Duration::from_millis(1);
/// Verification codes during the bulk job: one every 20 ms.
const CODE_EVERY: Duration = Duration::from_millis(20);
/// Numbers per bulk request.
const CHUNK: u64 = 10_000;
/// Codes are sent for at least this long, however fast a small bulk job goes.
const CODES_AT_LEAST: Duration = Duration::from_secs(2);

pub(crate) async fn steady(args: &Args) -> anyhow::Result<Row> {
    let total = args.messages(Scenario::Steady);
    let concurrency = args.concurrency(Scenario::Steady);
    let solo = Solo::start(args, Scenario::Steady, total, false).await?;
    let prepared = solo.setup(args, "", false).prepare()?;
    let mut running = prepared.start()?;
    let row = measure_steady(&solo, &mut running, total, concurrency).await;
    solo.finish(args, &mut running, row.is_ok());
    let row = row?;
    Table {
        scenario: Scenario::Steady.name(),
        title: format!(
            "scenario steady: {total} single-message requests paced at 1,000/s, {concurrency} connections, one SMPP \
             bind, window {WINDOW}, no receipts; msg/s: first request → last submit_sm (the pace caps it)"
        ),
        notes: kannel_note(args, "this scenario measures Hongyan's latency at a fixed pace only"),
        rows: std::slice::from_ref(&row),
        reports: false,
        params: vec![
            ("messages", total.to_string()),
            ("concurrency", concurrency.to_string()),
            ("pace_per_s", "1000".into()),
        ],
    }
    .print();
    Ok(row)
}

pub(crate) async fn measure_steady(solo: &Solo, running: &mut Running, total: u64, concurrency: usize) -> anyhow::Result<Row> {
    solo.ready(running).await?;
    let meter = Meter::start(&running.procs)?;
    let plan = Plan { interval: Some(STEADY_EVERY), ..Plan::flat(total, concurrency) };
    let load = load::run_plan(running.http, plan, Arc::clone(&running.make), Arc::clone(&solo.timeline)).await;
    samples(&load);
    let submitted = wait::until(|| solo.submits(), total).await;
    let started = load.started.context("no request was sent")?;
    let got = solo.submits();
    let seconds = solo.counters.last_submit().saturating_duration_since(started).as_secs_f64();
    let answers: Vec<Duration> = load.answers.iter().map(|a| a.1).collect();
    let behind_ms = load.most_behind.as_secs_f64() * 1e3;
    Ok(Row {
        peer: "Hongyan",
        seconds,
        rate: per_second(got.min(total), seconds),
        cpu_per_1000: meter.per_1000(&running.procs, total).await?,
        rss_mib: peak_rss_mib(&running.procs)?,
        http_failed: load.failed,
        refused: load.refused,
        missing: total.saturating_sub(got),
        extra: got.saturating_sub(total),
        other_pdus: SinkCounters::get(&solo.counters.other),
        completed: submitted && load.failed == 0,
        to_submit: solo.timeline.between(Moment::Sent, Moment::Submitted),
        extras: vec![
            Extra::new("answer ms p99", "answer_ms_p99", quantile_ms(&answers, 0.99), 1),
            Extra::new("generator behind ms max", "generator_behind_ms_max", behind_ms, 1),
        ],
        ..Row::default()
    })
}

pub(crate) async fn verify_bulk(args: &Args) -> anyhow::Result<Row> {
    let asked = args.messages(Scenario::VerifyBulk);
    let chunk = CHUNK.min(asked);
    let bulk = asked.div_ceil(chunk) * chunk;
    // At 50 a second for as long as the bulk job takes at 1,000 msg/s at worst, or 2 s.
    let room = bulk / 20 + 200;
    let solo = Solo::start(args, Scenario::VerifyBulk, bulk + room, false).await?;
    let prepared = solo.setup(args, "[content]\nmarketing_quiet_hours = \"none\"\n", false).prepare()?;
    let mut running = prepared.start()?;
    let row = measure_verify_bulk(&solo, &prepared.auth, &mut running, (bulk, chunk, room)).await;
    solo.finish(args, &mut running, row.is_ok());
    let row = row?;
    Table {
        scenario: Scenario::VerifyBulk.name(),
        title: format!(
            "scenario verify-bulk: a bulk job of {bulk} marketing numbers in requests of {chunk}, one after the other, \
             with verification codes at 50/s until its last number is submitted; one SMPP bind, window {WINDOW}; \
             msg/s: the bulk job's (first request → its last submit_sm); request → submit: the codes only"
        ),
        notes: kannel_note(args, "Kannel has no categories or lanes to let a code overtake a bulk job"),
        rows: std::slice::from_ref(&row),
        reports: false,
        params: vec![("messages", bulk.to_string()), ("chunk", chunk.to_string()), ("code_pace_per_s", "50".into())],
    }
    .print();
    Ok(row)
}

async fn measure_verify_bulk(
    solo: &Solo,
    auth: &str,
    running: &mut Running,
    (bulk, chunk, room): (u64, u64, u64),
) -> anyhow::Result<Row> {
    solo.ready(running).await?;
    let meter = Meter::start(&running.procs)?;
    let (bulk_load, codes) = both_loads(solo, auth, running.http, (bulk, chunk, room)).await?;
    samples(&bulk_load);
    samples(&codes);
    let sent = codes.answers.len() as u64;
    let total = bulk + sent;
    let submitted = wait::until(|| solo.submits(), total).await;
    let started = bulk_load.started.context("no bulk request was sent")?;
    let bulk_done = solo.timeline.last_in(Moment::Submitted, 0..bulk as usize).unwrap_or(started);
    let seconds = bulk_done.saturating_duration_since(started).as_secs_f64();
    let got = solo.submits();
    let answers: Vec<Duration> = codes.answers.iter().map(|a| a.1).collect();
    let accepted = per_second(bulk_load.accepted, since_last(&bulk_load, started));
    Ok(Row {
        peer: "Hongyan",
        seconds,
        rate: per_second(solo.timeline.count_in(Moment::Submitted, 0..bulk as usize), seconds),
        cpu_per_1000: meter.per_1000(&running.procs, total).await?,
        rss_mib: peak_rss_mib(&running.procs)?,
        http_failed: bulk_load.failed + codes.failed,
        refused: bulk_load.refused + codes.refused,
        missing: total.saturating_sub(got),
        extra: got.saturating_sub(total),
        other_pdus: SinkCounters::get(&solo.counters.other),
        completed: submitted && bulk_load.failed + codes.failed == 0,
        to_submit: solo.timeline.between_in(Moment::Sent, Moment::Submitted, bulk as usize..total as usize),
        extras: vec![
            Extra::new("codes", "codes", sent as f64, 0),
            Extra::new("code answer ms p99", "code_answer_ms_p99", quantile_ms(&answers, 0.99), 1),
            Extra::new("bulk accepted msg/s", "bulk_accepted_per_s", accepted, 0),
        ],
        ..Row::default()
    })
}

/// The bulk job and, beside it, the codes until the bulk job's last number reached the sink
/// (and for `CODES_AT_LEAST`). Message indexes: the bulk's `0..bulk`, the codes' from `bulk`.
async fn both_loads(
    solo: &Solo,
    auth: &str,
    http: std::net::SocketAddr,
    (bulk, chunk, room): (u64, u64, u64),
) -> anyhow::Result<(LoadOutcome, LoadOutcome)> {
    let stop = Arc::new(AtomicBool::new(false));
    let key = auth.to_owned();
    let make_code: MakeRequest = Arc::new(move |i| request(&key, &numbers(bulk + i, 1), "verification"));
    let codes_plan =
        Plan { interval: Some(CODE_EVERY), first: bulk, stop: Some(Arc::clone(&stop)), ..Plan::flat(room, 4) };
    let codes = tokio::spawn(load::run_plan(http, codes_plan, make_code, Arc::clone(&solo.timeline)));
    let key = auth.to_owned();
    let make_bulk: MakeRequest = Arc::new(move |i| request(&key, &numbers(i * chunk, chunk), "marketing"));
    let bulk_plan = Plan { requests: bulk / chunk, concurrency: 1, per_request: chunk, ..Plan::default() };
    let bulk_load = tokio::spawn(load::run_plan(http, bulk_plan, make_bulk, Arc::clone(&solo.timeline)));
    until_bulk_submitted(solo, bulk).await;
    stop.store(true, Ordering::Relaxed);
    Ok((bulk_load.await?, codes.await?))
}

/// Until every number of the bulk job (messages `0..bulk`) reached the sink, and at least
/// `CODES_AT_LEAST` passed; gives up when the count stops moving for `wait::STALL`.
async fn until_bulk_submitted(solo: &Solo, bulk: u64) {
    let began = Instant::now();
    let (mut last, mut moved) = (0, Instant::now());
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let done = solo.timeline.count_in(Moment::Submitted, 0..bulk as usize);
        if done >= bulk && began.elapsed() >= CODES_AT_LEAST {
            return;
        }
        if done != last {
            (last, moved) = (done, Instant::now());
        } else if moved.elapsed() > wait::STALL {
            eprintln!("verify-bulk: the bulk job stopped at {done} of {bulk} submitted");
            return;
        }
    }
}
