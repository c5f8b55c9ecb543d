//! Batches: links hand the store their answers and reports a batch at a time, and a backend
//! may write a batch in a few statements (PostgreSQL does). What each message ends as, what
//! is billed and what its client is fed must still be what one write at a time gives.

use hongyan_store::*;

use crate::{accepted, message, report, t};

fn matched(id: u64, status: MessageStatus) -> ReportMatch {
    ReportMatch::Matched { message_id: MessageId(id), status }
}

pub(crate) async fn batches_decide_as_one_at_a_time(store: &dyn Store) {
    let d = store.create_account("batches", t(0)).await.unwrap().id;
    let numbers = [(1300, 2), (1301, 2), (1302, 1), (1303, 1), (1304, 1), (1305, 1)];
    let batch = numbers.iter().map(|&(id, segments)| message(id, d, &format!("138001{id}"), segments)).collect();
    store.insert_messages(batch, None).await.unwrap();
    assert_eq!(store.apply_reports(vec![report("B1303", "DELIVRD")]).await.unwrap(), [ReportMatch::Unmatched]);
    let refused =
        SubmitOutcome { result: 8, carrier_msg_id: None, error: Some("flow control".into()), ..accepted(1300, 1, "") };
    store
        .record_submits(vec![
            refused,
            accepted(1300, 2, "B1300b"),
            accepted(1301, 1, "B1301a"),
            accepted(1301, 2, "B1301b"),
            accepted(1302, 1, "B1302-late"),
            accepted(1302, 1, "B1302"),
            accepted(1303, 1, "B1303"),
            accepted(1304, 1, "R"),
            SubmitOutcome { at: t(20), ..accepted(1305, 1, "R") },
        ])
        .await
        .unwrap();
    let got = |id| async move { store.get_message(d, MessageId(id)).await.unwrap().unwrap() };
    let failed = got(1300).await;
    assert_eq!((failed.status, failed.error.as_deref()), (MessageStatus::Failed, Some("flow control")));
    assert_eq!(got(1301).await.status, MessageStatus::Submitted, "both segments accepted in one batch");
    let again = got(1302).await;
    assert_eq!(again.segments[0].carrier_msg_id.as_deref(), Some("B1302"), "the later answer stands");
    assert_eq!(got(1303).await.status, MessageStatus::Delivered, "the held report found its answer in the batch");

    let matches = store
        .apply_reports(vec![
            report("B1301a", "DELIVRD"),
            report("B1301b", "UNDELIV"),
            report("B1302", "DELIVRD"),
            report("R", "DELIVRD"),
            report("B1300b", "DELIVRD"),
            report("B1301a", "DELIVRD"),
            report("R", "EXPIRED"),
            report("B1302-late", "DELIVRD"),
        ])
        .await
        .unwrap();
    let expected = [
        matched(1301, MessageStatus::Submitted),
        matched(1301, MessageStatus::Undelivered),
        matched(1302, MessageStatus::Delivered),
        matched(1305, MessageStatus::Delivered),
        matched(1300, MessageStatus::Failed),
        ReportMatch::Duplicate,
        matched(1304, MessageStatus::Expired),
        ReportMatch::Unmatched,
    ];
    assert_eq!(matches, expected, "a reused id goes to the submit still waiting, newest first");
    let long = got(1301).await;
    assert_eq!((long.status, long.error.as_deref()), (MessageStatus::Undelivered, Some("UNDELIV")));
    assert_eq!(got(1300).await.status, MessageStatus::Failed, "a failed message stays failed");

    let fed = store.feed(d, FeedConsumer::PullReports, 20).await.unwrap();
    let fed: Vec<(u64, u8, &str, MessageStatus)> = fed
        .iter()
        .filter_map(|e| match &e.item {
            FeedItem::Report(r) => Some((r.message_id.0, r.segment, r.stat.as_str(), r.status)),
            _ => None,
        })
        .collect();
    let report_fed = [
        (1303, 1, "DELIVRD", MessageStatus::Delivered),
        (1301, 1, "DELIVRD", MessageStatus::Submitted),
        (1301, 2, "UNDELIV", MessageStatus::Undelivered),
        (1302, 1, "DELIVRD", MessageStatus::Delivered),
        (1305, 1, "DELIVRD", MessageStatus::Delivered),
        (1300, 2, "DELIVRD", MessageStatus::Failed),
        (1304, 1, "EXPIRED", MessageStatus::Expired),
    ];
    assert_eq!(fed, report_fed, "each report with the state its message had then");

    let all = (MessageId(0), MessageId(u64::MAX >> 1));
    let lines = store.usage(d, all.0, all.1).await.unwrap();
    let sum = |f: fn(&Usage) -> u64| lines.iter().map(f).sum::<u64>();
    assert_eq!(sum(|u| u.messages), 6);
    assert_eq!(sum(|u| u.billed_segments), 7, "a refused segment is not billed, a segment answered twice once");
    assert_eq!(sum(|u| u.delivered), 3);
}
