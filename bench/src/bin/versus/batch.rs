//! Requests of many numbers each, Hongyan alone (Kannel's sendsms takes one number per
//! request):
//!
//! - `http-batch`: requests of 100 numbers from C connections → four SMPP binds (window 100) to
//!   the sink, which sends a receipt per submit; every report is pushed to the receiver.
//!   Headline: numbers reported delivered at the receiver per second (first request → the
//!   N-th; a report is pushed only once it is stored). Also accepted/s (numbers in 2xx
//!   answers, first request → last answer) and submitted/s (at the sink).
//! - `large`: three requests of 100,000 numbers, one after the other, no receipts. Each
//!   answer's time, the peak RSS, and the RSS 5 s after the last answer and once all are sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::hongyan::{numbers, request};
use crate::load::{self, LoadOutcome, MakeRequest, Plan};
use crate::peers::Running;
use crate::report::{Extra, Row, Table};
use crate::sink::{SinkCounters, WINDOW};
use crate::solo::{peak_rss_mib, per_second, Meter, Solo};
use crate::timeline::Moment;
use crate::{kannel_note, procs, wait, Args, Scenario};

pub(crate) const PER_REQUEST: u64 = 100;
const LARGE_REQUESTS: u64 = 3;
/// The columns and keys of the large requests' answer times.
const ANSWERS: [(&str, &str); LARGE_REQUESTS as usize] =
    [("answer 1 s", "answer_1_s"), ("answer 2 s", "answer_2_s"), ("answer 3 s", "answer_3_s")];

pub(crate) async fn http_batch(args: &Args) -> anyhow::Result<Row> {
    let requests = args.messages(Scenario::HttpBatch).div_ceil(PER_REQUEST);
    let total = requests * PER_REQUEST;
    let solo = Solo::start(args, Scenario::HttpBatch, total, true).await?;
    let prepared = solo.setup(args, "", true).prepare()?;
    let mut running = prepared.start()?;
    let row = measure_batch(args, &solo, &prepared.auth, &mut running, requests).await;
    solo.finish(args, &mut running, row.is_ok());
    let row = row?;
    let concurrency = args.concurrency(Scenario::HttpBatch);
    Table {
        scenario: Scenario::HttpBatch.name(),
        title: format!(
            "scenario http-batch: {requests} requests of {PER_REQUEST} numbers ({total} numbers), concurrency \
             {concurrency}, {links} SMPP bind(s) to the sink, window {WINDOW} each, every report pushed to an HTTP \
             receiver; msg/s: first request → the last number reported delivered",
            links = args.links(Scenario::HttpBatch)
        ),
        notes: kannel_note(args, "Kannel's sendsms takes one number per request: it has no batch API"),
        rows: std::slice::from_ref(&row),
        reports: true,
        params: params(total, concurrency),
    }
    .print();
    Ok(row)
}

pub(crate) async fn measure_batch(
    args: &Args,
    solo: &Solo,
    auth: &str,
    running: &mut Running,
    requests: u64,
) -> anyhow::Result<Row> {
    let total = requests * PER_REQUEST;
    solo.ready(running).await?;
    let meter = Meter::start(&running.procs)?;
    let auth = auth.to_owned();
    let make: MakeRequest = Arc::new(move |i| request(&auth, &numbers(i * PER_REQUEST, PER_REQUEST), "notification"));
    let plan = Plan { per_request: PER_REQUEST, ..Plan::flat(requests, args.concurrency(Scenario::HttpBatch)) };
    let load = load::run_plan(running.http, plan, make, Arc::clone(&solo.timeline)).await;
    samples(&load);
    let submitted = wait::until(|| solo.submits(), total).await;
    let reported = wait::until(|| solo.reports.delivered(), total).await;
    let started = load.started.context("no request was sent")?;
    let since = |t: Instant| t.saturating_duration_since(started).as_secs_f64();
    let (got, delivered) = (solo.submits(), solo.reports.delivered());
    let seconds = since(solo.reports.last());
    let answers: Vec<Duration> = load.answers.iter().map(|a| a.1).collect();
    let accepted = per_second(load.accepted, since_last(&load, started));
    let at_sink = per_second(got.min(total), since(solo.counters.last_submit()));
    Ok(Row {
        seconds,
        rate: per_second(delivered.min(total), seconds),
        cpu_per_1000: meter.per_1000(&running.procs, total).await?,
        rss_mib: peak_rss_mib(&running.procs)?,
        extras: vec![
            Extra::new("accepted msg/s", "accepted_per_s", accepted, 0),
            Extra::new("submitted msg/s", "submitted_per_s", at_sink, 0),
            Extra::new("answer ms p99", "answer_ms_p99", quantile_ms(&answers, 0.99), 1),
        ],
        ..common(solo, &load, (total, got), (submitted && reported, Some(delivered)))
    })
}

