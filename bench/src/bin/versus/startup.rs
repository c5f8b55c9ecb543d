//! `startup`, Hongyan alone (Kannel keeps no store to start from): a data folder holding K
//! delivered messages (default 10,000,000), filled as fast as the store takes them
//! (`fill.rs`); then `hongyan serve` is timed from spawn to the first `/healthz` 200, twice
//! (the first start after the fill, and a restart), and one search by recipient through the
//! API shows the store answers. The server had started once on the empty folder before the
//! fill, so neither timed start makes the console administrator or the key file.
//!
//! The page cache is warm (the fill just wrote the file): a start after a reboot reads more
//! from the disk. The run does not drop the machine's caches.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context};

use crate::fill::{fill, recipient, Filled};
use crate::hongyan::{get, Prepared};
use crate::procs::Proc;
use crate::report::{Extra, Row, Table};
use crate::solo::{peak_rss_mib, per_second, Solo};
use crate::{kannel_note, load, wait, Args, Scenario};

/// Longest a start may take before the run gives up on it.
const START_LIMIT: Duration = Duration::from_secs(300);

pub(crate) async fn run(args: &Args) -> anyhow::Result<Row> {
    let stored = args.messages(Scenario::Startup);
    let solo = Solo::start(args, Scenario::Startup, 1, false).await?;
    let prepared = solo.setup(args, "", false).prepare()?;
    let row = measure(&solo, &prepared, stored).await;
    args.done_with(&solo.dir, "Hongyan", row.is_ok());
    let row = row?;
    Table {
        scenario: Scenario::Startup.name(),
        title: format!(
            "scenario startup: a data folder with {stored} delivered messages (written through the store, sealed); \
             msg/s: the fill's; seconds: spawn → first /healthz 200 after the fill; then one search by recipient \
             (newest 50) through the API, and a restart"
        ),
        notes: kannel_note(args, "Kannel keeps no message store to start from"),
        rows: std::slice::from_ref(&row),
        reports: false,
        params: vec![("messages", stored.to_string())],
    }
    .print();
    Ok(row)
}

/// A first start on the empty folder, the fill, the timed start and search, the timed restart.
async fn measure(solo: &Solo, prepared: &Prepared, stored: u64) -> anyhow::Result<Row> {
    let mut first = prepared.start()?;
    let up = solo.ready(&mut first).await;
    first.stop();
    up?;
    let filled = fill(&solo.dir, prepared.account, stored).await.context("filling the store")?;
    eprintln!(
        "startup: {stored} messages written in {:.1} s ({:.0}/s), {:.0} MiB",
        filled.seconds,
        per_second(stored, filled.seconds),
        filled.mib
    );
    let (mut server, ready) = timed_start(prepared, "hongyan-first.log").await?;
    let search = search(prepared, stored, &filled).await;
    let rss_mib = peak_rss_mib(std::slice::from_ref(&server));
    server.stop(Duration::from_secs(30));
    let (mut again, restart) = timed_start(prepared, "hongyan-restart.log").await?;
    again.stop(Duration::from_secs(30));
    let (search_ms, found) = match &search {
        Ok((ms, found)) => (*ms, *found as f64),
        Err(e) => {
            eprintln!("startup: the search failed: {e:#}");
            (f64::NAN, f64::NAN)
        }
    };
    Ok(Row {
        peer: "Hongyan",
        seconds: ready.as_secs_f64(),
        rate: per_second(stored, filled.seconds),
        cpu_per_1000: f64::NAN,
        rss_mib: rss_mib?,
        other_errors: u64::from(search.is_err()),
        completed: search.is_ok(),
        extras: vec![
            Extra::new("store MiB", "store_mib", filled.mib, 0),
            Extra::new("ready ms (first start)", "ready_ms_first", ready.as_secs_f64() * 1e3, 1),
            Extra::new("ready ms (restart)", "ready_ms_restart", restart.as_secs_f64() * 1e3, 1),
            Extra::new("search by recipient ms", "search_ms", search_ms, 2),
            Extra::new("found", "search_found", found, 0),
        ],
        ..Row::default()
    })
}

/// Spawns the server and polls `/healthz` every 5 ms until it answers 200.
async fn timed_start(prepared: &Prepared, log: &str) -> anyhow::Result<(Proc, Duration)> {
    let began = Instant::now();
    let mut server = prepared.spawn(log)?;
    loop {
        server.check_alive()?;
        if wait::healthz(prepared.http()).await == Some(200) {
            return Ok((server, began.elapsed()));
        }
        ensure!(began.elapsed() < START_LIMIT, "not ready after {START_LIMIT:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `GET /api/v1/messages?to=…`: the newest 50 of one recipient, each checked to be that
/// recipient's, as many as the fill gave it (at most 50). Its time in ms and the count.
async fn search(prepared: &Prepared, stored: u64, filled: &Filled) -> anyhow::Result<(f64, usize)> {
    let j = 12_345 % filled.recipients;
    let number = recipient(j);
    let expected = stored / filled.recipients + u64::from(j < stored % filled.recipients);
    let request = get(&prepared.auth, &format!("/api/v1/messages?to={number}&limit=50"));
    let began = Instant::now();
    let answer = load::once(prepared.http(), &request).await?;
    let ms = began.elapsed().as_secs_f64() * 1e3;
    ensure!(answer.status == 200, "HTTP {}: {}", answer.status, String::from_utf8_lossy(&answer.body));
    let v: serde_json::Value = serde_json::from_slice(&answer.body).context("the answer is not JSON")?;
    let found = v["messages"].as_array().context("no messages in the answer")?;
    ensure!(found.iter().all(|m| m["to"] == number.as_str()), "another recipient's message was found");
    ensure!(found.len() as u64 == expected.min(50), "{} found, {} expected", found.len(), expected.min(50));
    Ok((ms, found.len()))
}
