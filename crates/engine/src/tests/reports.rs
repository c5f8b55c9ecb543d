//! Reports in bulk and late: thousands from concurrent links each reach the feed once, repeats
//! do not, and the unknown sweep gives up on the silent ones.

use std::sync::atomic::Ordering;
use std::time::Duration;

use hongyan_store::{FeedConsumer, ReportIn, SubmitOutcome};
use hongyan_types::{MessageId, MessageStatus, Timestamp};

use super::{engine_with_clock, req};
use crate::NumberResult;

#[tokio::test]
async fn thousands_of_reports_from_concurrent_links_reach_the_feed_once() {
    let (e, _rx, store, clock) = engine_with_clock("reports-bulk").await;
    let to: Vec<String> = (0..3000).map(|i| format!("139{i:08}")).collect();
    let refs: Vec<&str> = to.iter().map(String::as_str).collect();
    let out = e.accept(5, req(&refs, "您的申报已受理")).await.unwrap();
    let ids: Vec<MessageId> = out
        .results
        .iter()
        .map(|r| match r {
            NumberResult::Accepted { message_id, .. } => *message_id,
            other => panic!("{other:?}"),
        })
        .collect();
    let now = Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
    let outcomes = ids
        .iter()
        .map(|id| SubmitOutcome {
            message_id: *id,
            segment: 1,
            carrier_msg_id: Some(format!("m{}", id.0)),
            result: 0,
            error: None,
            at: now,
        })
        .collect();
    e.submit_outcomes(outcomes).await.unwrap();
    let report = move |id: &MessageId| ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: format!("m{}", id.0),
        stat: if id.0.is_multiple_of(10) { "UNDELIV" } else { "DELIVRD" }.into(),
        done_at: None,
        received_at: now,
        raw: String::new(),
    };
    // Four links, each reporting its share twice over (carriers repeat themselves).
    let mut links = Vec::new();
    for share in ids.chunks(750) {
        let (e, share) = (e.clone(), share.to_vec());
        links.push(tokio::spawn(async move {
            for round in 0..2 {
                for chunk in share.chunks(50 + round) {
                    e.reports(chunk.iter().map(report).collect()).await.unwrap();
                }
            }
        }));
    }
    for l in links {
        l.await.unwrap();
    }
    let mut pulled = Vec::new();
    loop {
        let page = store.feed(5, FeedConsumer::PullReports, 1000).await.unwrap();
        let Some(last) = page.last() else { break };
        pulled.extend(page.iter().map(|e| e.seq));
        store.ack_feed(5, FeedConsumer::PullReports, last.seq).await.unwrap();
    }
    assert_eq!(pulled.len(), 3000, "one event per report, repeats ignored");
    let undelivered = ids.iter().filter(|id| id.0.is_multiple_of(10)).count();
    let filter = |status| hongyan_store::MessageFilter {
        account_id: Some(5),
        status: Some(status),
        limit: 5000,
        ..Default::default()
    };
    assert_eq!(store.list_messages(filter(MessageStatus::Undelivered)).await.unwrap().len(), undelivered);
    assert_eq!(store.list_messages(filter(MessageStatus::Delivered)).await.unwrap().len(), 3000 - undelivered);
}

#[tokio::test]
async fn the_sweep_makes_silent_segments_unknown_and_a_late_report_still_counts() {
    let (e, _rx, store, clock) = engine_with_clock("reports-sweep").await;
    let out = e.accept(6, req(&["13800138000"], "通知")).await.unwrap();
    let NumberResult::Accepted { message_id, .. } = out.results[0] else { panic!() };
    let now = Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
    let sub =
        SubmitOutcome { message_id, segment: 1, carrier_msg_id: Some("late".into()), result: 0, error: None, at: now };
    e.submit_outcomes(vec![sub]).await.unwrap();
    let wait = Duration::from_secs(72 * 3600);
    assert_eq!(e.expire_unreported(wait).await.unwrap(), 0, "not yet");
    clock.0.fetch_add(72 * 3600 * 1000 + 1, Ordering::SeqCst);
    assert_eq!(e.expire_unreported(wait).await.unwrap(), 1);
    assert_eq!(store.get_message(6, message_id).await.unwrap().unwrap().status, MessageStatus::Unknown);
    let late = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "late".into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at: Timestamp::from_millis(clock.0.load(Ordering::SeqCst)),
        raw: String::new(),
    };
    e.reports(vec![late]).await.unwrap();
    assert_eq!(store.get_message(6, message_id).await.unwrap().unwrap().status, MessageStatus::Delivered);
    let stats: Vec<String> = store
        .feed(6, FeedConsumer::PullReports, 10)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|ev| match ev.item {
            hongyan_store::FeedItem::Report(r) => Some(r.stat),
            _ => None,
        })
        .collect();
    assert_eq!(stats, ["UNKNOWN", "DELIVRD"], "the client hears both, in order");
}

