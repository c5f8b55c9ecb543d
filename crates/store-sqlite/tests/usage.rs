//! The statements' daily totals (`usage_daily`) and the sending chart's per-minute counts
//! (`accepted_minutely`) always say what the messages themselves say: after every kind of
//! write — acceptance, a carrier's answer (refused, accepted, answered again), reports that
//! settle, fail or overtake their submit, expiry, failover to another channel, a request
//! taken back — the totals equal a count made from the message and segment rows.

use std::path::PathBuf;

use hongyan_store::*;
use hongyan_store_sqlite::SqliteStore;
use rusqlite::Connection;

const DAY_MS: i64 = 86_400_000;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_795_910_782_000 + ms)
}

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hongyan-usage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("hongyan.db")
}

/// Message `id` of `segments`, accepted on day `day` (0 or 1); the id picks its carrier,
/// category and price, so the lines differ.
fn message(id: u64, account_id: i64, segments: u8, day: i64) -> NewMessage {
    let carrier = [Carrier::ChinaMobile, Carrier::ChinaUnicom, Carrier::ChinaTelecom][id as usize % 3];
    NewMessage {
        id: MessageId(id),
        account_id,
        to: format!("139{:08}", id),
        carrier,
        category: if id.is_multiple_of(2) { Category::VERIFICATION } else { Category::NOTIFICATION },
        content: "您的验证码是 123456".into(),
        segments,
        channel: "cmpp-a".into(),
        source_ext: String::new(),
        accepted_at: t(day * DAY_MS + id as i64 * 1_000),
        send_at: None,
        callback_url: None,
        provenance: Default::default(),
        unit_price: (!id.is_multiple_of(4)).then_some(Money(300 + id as i64)),
    }
}

fn answer(id: u64, segment: u8, result: u32) -> SubmitOutcome {
    SubmitOutcome {
        message_id: MessageId(id),
        segment,
        carrier_msg_id: (result == 0).then(|| format!("c{id}-{segment}")),
        result,
        error: (result != 0).then(|| "refused".into()),
        at: t(2 * DAY_MS),
    }
}

fn report(id: u64, segment: u8, stat: &str) -> ReportIn {
    ReportIn {
        channel: "cmpp-a".into(),
        carrier_msg_id: format!("c{id}-{segment}"),
        stat: stat.into(),
        done_at: None,
        received_at: t(2 * DAY_MS + 5_000),
        raw: format!("id:c{id}-{segment} stat:{stat}"),
    }
}

type Lines = Vec<(i64, i64, String, String, String, String, i64, i64, i64, i64)>;

fn lines(conn: &Connection, sql: &str) -> Lines {
    let mut stmt = conn.prepare(sql).unwrap();
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
            r.get(8)?,
            r.get(9)?,
        ))
    });
    rows.unwrap().collect::<rusqlite::Result<_>>().unwrap()
}

/// The kept totals and the totals counted from the rows, each sorted, lines of nothing left out.
fn kept_and_counted(conn: &Connection) -> (Lines, Lines) {
    let kept = lines(
        conn,
        "SELECT account_id, day, carrier, category, channel, status, messages, billed_segments, priced_segments, amount
         FROM usage_daily
         WHERE messages <> 0 OR billed_segments <> 0 OR priced_segments <> 0 OR amount <> 0
         ORDER BY 1, 2, 3, 4, 5, 6",
    );
    let counted = lines(
        conn,
        "SELECT account_id, (accepted_at + 28800000) / 86400000, carrier, category, channel, status, count(*),
                sum(billed), sum(iif(unit_price IS NULL, 0, billed)), sum(coalesce(unit_price, 0) * billed)
         FROM (SELECT m.*, (SELECT count(*) FROM segments s WHERE s.message_id = m.id AND s.submit_result = 0) AS billed
               FROM messages m)
         GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6",
    );
    (kept, counted)
}

/// Messages per account and minute.
type Minutes = Vec<(i64, i64, i64)>;

