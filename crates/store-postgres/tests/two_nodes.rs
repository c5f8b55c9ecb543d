//! Two nodes on one PostgreSQL: each its own `PgStore` (its own pool), as two processes of
//! a cluster would be. The carriers' answers arrive at one node while their reports arrive
//! at the other, many of them before the answer they belong to, and a reader on a third
//! connection follows the feed as it grows. Nothing may be lost, counted twice or skipped.

mod support;

use std::collections::BTreeSet;

use hongyan_seal::{new_entry, Algorithm, KeyRing};
use hongyan_store::prelude::*;
use hongyan_store::*;
use hongyan_store_postgres::PgStore;

const MESSAGES: u64 = 300;
const BATCH: usize = 10;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_796_688_000_000 + ms)
}

fn id(i: u64) -> MessageId {
    MessageId(MessageId::floor(t(0)).0 + i)
}

fn answer(i: u64) -> SubmitOutcome {
    SubmitOutcome {
        message_id: id(i),
        segment: 1,
        carrier_msg_id: Some(format!("c{i}")),
        result: 0,
        error: None,
        at: t(10),
    }
}

fn report(i: u64) -> ReportIn {
    ReportIn {
        channel: "cmpp-1".into(),
        carrier_msg_id: format!("c{i}"),
        stat: "DELIVRD".into(),
        done_at: Some(t(20)),
        received_at: t(30),
        raw: "{}".into(),
    }
}

async fn node(schema: &str, ring: &KeyRing) -> PgStore {
    PgStore::open(&support::url(), Some(schema), Some(ring.clone())).await.unwrap()
}

/// Reads the account's report feed until `want` events came or nothing new came for a while;
/// the message ids seen, in the feed's order.
async fn follow(reader: PgStore, account: i64, want: usize) -> Vec<u64> {
    let mut seen = Vec::new();
    let mut idle = 0;
    while seen.len() < want && idle < 200 {
        let events = reader.feed(account, FeedConsumer::PullReports, 50).await.unwrap();
        let Some(last) = events.last().map(|e| e.seq) else {
            idle += 1;
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            continue;
        };
        idle = 0;
        for e in &events {
            if let FeedItem::Report(r) = &e.item {
                seen.push(r.message_id.0);
            }
        }
        reader.ack_feed(account, FeedConsumer::PullReports, last).await.unwrap();
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn answers_on_one_node_and_reports_on_another_lose_nothing() {
    let schema = support::fresh_schema("two_nodes").await;
    let ring = KeyRing::parse(&new_entry(1), Algorithm::Aes256Gcm).unwrap();
    let (a, b, reader) = (node(&schema, &ring).await, node(&schema, &ring).await, node(&schema, &ring).await);
    let account = a.create_account("etax", t(0)).await.unwrap().id;
    a.insert_messages((0..MESSAGES).map(|i| support::message(id(i), account)).collect(), None).await.unwrap();

    let follower = tokio::spawn(follow(reader, account, MESSAGES as usize));
    // Answers in id order on node a; reports from the last to the first on node b, so about
    // half of them come before their answer and wait for it.
    let answers = tokio::spawn(async move {
        let all: Vec<SubmitOutcome> = (0..MESSAGES).map(answer).collect();
        for chunk in all.chunks(BATCH) {
            a.record_submits(chunk.to_vec()).await.unwrap();
        }
        a
    });
    let reports = tokio::spawn(async move {
        let all: Vec<ReportIn> = (0..MESSAGES).rev().map(report).collect();
        let mut early = 0;
        for chunk in all.chunks(BATCH) {
            let matches = b.apply_reports(chunk.to_vec()).await.unwrap();
            early += matches.iter().filter(|m| **m == ReportMatch::Unmatched).count();
        }
        (b, early)
    });
    let a = answers.await.unwrap();
    let (b, early) = reports.await.unwrap();
    let fed = follower.await.unwrap();

    let everything = MessageFilter { account_id: Some(account), limit: 10_000, ..MessageFilter::default() };
    let stored = b.list_messages(everything).await.unwrap();
    let undelivered: Vec<_> =
        stored.iter().filter(|m| m.status != MessageStatus::Delivered).map(|m| m.message.id).collect();
    assert_eq!(undelivered, [], "every message delivered ({early} reports came before their answer)");
    assert_eq!(fed.len(), MESSAGES as usize, "one feed event per report, none skipped by the reader");
    assert_eq!(fed.iter().collect::<BTreeSet<_>>().len(), MESSAGES as usize, "and none twice");

    let counts = a.status_counts(Some(account), id(0), id(MESSAGES)).await.unwrap();
    let lines: Vec<(MessageStatus, u64)> = counts.iter().map(|c| (c.status, c.messages)).collect();
    assert_eq!(lines, [(MessageStatus::Delivered, MESSAGES)], "the totals count each message once, as it ended");
    let next_day = MessageId::floor(t(86_400_000));
    let usage = a.usage(account, id(0), next_day).await.unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!((usage[0].billed_segments, usage[0].amount), (MESSAGES, Money(400 * MESSAGES as i64)), "billed once");
}
