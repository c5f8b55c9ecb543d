//! The SQL of the feed: appending events in the transaction that records them, reading them
//! past a reader's position, and the `unknown` sweep.

use hongyan_store::{
    Carrier, FeedConsumer, FeedEvent, FeedFilter, FeedItem, FeedKind, MessageId, MessageStatus, MoRecord, NewMo,
    Result, SegmentReport, Timestamp,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::{backend, mo_ops};

/// Appends one event to an account's feed.
pub(crate) fn append(
    conn: &Connection,
    account_id: i64,
    kind: FeedKind,
    ref_id: i64,
    segment: u8,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO feed (account_id, kind, ref_id, segment, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![account_id, kind.as_str(), ref_id, segment, now.as_millis()])?;
    Ok(())
}

/// A segment's report goes to the feed of the message's account, as it is now: `stat`, and
/// the message's aggregate `status`.
pub(crate) fn append_report(
    conn: &Connection,
    (account_id, message_id, segment): (i64, i64, u8),
    stat: &str,
    status: MessageStatus,
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO feed (account_id, kind, ref_id, segment, created_at, stat, status)
         VALUES (?1, 'report', ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![account_id, message_id, segment, now.as_millis(), stat, status.as_str()])?;
    Ok(())
}

pub(crate) fn record_mo(conn: &Connection, mo: &NewMo, slots: usize) -> Result<MoRecord> {
    let unsubscribed = mo.unsubscribes();
    let id = conn
        .prepare_cached(
            "INSERT INTO mo_messages (account_id, channel, from_number, from_hash, to_number, extension, content, unsubscribed, received_at)
             VALUES (?1, ?2, hy_seal('from', ?3), hy_index(?3, 0), ?4, ?5, hy_seal('content', ?6), ?7, ?8) RETURNING id",
        )
        .and_then(|mut s| {
            s.query_row(
                params![
                    mo.account_id,
                    mo.channel,
                    mo.from,
                    mo.to,
                    mo.extension,
                    mo.text,
                    unsubscribed,
                    mo.received_at.as_millis()
                ],
                |r| r.get::<_, i64>(0),
            )
        })
        .map_err(backend)?;
    if let Some(account_id) = mo.account_id {
        append(conn, account_id, FeedKind::Mo, id, 0, mo.received_at).map_err(backend)?;
        if let Some(word) = &mo.unsubscribe {
            mo_ops::unsubscribe(conn, account_id, &mo.from, word, mo.received_at, slots)?;
        }
    }
    Ok(mo.recorded(id))
}

pub(crate) fn cursor(conn: &Connection, account_id: i64, consumer: FeedConsumer) -> rusqlite::Result<u64> {
    let acked = conn
        .prepare_cached("SELECT acked FROM feed_cursors WHERE account_id = ?1 AND consumer = ?2")?
        .query_row(params![account_id, consumer.as_str()], |r| r.get::<_, i64>(0))
        .optional()?;
    Ok(acked.unwrap_or(0) as u64)
}

/// Moves a reader's cursor up to `seq`, never past the feed's end: its next events will have
/// higher numbers (the whole feed's end, not the account's, which would need a scan of every
/// event the account ever had).
pub(crate) fn ack(conn: &Connection, account_id: i64, consumer: FeedConsumer, seq: u64) -> rusqlite::Result<u64> {
    conn.prepare_cached(
        "INSERT INTO feed_cursors (account_id, consumer, acked)
         VALUES (?1, ?2, min(?3, coalesce((SELECT max(seq) FROM feed), 0)))
         ON CONFLICT (account_id, consumer) DO UPDATE SET acked = max(acked, excluded.acked)",
    )?
    .execute(params![account_id, consumer.as_str(), seq as i64])?;
    cursor(conn, account_id, consumer)
}

/// The columns [`event`] reads, then the account.
const EVENT_SELECT: &str = "SELECT f.seq, f.kind, f.segment,
        m.id, hy_open('to', m.to_number), m.segments, coalesce(f.status, m.status), coalesce(f.stat, s.report_stat), s.done_at,
        coalesce(f.created_at, s.reported_at),
        o.id, o.account_id, o.channel, hy_open('from', o.from_number), o.to_number, o.extension,
        hy_open('content', o.content), o.unsubscribed, o.received_at,
        m.callback_url, f.account_id";

/// Where [`EVENT_SELECT`]'s columns (and the raw report after them) come from.
const EVENT_JOINS: &str = "FROM feed f
    LEFT JOIN messages m ON f.kind = 'report' AND m.id = f.ref_id
    LEFT JOIN segments s ON f.kind = 'report' AND s.message_id = f.ref_id AND s.number = f.segment
    LEFT JOIN mo_messages o ON f.kind = 'mo' AND o.id = f.ref_id";

fn event_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            // The raw report is for people looking back, not for what is pushed or pulled:
            // no opening of sealed blobs on that path.
            // One kind at a time, so the index (account, kind, seq) gives the rows in order
            // from the cursor and the LIMIT stops the scan: with "kind IN (…)" SQLite read,
            // joined and sorted every event the account ever had, on every call.
            "{EVENT_SELECT}, NULL {EVENT_JOINS}
             WHERE f.account_id = ?1 AND f.kind = ?2 AND f.seq > ?3 AND (?4 OR f.push_only = 0)
             ORDER BY f.seq LIMIT +?5"
        )
    })
}