fn minutes(conn: &Connection) -> (Minutes, Minutes) {
    let read = |sql: &str| -> Minutes {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    (
        read("SELECT account_id, minute, messages FROM accepted_minutely WHERE messages <> 0 ORDER BY 1, 2"),
        read("SELECT account_id, accepted_at / 60000, count(*) FROM messages GROUP BY 1, 2 ORDER BY 1, 2"),
    )
}

fn assert_true_to_the_rows(db: &std::path::Path, after: &str) {
    let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let (kept, counted) = kept_and_counted(&conn);
    assert!(!counted.is_empty(), "{after}: there are messages to count");
    assert_eq!(kept, counted, "{after}: the daily totals say what the messages say");
    let (kept, counted) = minutes(&conn);
    assert_eq!(kept, counted, "{after}: the per-minute counts say what the messages say");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_totals_follow_every_write_of_a_message() {
    let db = fresh("every-write");
    let store = SqliteStore::open(&db).unwrap();
    let a = store.create_account("etax", t(0)).await.unwrap().id;
    let b = store.create_account("interaction", t(0)).await.unwrap().id;

    // Ones and threes, two accounts, two days.
    let batch: Vec<NewMessage> = (1..=24)
        .map(|id| message(id, if id % 5 == 0 { b } else { a }, if id % 3 == 0 { 3 } else { 1 }, (id % 2) as i64))
        .collect();
    store.insert_messages(batch, None).await.unwrap();
    assert_true_to_the_rows(&db, "acceptance");

    // A request whose reference was used before is refused whole, and counts nothing.
    let record = |r: &str| RequestRecord {
        account_id: a,
        client_ref: r.into(),
        answer: Some("[]".into()),
        request_hash: None,
        created_at: t(0),
        origin: None,
    };
    store.insert_messages(vec![message(30, a, 1, 0)], Some(record("ref-1"))).await.unwrap();
    let again = store.insert_messages(vec![message(31, a, 1, 0), message(32, a, 3, 1)], Some(record("ref-1")));
    assert!(again.await.is_err(), "a reference used before is a conflict");
    assert_true_to_the_rows(&db, "a refused request");

    // The carriers answer: most accept, some refuse, a three-part message loses one part.
    let mut answers = Vec::new();
    for id in (1..=24).chain([30]) {
        let parts = if id % 3 == 0 && id != 30 { 3 } else { 1 };
        for part in 1..=parts {
            let refused = id % 7 == 0 || (id == 9 && part == 2);
            answers.push(answer(id, part, if refused { 8 } else { 0 }));
        }
    }
    // A report that overtakes its submit's answer is kept aside, then applied.
    store.apply_reports(vec![report(4, 1, "DELIVRD")]).await.unwrap();
    store.record_submits(answers).await.unwrap();
    assert_true_to_the_rows(&db, "the carriers' answers");

    // An answer given again (the same, and a refusal turned acceptance) bills once.
    store.record_submits(vec![answer(1, 1, 0), answer(14, 1, 0)]).await.unwrap();
    assert_true_to_the_rows(&db, "answers given again");

    // Reports: delivered, undelivered, one part of three, a repeat.
    let reports = vec![
        report(1, 1, "DELIVRD"),
        report(2, 1, "UNDELIV"),
        report(3, 1, "DELIVRD"),
        report(3, 2, "DELIVRD"),
        report(6, 1, "DELIVRD"),
        report(6, 2, "EXPIRED"),
        report(1, 1, "DELIVRD"),
        report(10, 1, "DELIVRD"),
    ];
    store.apply_reports(reports).await.unwrap();
    assert_true_to_the_rows(&db, "reports");
    let conn = Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let (kept, _) = kept_and_counted(&conn);
    assert!(kept.iter().any(|l| l.5 == "submitted" && l.7 > 0), "submitted messages, billed: {kept:?}");

    // Failover moves waiting messages to another channel; a failure ends others.
    let waiting = vec![MessageId(21), MessageId(7)];
    store.reassign_channel(waiting, "cmpp-a".into(), "cmpp-b".into()).await.unwrap();
    store.insert_messages(vec![message(40, b, 1, 0), message(41, b, 3, 1)], None).await.unwrap();
    store.reassign_channel(vec![MessageId(40), MessageId(41)], "cmpp-a".into(), "cmpp-b".into()).await.unwrap();
    store
        .fail_messages(vec![(MessageId(41), "no route".into()), (MessageId(1), "too late".into())], t(3))
        .await
        .unwrap();
    assert_true_to_the_rows(&db, "failover and failures");

    // The platform's own "no report in time" for every segment still waiting.
    store.expire_unreported(t(3 * DAY_MS), t(3 * DAY_MS)).await.unwrap();
    assert_true_to_the_rows(&db, "expiry");

    // The run went through every kind of line the statements show.
    let (kept, _) = kept_and_counted(&conn);
    let states: std::collections::BTreeSet<&str> = kept.iter().map(|l| l.5.as_str()).collect();
    for state in ["accepted", "delivered", "undelivered", "expired", "failed", "unknown"] {
        assert!(states.contains(state), "a line of {state} messages: {states:?}");
    }
    assert!(kept.iter().any(|l| l.4 == "cmpp-b" && l.6 > 0), "moved messages are counted on their new channel");
    assert!(kept.iter().any(|l| l.7 > l.8 && l.9 > 0), "billed, priced and unpriced segments: {kept:?}");
    store.close().await.unwrap();
}
