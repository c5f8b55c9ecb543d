//! Fills a data folder with K delivered messages for `startup`, through `hongyan-store-sqlite`
//! itself (as `records` does) rather than the API: the same schema, triggers and sealing the
//! server uses, with the server's own key file (`hongyan.keys` beside the database, made by
//! an earlier start), so `hongyan serve` opens what was written. Messages are spread over the
//! last 30 days, 50 to each recipient (at most 200,000 recipients); each is accepted,
//! submitted (one segment with a carrier id on the `sink` channel) and reported DELIVRD — the
//! state a restart finds, with nothing left to send. Batches of `BATCH`, `IN_FLIGHT` at once
//! so the writer's group commits carry several.

use hongyan_store::prelude::*;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use hongyan_store::{NewMessage, Provenance, ReportIn, Store, SubmitOutcome};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, MessageId, Timestamp};

use crate::peers::CONTENT;

const BATCH: u64 = 10_000;
const IN_FLIGHT: usize = 3;
const DAY_MS: i64 = 86_400_000;
const DAYS: i64 = 30;

/// What the fill wrote.
pub(crate) struct Filled {
    pub(crate) seconds: f64,
    /// The database file and its WAL, in MiB.
    pub(crate) mib: f64,
    /// Recipients the messages went to: message `i` to `recipient(i % recipients)`.
    pub(crate) recipients: u64,
}

/// The recipient numbers of the fill (not the load's 138 block).
pub(crate) fn recipient(j: u64) -> String {
    format!("139{:08}", j % 100_000_000)
}

/// Writes `count` messages of `account` into `dir`'s store.
pub(crate) async fn fill(dir: &Path, account: i64, count: u64) -> anyhow::Result<Filled> {
    let db = dir.join("hongyan.db");
    let store = Arc::new(SqliteStore::open(&db).with_context(|| format!("opening {}", db.display()))?);
    // 50 messages each (200,000 recipients at 10 M, as `records`): a search's first page is full.
    let recipients = (count / 50).clamp(1, 200_000);
    let now = Timestamp::from_system(std::time::SystemTime::now());
    let start = now.plus_millis(-DAYS * DAY_MS);
    let step = (DAYS * DAY_MS / count.max(1) as i64).max(1);
    let plan = Plan { account, start, step, recipients };
    let began = Instant::now();
    let mut running = tokio::task::JoinSet::new();
    let mut next = 0;
    while next < count || !running.is_empty() {
        while next < count && running.len() < IN_FLIGHT {
            let (store, end) = (Arc::clone(&store), (next + BATCH).min(count));
            running.spawn(async move { batch(&store, plan, next..end).await });
            next = end;
        }
        if let Some(done) = running.join_next().await {
            done??;
        }
    }
    let seconds = began.elapsed().as_secs_f64();
    store.close().await?;
    let size = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    let mib = (size("hongyan.db") + size("hongyan.db-wal")) as f64 / 1_048_576.0;
    Ok(Filled { seconds, mib, recipients })
}

#[derive(Clone, Copy)]
struct Plan {
    account: i64,
    start: Timestamp,
    step: i64,
    recipients: u64,
}

/// Messages `range`: stored, their submits recorded, their reports applied.
async fn batch(store: &SqliteStore, plan: Plan, range: std::ops::Range<u64>) -> anyhow::Result<()> {
    let messages: Vec<NewMessage> = range.clone().map(|i| message(plan, i)).collect();
    let ids: Vec<(MessageId, Timestamp)> = messages.iter().map(|m| (m.id, m.accepted_at)).collect();
    store.insert_messages(messages, None).await?;
    let submits = ids
        .iter()
        .map(|(id, at)| SubmitOutcome {
            message_id: *id,
            segment: 1,
            carrier_msg_id: Some(id.to_string()),
            result: 0,
            error: None,
            at: at.plus_millis(40),
        })
        .collect();
    store.record_submits(submits).await?;
    let reports = ids
        .iter()
        .map(|(id, at)| ReportIn {
            channel: "sink".into(),
            carrier_msg_id: id.to_string(),
            stat: "DELIVRD".into(),
            done_at: Some(at.plus_millis(3_000)),
            received_at: at.plus_millis(3_100),
            raw: r#"{"stat":"DELIVRD","err":"000"}"#.into(),
        })
        .collect();
    store.apply_reports(reports).await?;
    Ok(())
}

fn message(plan: Plan, i: u64) -> NewMessage {
    let at = plan.start.plus_millis(i as i64 * plan.step);
    NewMessage {
        id: MessageId::floor(at),
        account_id: plan.account,
        to: recipient(i % plan.recipients),
        carrier: Carrier::ChinaMobile,
        category: Category::NOTIFICATION,
        content: format!("【{}】{CONTENT}", crate::peers::SIGNATURE).into(),
        segments: 1,
        channel: "sink".into(),
        source_ext: String::new(),
        accepted_at: at,
        send_at: None,
        callback_url: None,
        provenance: Provenance {
            sender: "key:bench".into(),
            interface: "http".into(),
            client_addr: "127.0.0.1".into(),
            client_ref: None,
            template_id: None,
        }
        .into(),
        unit_price: None,
    }
}
