//! Retention: old messages archived then purged with what hangs off them, the rest kept, the
//! run audited; an archiver that fails purges nothing.

use std::sync::atomic::Ordering;
use std::time::Duration;

use hongyan_store::{AuditFilter, MessageDetail, MessageFilter};

use super::{engine_with_clock, req};

const DAY_MS: i64 = 24 * 3600 * 1000;

#[tokio::test]
async fn old_messages_are_archived_then_purged_and_the_run_is_audited() {
    let (e, _rx, store, clock) = engine_with_clock("retention").await;
    e.accept(3, req(&["13800138000", "13900139000"], "去年的通知")).await.unwrap();
    clock.0.fetch_add(300 * DAY_MS, Ordering::SeqCst);
    e.accept(3, req(&["13700137000"], "今年的通知")).await.unwrap();
    clock.0.fetch_add(100 * DAY_MS, Ordering::SeqCst);
    let keep = Duration::from_secs(365 * 24 * 3600);

    let mut refuse = |_: &[MessageDetail]| Err("disk full".to_owned());
    assert!(e.purge_older_than(keep, Some(&mut refuse)).await.is_err());
    let all = |store: std::sync::Arc<dyn hongyan_store::Store>| async move {
        store.list_messages(MessageFilter { account_id: Some(3), limit: 10, ..Default::default() }).await.unwrap()
    };
    assert_eq!(all(store.clone()).await.len(), 3, "a failed archive purges nothing");

    let mut archived = Vec::new();
    let mut keep_copy = |page: &[MessageDetail]| {
        archived.extend(page.iter().map(|d| d.message.content.to_string()));
        Ok(())
    };
    assert_eq!(e.purge_older_than(keep, Some(&mut keep_copy)).await.unwrap(), 2);
    assert_eq!(archived, ["【某省税务局】去年的通知", "【某省税务局】去年的通知"]);
    let left = all(store.clone()).await;
    assert_eq!(left.len(), 1);
    assert_eq!(&*left[0].message.content, "【某省税务局】今年的通知");
    assert_eq!(e.purge_older_than(keep, None).await.unwrap(), 0);

    let log = store
        .audit(AuditFilter { action: Some("retention.purge".into()), limit: 10, ..AuditFilter::default() })
        .await
        .unwrap();
    assert_eq!(log.len(), 2, "each completed run is audited");
    assert!(log[1].entry.after.as_deref().unwrap().contains("\"purged\":2"), "{:?}", log[1]);
}

#[tokio::test]
async fn a_statement_of_a_purged_period_is_still_exact() {
    let (e, _rx, store, clock) = engine_with_clock("retention-statement").await;
    let start = hongyan_store::Timestamp::from_millis(clock.0.load(Ordering::SeqCst)).beijing_day_start();
    let out = e.accept(3, req(&["13800138000", "13900139000"], "去年的通知")).await.unwrap();
    let ids: Vec<_> = out
        .results
        .iter()
        .filter_map(|r| match r {
            crate::NumberResult::Accepted { message_id, .. } => Some(*message_id),
            _ => None,
        })
        .collect();
    let at = hongyan_store::Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
    let answered = |id| hongyan_store::SubmitOutcome {
        message_id: id,
        segment: 1,
        carrier_msg_id: Some(format!("c{}", id)),
        result: 0,
        error: None,
        at,
    };
    store.record_submits(ids.iter().map(|id| answered(*id)).collect()).await.unwrap();
    let day = start.plus_millis(DAY_MS);
    let before = e.statement(3, start, day).await.unwrap();
    assert_eq!((before.messages, before.billed_segments), (2, 2));

    clock.0.fetch_add(400 * DAY_MS, Ordering::SeqCst);
    assert_eq!(e.purge_older_than(Duration::from_secs(365 * 24 * 3600), None).await.unwrap(), 2);
    let after = e.statement(3, start, day).await.unwrap();
    assert_eq!(after, before, "the daily totals survive retention");
}