pub(crate) fn history(conn: &Connection, f: &FeedFilter, slots: usize) -> rusqlite::Result<Vec<(i64, FeedEvent)>> {
    let Some(kind) = f.kind.filter(|k| *k != FeedKind::Final) else { return Ok(Vec::new()) };
    let mut stmt = conn.prepare_cached(&history_sql(kind, f.from_number.is_some(), slots))?;
    let before = f.before_seq.map_or(i64::MAX, |s| s as i64);
    let millis = |t: Option<Timestamp>| t.map(Timestamp::as_millis);
    let rows = stmt.query_map(
        params![
            f.account_id,
            millis(f.from),
            millis(f.to),
            f.stat,
            before,
            f.limit as i64,
            f.carrier.map(Carrier::as_str),
            f.channel,
            f.from_number
        ],
        |r| Ok((r.get::<_, i64>(20)?, event(r)?)),
    )?;
    rows.collect()
}

/// Events of one kind looked back on, newest first. The kind is written into the text (it is
/// one of our own names), so SQLite sees `kind = 'mo'` when it plans and walks the replies'
/// own index; reports, most of the feed, are found walking the feed itself.
pub(crate) fn history_sql(kind: FeedKind, by_sender: bool, slots: usize) -> String {
    let from = match by_sender {
        true => crate::sql_fns::hash_matches("o.from_hash", 9, 1, slots),
        false => "?9 IS NULL".to_owned(),
    };
    format!(
        "{EVENT_SELECT}, hy_open('raw', s.report_raw) {EVENT_JOINS}
         WHERE f.kind = '{kind}' AND f.push_only = 0 AND (?1 IS NULL OR f.account_id = ?1)
           AND (?2 IS NULL OR f.created_at >= ?2) AND (?3 IS NULL OR f.created_at < ?3)
           AND (?4 IS NULL OR f.stat = ?4) AND f.seq < ?5
           AND (?7 IS NULL OR m.carrier = ?7) AND (?8 IS NULL OR s.channel = ?8) AND {from}
         ORDER BY f.seq DESC LIMIT +?6",
        kind = kind.as_str()
    )
}