/// A carrier that restarted its id counter gives a new message an id an older one already
/// had: the new report settles the segment still waiting, not the old one as a "duplicate".
#[tokio::test]
async fn a_reused_carrier_id_settles_the_segment_still_waiting() {
    let (e, _rx, store, clock) = engine_with_clock("reports-reused-id").await;
    let at = |clock: &super::FixedClock| Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
    let report = |stat: &str, received_at| ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "0000000000000001".into(),
        stat: stat.into(),
        done_at: None,
        received_at,
        raw: String::new(),
    };
    let mut ids = Vec::new();
    for _ in 0..2 {
        let out = e.accept(7, req(&["13800138000"], "通知")).await.unwrap();
        let NumberResult::Accepted { message_id, .. } = out.results[0] else { panic!("{out:?}") };
        let carrier_msg_id = Some("0000000000000001".to_owned());
        let sub = SubmitOutcome { message_id, segment: 1, carrier_msg_id, result: 0, error: None, at: at(&clock) };
        e.submit_outcomes(vec![sub]).await.unwrap();
        if ids.is_empty() {
            // The older one is delivered before the carrier restarts and reuses its id.
            e.reports(vec![report("UNDELIV", at(&clock))]).await.unwrap();
        }
        ids.push(message_id);
        clock.0.fetch_add(60_000, Ordering::SeqCst);
    }
    let matched = e.reports(vec![report("DELIVRD", at(&clock))]).await.unwrap();
    let status = MessageStatus::Delivered;
    assert_eq!(matched, [hongyan_store::ReportMatch::Matched { message_id: ids[1], status }]);
    assert_eq!(store.get_message(7, ids[1]).await.unwrap().unwrap().status, MessageStatus::Delivered);
    assert_eq!(store.get_message(7, ids[0]).await.unwrap().unwrap().status, MessageStatus::Undelivered, "untouched");
    let again = e.reports(vec![report("DELIVRD", at(&clock))]).await.unwrap();
    assert_eq!(again, [hongyan_store::ReportMatch::Duplicate], "a repeat is still a repeat");
}

/// Two segments both waiting under one id: the newest submit takes the report; a newer one
/// the carrier refused (some answer a refusal with an id) is not waiting for anything.
#[tokio::test]
async fn a_reused_carrier_id_prefers_the_newest_waiting_segment() {
    let (e, _rx, store, clock) = engine_with_clock("reports-reused-newest").await;
    let mut ids = Vec::new();
    for result in [0, 0, 13] {
        let out = e.accept(8, req(&["13800138000"], "通知")).await.unwrap();
        let NumberResult::Accepted { message_id, .. } = out.results[0] else { panic!("{out:?}") };
        let at = Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
        let sub = SubmitOutcome { message_id, segment: 1, carrier_msg_id: Some("7".into()), result, error: None, at };
        e.submit_outcomes(vec![sub]).await.unwrap();
        ids.push(message_id);
        clock.0.fetch_add(60_000, Ordering::SeqCst);
    }
    let received_at = Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
    let r = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "7".into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at,
        raw: String::new(),
    };
    e.reports(vec![r]).await.unwrap();
    assert_eq!(store.get_message(8, ids[1]).await.unwrap().unwrap().status, MessageStatus::Delivered);
    assert_eq!(store.get_message(8, ids[0]).await.unwrap().unwrap().status, MessageStatus::Submitted);
    assert_eq!(store.get_message(8, ids[2]).await.unwrap().unwrap().status, MessageStatus::Failed);
}
