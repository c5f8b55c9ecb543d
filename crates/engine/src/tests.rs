//! Engine behaviour over a real SQLite store.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use hongyan_store::{MessageStatus, Store, SubmitOutcome};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, Timestamp};

use crate::*;

struct FixedClock(AtomicI64);
impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(Ordering::SeqCst))
    }
}

async fn engine(tag: &str) -> (Arc<Engine>, Vec<(String, DispatchReceiver)>, Arc<dyn Store>) {
    let dir = std::env::temp_dir().join(format!("hongyan-engine-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let clock = Arc::new(FixedClock(AtomicI64::new(1_795_910_782_000)));
    let spec = ChannelSpec { name: "mobile".into(), carriers: vec![Carrier::ChinaMobile] };
    let (e, rx) = Engine::new(store.clone(), clock, &[spec]).await.unwrap();
    (e, rx, store)
}

fn req(to: &[&str], content: &str) -> SendRequest {
    SendRequest {
        to: to.iter().map(|s| s.to_string()).collect(),
        content: content.into(),
        category: Category::Verification,
    }
}

#[tokio::test]
async fn accepts_routes_and_rejects_per_number() {
    let (e, mut rx, store) = engine("accept").await;
    let out = e
        .accept(7, req(&["+86 138-0013-8000", "18612345678", "12345", "15400000000"], "您的验证码是 123456"))
        .await
        .unwrap();
    let NumberResult::Accepted { message_id, to, carrier, segments, .. } = &out.results[0] else { panic!("{out:?}") };
    assert_eq!((to.as_str(), *carrier, *segments), ("13800138000", Carrier::ChinaMobile, 1));
    assert!(
        matches!(&out.results[1], NumberResult::Rejected { code: "no_channel", reason, .. } if reason.contains("china_unicom"))
    );
    assert!(matches!(&out.results[2], NumberResult::Rejected { code: "invalid_number", .. }));
    assert!(
        matches!(&out.results[3], NumberResult::Rejected { code: "invalid_number", reason, .. } if reason.contains("154"))
    );
    let stored = store.get_message(7, *message_id).await.unwrap().expect("stored before the answer");
    assert_eq!(stored.status, MessageStatus::Accepted);
    let queued = rx[0].1.try_recv().expect("handed to the channel");
    assert_eq!(queued.message.id, *message_id);
    assert!(rx[0].1.try_recv().is_err(), "rejected numbers are not queued");
}

#[tokio::test]
async fn whole_request_errors_store_nothing() {
    let (e, _rx, store) = engine("errors").await;
    assert!(matches!(e.accept(1, req(&["13800138000"], "  ")).await, Err(AcceptError::EmptyContent)));
    assert!(matches!(
        e.accept(1, req(&["13800138000"], &"字".repeat(501))).await,
        Err(AcceptError::ContentTooLong(501))
    ));
    assert!(matches!(e.accept(1, req(&[], "hi")).await, Err(AcceptError::NoRecipients)));
    let many: Vec<String> = (0..1001).map(|i| format!("138{i:08}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(matches!(e.accept(1, req(&many, "hi")).await, Err(AcceptError::TooManyRecipients(1001))));
    e.stop_accepting();
    assert!(matches!(e.accept(1, req(&["13800138000"], "hi")).await, Err(AcceptError::ShuttingDown)));
    assert_eq!(store.max_message_id().await.unwrap(), 0);
}

#[tokio::test]
async fn resume_requeues_unsubmitted_segments_only() {
    let (e, mut rx, _store) = engine("resume").await;
    let long = "税".repeat(100);
    let out = e.accept(1, req(&["13800138000", "13900139000"], &long)).await.unwrap();
    let ids: Vec<_> = out
        .results
        .iter()
        .map(|r| match r {
            NumberResult::Accepted { message_id, segments, .. } => {
                assert_eq!(*segments, 2);
                *message_id
            }
            other => panic!("{other:?}"),
        })
        .collect();
    while rx[0].1.try_recv().is_ok() {}
    let at = Timestamp::from_millis(1);
    let ok = |id, segment| SubmitOutcome {
        message_id: id,
        segment,
        carrier_msg_id: Some(format!("{segment}")),
        result: 0,
        error: None,
        at,
    };
    e.submit_outcomes(vec![ok(ids[0], 1), ok(ids[1], 1), ok(ids[1], 2)]).await.unwrap();
    assert_eq!(e.resume_pending().await.unwrap(), 1);
    let again = rx[0].1.try_recv().unwrap();
    assert_eq!((again.message.id, again.skip_segments.clone()), (ids[0], vec![1]));
}

#[tokio::test]
async fn keys_verify_and_wrong_secrets_fail() {
    let (e, _rx, _store) = engine("auth").await;
    let cred = e.create_account("etax").await.unwrap();
    assert!(cred.key_id.starts_with("HY") && cred.key_id.len() == 18);
    assert_eq!(cred.secret.len(), 32);
    let caller = e.authenticate(&cred.key_id, &cred.secret).await.unwrap();
    assert_eq!((caller.account_id, caller.account_name.as_str()), (cred.account.id, "etax"));
    // Cached now; a wrong secret must still fail.
    assert!(e.authenticate(&cred.key_id, "wrong").await.is_err());
    assert!(e.authenticate("HY0000000000000000", &cred.secret).await.is_err());
    assert!(e.create_account("etax").await.is_err(), "names are unique");
}