pub(crate) fn events(
    conn: &Connection,
    account_id: i64,
    consumer: FeedConsumer,
    limit: usize,
) -> rusqlite::Result<Vec<FeedEvent>> {
    let after = cursor(conn, account_id, consumer)?;
    match consumer {
        FeedConsumer::Smpp => return crate::client_ops::final_events(conn, account_id, "smpp", after, limit),
        FeedConsumer::Cmpp => return crate::client_ops::final_events(conn, account_id, "cmpp", after, limit),
        _ => {}
    }
    let mut stmt = conn.prepare_cached(event_sql())?;
    let mut of_kind = |kind: FeedKind, push: bool| -> rusqlite::Result<Vec<FeedEvent>> {
        stmt.query_map(params![account_id, kind.as_str(), after as i64, push, limit as i64], event)?.collect()
    };
    match consumer.kind() {
        Some(kind) => of_kind(kind, false),
        // The pusher takes reports and replies (and what was put back for it alone), merged
        // in the feed's order.
        None => {
            let mut events = of_kind(FeedKind::Report, true)?;
            events.extend(of_kind(FeedKind::Mo, true)?);
            events.sort_unstable_by_key(|e| e.seq);
            events.truncate(limit);
            Ok(events)
        }
    }
}

fn event(r: &Row<'_>) -> rusqlite::Result<FeedEvent> {
    let seq = r.get::<_, i64>(0)? as u64;
    let kind: String = r.get(1)?;
    let item = if kind == FeedKind::Mo.as_str() {
        FeedItem::Mo(MoRecord {
            id: r.get(10)?,
            account_id: r.get(11)?,
            channel: r.get(12)?,
            from: r.get(13)?,
            to: r.get(14)?,
            extension: r.get(15)?,
            text: r.get(16)?,
            unsubscribed: r.get(17)?,
            received_at: Timestamp::from_millis(r.get(18)?),
        })
    } else {
        let status: String = r.get(6)?;
        FeedItem::Report(SegmentReport {
            message_id: MessageId(r.get::<_, i64>(3)? as u64),
            to: r.get(4)?,
            segment: r.get(2)?,
            segments: r.get(5)?,
            stat: r.get(7)?,
            done_at: r.get::<_, Option<i64>>(8)?.map(Timestamp::from_millis),
            reported_at: Timestamp::from_millis(r.get(9)?),
            status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Submitted),
            raw: r.get(21)?,
        })
    };
    Ok(FeedEvent { seq, item, callback_url: r.get(19)? })
}

/// The stat a segment gets when no report came in time, and the raw text that marks it as
/// ours, so that a carrier's late report may still replace it.
pub(crate) const NO_REPORT: &str = "UNKNOWN";
pub(crate) const NO_REPORT_RAW: &str = "no status report arrived in time";

/// Segments expired per call, so one sweep never holds the writer for long.
pub(crate) const EXPIRE_BATCH: usize = 5000;

pub(crate) fn expire_unreported(
    conn: &crate::writing::Writing<'_>,
    before: Timestamp,
    now: Timestamp,
) -> Result<usize> {
    let expired: Vec<(i64, u8)> = conn
        .prepare_cached(
            "UPDATE segments SET report_stat = ?3, reported_at = ?2, report_raw = hy_seal('raw', ?4)
             WHERE (message_id, number) IN (
                 SELECT message_id, number FROM segments
                 WHERE report_stat IS NULL AND submit_result = 0 AND submitted_at < ?1 LIMIT +?5)
             RETURNING message_id, number",
        )
        .and_then(|mut s| {
            let args = params![before.as_millis(), now.as_millis(), NO_REPORT, NO_REPORT_RAW, EXPIRE_BATCH as i64];
            let rows = s.query_map(args, |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<_>>()
        })
        .map_err(backend)?;
    for &(message_id, number) in &expired {
        let (status, account_id) = crate::write_ops::aggregate(conn, message_id, now).map_err(backend)?;
        append_report(conn, (account_id, message_id, number), NO_REPORT, status, now).map_err(backend)?;
    }
    conn.prepare_cached("DELETE FROM early_reports WHERE received_at < ?1")
        .and_then(|mut s| s.execute([before.as_millis()]))
        .map_err(backend)?;
    Ok(expired.len())
}