pub(crate) async fn large(args: &Args) -> anyhow::Result<Row> {
    let per = args.messages(Scenario::Large);
    let total = per * LARGE_REQUESTS;
    let solo = Solo::start(args, Scenario::Large, total, false).await?;
    let prepared = solo.setup(args, "", false).prepare()?;
    let mut running = prepared.start()?;
    let settle = if args.quick { Duration::from_secs(1) } else { Duration::from_secs(5) };
    let row = measure_large(&solo, &prepared.auth, &mut running, per, settle).await;
    solo.finish(args, &mut running, row.is_ok());
    let row = row?;
    Table {
        scenario: Scenario::Large.name(),
        title: format!(
            "scenario large: {LARGE_REQUESTS} requests of {per} numbers, one after the other, one SMPP bind, window \
             {WINDOW}, no receipts; msg/s: first request → last submit_sm; RSS (VmRSS) settled: {} s after the \
             last answer; all sent: when the sink has every number",
            settle.as_secs()
        ),
        notes: kannel_note(args, "Kannel's sendsms takes one number per request"),
        rows: std::slice::from_ref(&row),
        reports: false,
        params: params(total, 1),
    }
    .print();
    Ok(row)
}

async fn measure_large(
    solo: &Solo,
    auth: &str,
    running: &mut Running,
    per: u64,
    settle: Duration,
) -> anyhow::Result<Row> {
    let total = per * LARGE_REQUESTS;
    solo.ready(running).await?;
    let meter = Meter::start(&running.procs)?;
    let auth = auth.to_owned();
    let make: MakeRequest = Arc::new(move |i| request(&auth, &numbers(i * per, per), "notification"));
    let plan = Plan { per_request: per, ..Plan::flat(LARGE_REQUESTS, 1) };
    let load = load::run_plan(running.http, plan, make, Arc::clone(&solo.timeline)).await;
    samples(&load);
    tokio::time::sleep(settle).await;
    let pid = running.procs.first().context("the server")?.pid();
    let rss_settled = procs::rss_kib(pid)? as f64 / 1024.0;
    let submitted = wait::until(|| solo.submits(), total).await;
    let rss_sent = procs::rss_kib(pid)? as f64 / 1024.0;
    let started = load.started.context("no request was sent")?;
    let got = solo.submits();
    let seconds = solo.counters.last_submit().saturating_duration_since(started).as_secs_f64();
    let mut extras: Vec<Extra> = ANSWERS
        .iter()
        .zip(0..)
        .map(|((head, key), i)| {
            let took = load.answers.iter().find(|a| a.0 == i).map_or(f64::NAN, |a| a.1.as_secs_f64());
            Extra::new(head, key, took, 2)
        })
        .collect();
    extras.push(Extra::new("RSS MB settled", "rss_mb_settled", rss_settled, 1));
    extras.push(Extra::new("RSS MB all sent", "rss_mb_all_sent", rss_sent, 1));
    Ok(Row {
        seconds,
        rate: per_second(got.min(total), seconds),
        cpu_per_1000: meter.per_1000(&running.procs, total).await?,
        rss_mib: peak_rss_mib(&running.procs)?,
        extras,
        ..common(solo, &load, (total, got), (submitted, None))
    })
}

/// The figures every batch scenario shares: errors and latencies. `delivered`: numbers
/// reported delivered, when the scenario has reports.
fn common(
    solo: &Solo,
    load: &LoadOutcome,
    (total, got): (u64, u64),
    (completed, delivered): (bool, Option<u64>),
) -> Row {
    Row {
        peer: "Hongyan",
        http_failed: load.failed,
        refused: load.refused,
        missing: total.saturating_sub(got),
        extra: got.saturating_sub(total),
        other_pdus: SinkCounters::get(&solo.counters.other),
        reports_missing: delivered.map_or(0, |d| total.saturating_sub(d)),
        receipts_refused: SinkCounters::get(&solo.counters.receipts_refused),
        completed: completed && load.failed == 0,
        to_submit: solo.timeline.between(Moment::Sent, Moment::Submitted),
        to_report: delivered.and_then(|_| solo.timeline.between(Moment::Sent, Moment::Reported)),
        ..Row::default()
    }
}

fn params(total: u64, concurrency: usize) -> Vec<(&'static str, String)> {
    vec![("messages", total.to_string()), ("concurrency", concurrency.to_string()), ("window", WINDOW.to_string())]
}

/// The first failures, for the operator.
pub(crate) fn samples(load: &LoadOutcome) {
    for s in &load.samples {
        eprintln!("Hongyan: {s}");
    }
}

/// Seconds from the first request to the last answer.
pub(crate) fn since_last(load: &LoadOutcome, started: Instant) -> f64 {
    load.last_answer.map_or(f64::NAN, |t| t.saturating_duration_since(started).as_secs_f64())
}

/// The `q` quantile of `took` in ms (NaN when empty).
pub(crate) fn quantile_ms(took: &[Duration], q: f64) -> f64 {
    let mut ms: Vec<f64> = took.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    if ms.is_empty() {
        return f64::NAN;
    }
    ms.sort_by(f64::total_cmp);
    ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1]
}
