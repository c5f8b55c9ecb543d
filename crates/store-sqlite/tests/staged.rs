//! Large requests are written in pieces, so a verification code does not wait behind a bulk
//! job's whole insert, and stay all or nothing: a request that fails midway, or that a stopped
//! process left half written, leaves no message and no count behind.

use hongyan_store::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use hongyan_store::{
    Carrier, Category, MessageFilter, MessageId, Money, NewMessage, RequestRecord, StoreError, Timestamp,
};
use hongyan_store_sqlite::SqliteStore;

/// More than the store writes in one piece.
const LARGE: u64 = 6_000;
const ACCEPTED_AT: i64 = 1_795_910_782_000;

fn message(id: u64, account_id: i64) -> NewMessage {
    NewMessage {
        id: MessageId(id),
        account_id,
        to: format!("139{:08}", id % 100_000_000),
        carrier: Carrier::ChinaMobile,
        category: Category::NOTIFICATION,
        content: "尊敬的纳税人，您本月的申报期将于15日截止，请及时办理。".into(),
        segments: 1,
        channel: "cmpp-sim".into(),
        source_ext: String::new(),
        accepted_at: Timestamp::from_millis(ACCEPTED_AT),
        send_at: None,
        callback_url: None,
        provenance: Default::default(),
        unit_price: Some(Money(400)),
    }
}

fn batch(first: u64, count: u64, account_id: i64) -> Vec<NewMessage> {
    (first..first + count).map(|id| message(id, account_id)).collect()
}

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hongyan-staged-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("hongyan.db")
}

/// The account's messages as the console counts them, and as its statement counts them.
async fn counted(store: &SqliteStore, account_id: i64) -> (u64, u64) {
    let filter = MessageFilter { account_id: Some(account_id), limit: 1, ..Default::default() };
    let stored = store.count_messages(filter, u64::MAX).await.unwrap();
    let usage = store.usage(account_id, MessageId(0), MessageId(u64::MAX)).await.unwrap();
    (stored, usage.iter().map(|u| u.messages).sum())
}

fn reference(account_id: i64, client_ref: &str) -> RequestRecord {
    RequestRecord {
        account_id,
        client_ref: client_ref.into(),
        answer: Some("[]".into()),
        request_hash: None,
        created_at: Timestamp::from_millis(ACCEPTED_AT),
        origin: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_message_is_stored_while_a_large_request_is_still_being_written() {
    let db = fresh("pass");
    let store = Arc::new(SqliteStore::open(&db).unwrap());
    let account = store.create_account("etax", Timestamp::from_millis(1)).await.unwrap().id;
    let commits_before = store.writer_stats().commits.load(Ordering::SeqCst);

    let bulk = tokio::spawn({
        let store = store.clone();
        async move { store.insert_messages(batch(1, LARGE, account), None).await.map(|b| b.len()) }
    });
    // Wait until the bulk job has started committing (or ended), then send one code.
    while store.writer_stats().commits.load(Ordering::SeqCst) < commits_before + 2 && !bulk.is_finished() {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    store.insert_messages(vec![message(1_000_000, account)], None).await.unwrap();
    assert!(!bulk.is_finished(), "the single message had to wait for the whole bulk request");

    assert_eq!(bulk.await.unwrap().unwrap(), LARGE as usize);
    assert_eq!(counted(&store, account).await, (LARGE + 1, LARGE + 1));
    let commits = store.writer_stats().commits.load(Ordering::SeqCst) - commits_before;
    assert!(commits >= LARGE / 1_000, "{LARGE} messages in {commits} commits: not written in pieces");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_request_that_fails_at_its_last_piece_leaves_nothing_behind() {
    let db = fresh("fail");
    let store = SqliteStore::open(&db).unwrap();
    let account = store.create_account("etax", Timestamp::from_millis(1)).await.unwrap().id;
    store.insert_messages(vec![message(1, account)], Some(reference(account, "job-7"))).await.unwrap();
    assert_eq!(counted(&store, account).await, (1, 1));

    // The same client reference again: found only when the last piece is written.
    let err = store.insert_messages(batch(10, LARGE, account), Some(reference(account, "job-7"))).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(counted(&store, account).await, (1, 1), "rows or counts of the refused request remain");
    assert!(store.get_message(account, MessageId(10)).await.unwrap().is_none());

    // Nothing is left for the next start to take back either.
    assert_eq!(store.undo_unfinished().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_a_stopped_process_left_half_written_is_taken_back_at_start() {
    let db = fresh("crash");
    let store = SqliteStore::open(&db).unwrap();
    let account = store.create_account("etax", Timestamp::from_millis(1)).await.unwrap().id;
    store.insert_messages(batch(1, 10, account), None).await.unwrap();
    store.insert_messages(batch(100, 20, account), None).await.unwrap();
    drop(store);
    // As a process stopped between two pieces leaves it: rows 100..120 written, the mark on.
    mark_unfinished(&db, 100..120);

    let store = SqliteStore::open(&db).unwrap();
    assert_eq!(counted(&store, account).await, (30, 30));
    assert_eq!(store.undo_unfinished().await.unwrap(), 20);
    assert_eq!(counted(&store, account).await, (10, 10), "the finished request must stay whole");
    assert!(store.get_message(account, MessageId(100)).await.unwrap().is_none());
    assert!(store.get_message(account, MessageId(1)).await.unwrap().is_some());
    assert_eq!(store.undo_unfinished().await.unwrap(), 0);
}

/// Writes the mark of a request still being written, as the first piece's commit does.
fn mark_unfinished(db: &Path, ids: std::ops::Range<i64>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let blob: Vec<u8> = ids.clone().flat_map(i64::to_le_bytes).collect();
    conn.execute(
        "INSERT INTO staged_requests (stage, created_at, ids) VALUES (?1, ?2, ?3)",
        rusqlite::params![ids.start, ACCEPTED_AT, blob],
    )
    .unwrap();
}
