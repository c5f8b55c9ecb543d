//! Retention on PostgreSQL: a month of messages entirely past the period goes whole (its
//! partition dropped, with its feed events), a month that is not stays, and the statements'
//! totals of the month dropped are still there.

mod support;

use hongyan_seal::{new_entry, Algorithm, KeyRing};
use hongyan_store::prelude::*;
use hongyan_store::*;
use hongyan_store_postgres::PgStore;

/// 2021-01-10 and 2021-02-10, 00:00 UTC.
const JAN: i64 = 1_610_236_800_000;
const FEB: i64 = 1_612_915_200_000;

fn id_at(ms: i64, n: u64) -> MessageId {
    MessageId(MessageId::floor(Timestamp::from_millis(ms)).0 + n)
}

async fn tables(store: &PgStore) -> Vec<String> {
    let client = store.pool().get().await.unwrap();
    let rows = client
        .query(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE '%_y2021m%'
             ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_past_retention_is_dropped_whole_and_its_totals_stay() {
    let schema = support::fresh_schema("months").await;
    let ring = KeyRing::parse(&new_entry(1), Algorithm::Aes256Gcm).unwrap();
    let store = PgStore::open(&support::url(), Some(&schema), Some(ring)).await.unwrap();
    let account = store.create_account("etax", Timestamp::from_millis(JAN)).await.unwrap().id;
    let (jan, feb) = ([id_at(JAN, 1), id_at(JAN, 2)], id_at(FEB, 1));
    let batch =
        vec![support::message(jan[0], account), support::message(jan[1], account), support::message(feb, account)];
    store.insert_messages(batch, None).await.unwrap();
    let submitted = SubmitOutcome {
        message_id: jan[0],
        segment: 1,
        carrier_msg_id: Some("c1".into()),
        result: 0,
        error: None,
        at: Timestamp::from_millis(JAN + 10),
    };
    store.record_submits(vec![submitted]).await.unwrap();
    let report = ReportIn {
        channel: "cmpp-1".into(),
        carrier_msg_id: "c1".into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at: Timestamp::from_millis(JAN + 20),
        raw: "{}".into(),
    };
    store.apply_reports(vec![report]).await.unwrap();
    let months = ["messages_y2021m01", "messages_y2021m02", "segments_y2021m01", "segments_y2021m02"];
    assert_eq!(tables(&store).await, months, "each month its own partitions");

    let before = id_at(FEB + 5 * 86_400_000, 0);
    assert_eq!(store.drop_whole_months(before).await.unwrap(), 2, "January's two messages");
    assert_eq!(tables(&store).await, ["messages_y2021m02", "segments_y2021m02"], "January dropped whole");
    assert_eq!(store.find_message(jan[0]).await.unwrap(), None);
    assert!(store.find_message(feb).await.unwrap().is_some(), "February is not past the period yet");
    assert!(store.feed(account, FeedConsumer::PullReports, 10).await.unwrap().is_empty(), "its report event went too");
    let day = |ms: i64| MessageId::floor(Timestamp::from_millis(ms));
    let usage = store.usage(account, day(JAN - 86_400_000), day(JAN + 86_400_000)).await.unwrap();
    assert_eq!(usage.iter().map(|u| u.messages).sum::<u64>(), 2, "the statement of January is unchanged");
    assert_eq!(store.drop_whole_months(before).await.unwrap(), 0, "nothing left to drop");
}
