//! Small requests are written in groups (one transaction for those that arrive together);
//! each is still answered for itself. Many requests at once, a few with a client reference
//! another holds and one whose message id is already stored: exactly those are refused, and
//! every other request's messages are stored and counted.

mod support;

use hongyan_seal::{new_entry, Algorithm, KeyRing};
use hongyan_store::prelude::*;
use hongyan_store::*;
use hongyan_store_postgres::PgStore;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_796_688_000_000 + ms)
}

fn id(i: u64) -> MessageId {
    MessageId(MessageId::floor(t(0)).0 + i)
}

fn record(account_id: i64, reference: &str) -> RequestRecord {
    RequestRecord {
        account_id,
        client_ref: reference.into(),
        answer: Some(format!("answer for {reference}")),
        request_hash: Some(reference.as_bytes().to_vec()),
        created_at: t(0),
        origin: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_written_together_are_answered_each_for_itself() {
    let schema = support::fresh_schema("groups").await;
    let ring = KeyRing::parse(&new_entry(1), Algorithm::Aes256Gcm).unwrap();
    let store = PgStore::open(&support::url(), Some(&schema), Some(ring)).await.unwrap();
    let account = store.create_account("etax", t(0)).await.unwrap().id;
    store.insert_messages(vec![support::message(id(0), account)], None).await.unwrap();

    // Requests 1..=60 at once: 20 and 21 share a reference, as do 40 and 41; 50 reuses the
    // id already stored. The rest have references of their own or none.
    let mut tasks = Vec::new();
    for i in 1..=60u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let message_id = if i == 50 { id(0) } else { id(i) };
            let reference = match i {
                20 | 21 => Some("shared-a".to_owned()),
                40 | 41 => Some("shared-b".to_owned()),
                _ if i % 2 == 0 => Some(format!("ref-{i}")),
                _ => None,
            };
            let request = reference.map(|r| record(account, &r));
            (i, store.insert_messages(vec![support::message(message_id, account)], request).await)
        }));
    }
    let mut refused = Vec::new();
    for task in tasks {
        let (i, answer) = task.await.unwrap();
        match answer {
            Ok(batch) => assert_eq!(batch.len(), 1, "request {i} gets its own batch back"),
            Err(StoreError::Conflict(_)) => refused.push(i),
            Err(e) => panic!("request {i}: {e}"),
        }
    }
    refused.sort_unstable();
    assert_eq!(refused.len(), 3, "one of each shared reference and the reused id: {refused:?}");
    assert!(refused.contains(&50), "{refused:?}");
    assert!(refused.contains(&20) != refused.contains(&21), "exactly one of 20 and 21: {refused:?}");
    assert!(refused.contains(&40) != refused.contains(&41), "exactly one of 40 and 41: {refused:?}");

    for i in 1..=60u64 {
        let stored = store.get_message(account, id(i)).await.unwrap().is_some();
        assert_eq!(stored, i != 50 && !refused.contains(&i), "message {i}");
    }
    let kept = store.find_request(account, "shared-a").await.unwrap().expect("the winner's answer is kept");
    let winner = if refused.contains(&20) { 21 } else { 20 };
    assert!(store.get_message(account, id(winner)).await.unwrap().is_some());
    assert_eq!(kept.answer, "answer for shared-a");
    assert!(store.find_request(account, "ref-2").await.unwrap().is_some());
    let counts = store.status_counts(Some(account), id(0), id(100)).await.unwrap();
    assert_eq!(counts.iter().map(|c| c.messages).sum::<u64>(), 1 + 57, "the totals count each stored message once");
}
