//! How fast status reports go from a carrier's hands to a client's: applied (matched to their
//! segment, aggregated, fed) and then pulled and acknowledged.
//!
//! Over a real SQLite store in a temporary directory: N single-segment messages are accepted
//! through the engine and recorded as submitted; then N reports are applied through
//! `Engine::reports` in batches the size a busy link hands over (`--batch`, default 64, run
//! concurrently from `--links` tasks, default 4, as several carrier connections would); then a
//! client pulls the account's feed in pages of 1,000 and acknowledges each. Afterwards every
//! message must be `delivered` and every report must have been pulled exactly once.
//!
//! Run: `cd bench && cargo run --release --bin reports -- --messages 20000`.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{ensure, Context};
use hongyan_engine::{ChannelSpec, Engine, NumberResult, SendRequest, SystemClock};
use hongyan_store::{FeedConsumer, MessageFilter, ReportIn, Store, SubmitOutcome};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, MessageId, MessageStatus, Timestamp};

struct Args {
    messages: usize,
    batch: usize,
    links: usize,
}

fn args() -> anyhow::Result<Args> {
    use lexopt::prelude::*;
    let mut a = Args { messages: 20_000, batch: 64, links: 4 };
    let mut p = lexopt::Parser::from_env();
    while let Some(arg) = p.next()? {
        match arg {
            Long("messages") => a.messages = p.value()?.parse()?,
            Long("batch") => a.batch = p.value()?.parse()?,
            Long("links") => a.links = p.value()?.parse()?,
            other => return Err(other.unexpected().into()),
        }
    }
    Ok(a)
}

/// Accepts `n` messages and records them as submitted; returns their ids.
async fn submitted(engine: &Engine, account: i64, n: usize) -> anyhow::Result<Vec<MessageId>> {
    let mut ids = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(1000) {
        let to = chunk.iter().map(|i| format!("138{i:08}")).collect();
        let out = engine.accept(account, SendRequest::new(to, "您的申报已受理", Category::NOTIFICATION)).await?;
        for r in out.results {
            let NumberResult::Accepted { message_id, .. } = r else { anyhow::bail!("refused: {r:?}") };
            ids.push(message_id);
        }
    }
    let now = Timestamp::from_system(std::time::SystemTime::now());
    for chunk in ids.chunks(1000) {
        let outcomes = chunk
            .iter()
            .map(|id| SubmitOutcome {
                message_id: *id,
                segment: 1,
                carrier_msg_id: Some(id.0.to_string()),
                result: 0,
                error: None,
                at: now,
            })
            .collect();
        engine.submit_outcomes(outcomes).await?;
    }
    Ok(ids)
}

fn report(id: MessageId, now: Timestamp) -> ReportIn {
    ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: id.0.to_string(),
        stat: "DELIVRD".into(),
        done_at: Some(now),
        received_at: now,
        raw: "{\"stat\":\"DELIVRD\"}".into(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let dir = std::env::temp_dir().join(format!("hongyan-bench-reports-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).context("store")?);
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, _queues) = Engine::new(store.clone(), Arc::new(SystemClock), &[spec]).await?;
    let account = engine.create_account("bench").await?.account.id;
    engine.sign_with(account, "鸿雁", "").await?;
    let ids = submitted(&engine, account, a.messages).await?;

    let started = Instant::now();
    let per_link = ids.len().div_ceil(a.links);
    let mut tasks = Vec::new();
    for share in ids.chunks(per_link) {
        let (engine, share, batch) = (engine.clone(), share.to_vec(), a.batch);
        tasks.push(tokio::spawn(async move {
            for chunk in share.chunks(batch) {
                let now = Timestamp::from_system(std::time::SystemTime::now());
                engine.reports(chunk.iter().map(|id| report(*id, now)).collect()).await?;
            }
            anyhow::Ok(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let applied = started.elapsed();

    let started = Instant::now();
    let mut pulled = 0;
    loop {
        let page = store.feed(account, FeedConsumer::PullReports, 1000).await?;
        let Some(last) = page.last() else { break };
        pulled += page.len();
        store.ack_feed(account, FeedConsumer::PullReports, last.seq).await?;
    }
    let drained = started.elapsed();

    let filter = MessageFilter {
        account_id: Some(account),
        status: Some(MessageStatus::Delivered),
        limit: a.messages + 1,
        ..MessageFilter::default()
    };
    let delivered = store.list_messages(filter).await?.len();
    ensure!(delivered == a.messages, "{delivered} of {} delivered", a.messages);
    ensure!(pulled == a.messages, "{pulled} reports pulled for {} messages", a.messages);
    let rate = |n: usize, d: std::time::Duration| n as f64 / d.as_secs_f64();
    println!(
        "reports: {} applied in {:.2} s = {:.0} reports/s ({} links, batches of {}); pulled and acknowledged in {:.2} s = {:.0} reports/s",
        a.messages,
        applied.as_secs_f64(),
        rate(a.messages, applied),
        a.links,
        a.batch,
        drained.as_secs_f64(),
        rate(pulled, drained)
    );
    store.close().await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
