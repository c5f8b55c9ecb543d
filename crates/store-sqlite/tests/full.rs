//! A full store: every write either is kept and its caller hears `Ok`, or is not kept and its
//! caller hears `Full` — never a mix — and writes work again once there is room, without a
//! restart. The room runs out through SQLite's own page ceiling (`set_size_limit`), which fails
//! writes with the same `SQLITE_FULL` a full disk gives.

use hongyan_store::prelude::*;
use hongyan_store::{Carrier, Category, MessageId, Money, NewMessage, Store, StoreError, Timestamp};
use hongyan_store_sqlite::SqliteStore;

fn message(id: u64, account_id: i64) -> NewMessage {
    NewMessage {
        id: MessageId(id),
        account_id,
        to: format!("138{:08}", id),
        carrier: Carrier::ChinaMobile,
        category: Category::NOTIFICATION,
        // Long enough that a few hundred of them need new pages.
        content: "尊敬的纳税人，您本月的申报期将于15日截止，请及时办理。".repeat(8).into(),
        segments: 3,
        channel: "cmpp-sim".into(),
        source_ext: String::new(),
        accepted_at: Timestamp::from_millis(1_795_910_782_000),
        send_at: None,
        callback_url: None,
        provenance: Default::default(),
        unit_price: Some(Money(500)),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_store_answers_full_keeps_nothing_it_refused_and_recovers_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("hongyan-store-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = std::sync::Arc::new(SqliteStore::open(&dir.join("hongyan.db")).unwrap());
    let account = store.create_account("etax", Timestamp::from_millis(1)).await.unwrap().id;
    store.set_size_limit(Some(0)).await.unwrap();

    // Many writers at once, so the failures land inside group commits next to writes that fit.
    let writes = (1..=400u64).map(|id| {
        let store = store.clone();
        tokio::spawn(async move { (id, store.insert_messages(vec![message(id, account)], None).await) })
    });
    let mut answers = Vec::new();
    for w in writes {
        answers.push(w.await.unwrap());
    }
    let full = answers.iter().filter(|(_, r)| matches!(r, Err(StoreError::Full(_)))).count();
    assert!(full > 0, "the ceiling was reached");
    assert!(store.is_full(), "readiness can see it");
    for (id, answer) in &answers {
        let kept = store.get_message(account, MessageId(*id)).await.unwrap().is_some();
        match answer {
            Ok(_) => assert!(kept, "message {id} was confirmed but not kept"),
            Err(StoreError::Full(_)) => assert!(!kept, "message {id} was refused but kept anyway"),
            Err(e) => panic!("message {id}: {e} (a full store must say Full)"),
        }
    }

    // Room again: the same writer goes on, no restart.
    store.set_size_limit(None).await.unwrap();
    store.insert_messages(vec![message(10_000, account)], None).await.unwrap();
    // Readiness returns once the writer's probe (every second while full) finds room.
    for _ in 0..50 {
        if !store.is_full() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!store.is_full(), "the probe found the room");
    assert!(store.get_message(account, MessageId(10_000)).await.unwrap().is_some());
    std::fs::remove_dir_all(&dir).ok();
}
