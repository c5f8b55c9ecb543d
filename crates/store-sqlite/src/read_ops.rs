//! The SQL of every read. Each function gets a read-only connection.

use hongyan_store::{
    Carrier, Category, KeyWithAccount, MessageDetail, MessageFilter, MessageId, MessageStatus, Money, NewMessage,
    PendingMessage, Provenance, SegmentDetail, StoredRequest, Timestamp,
};
use rusqlite::types::Type;

use rusqlite::{params, Connection, OptionalExtension, Row};

pub(crate) fn find_api_key(conn: &Connection, key_id: &str) -> rusqlite::Result<Option<KeyWithAccount>> {
    use crate::account_ops::{account, key, ACCOUNT_COLUMNS, KEY_COLUMNS};
    let sql = format!("SELECT {KEY_COLUMNS}, {ACCOUNT_COLUMNS} FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.key_id = ?1");
    conn.prepare_cached(&sql)?
        .query_row([key_id], |r| Ok(KeyWithAccount { key: key(r)?, account: account(r, 6)? }))
        .optional()
}

pub(crate) const MESSAGE_COLUMNS: &str =
    "id, account_id, hy_open('to', to_number), carrier, category, hy_open('content', content), segments, channel, accepted_at,
     source_ext, status, error, submitted_at, completed_at, send_at, callback_url,
     sender, interface, client_addr, client_ref, template_id, unit_price";

fn bad(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, format!("unknown {what}").into())
}

fn new_message(r: &Row<'_>) -> rusqlite::Result<NewMessage> {
    let carrier: String = r.get(3)?;
    let category: String = r.get(4)?;
    Ok(NewMessage {
        id: MessageId(r.get::<_, i64>(0)? as u64),
        account_id: r.get(1)?,
        to: r.get(2)?,
        carrier: Carrier::parse(&carrier).ok_or_else(|| bad(3, "carrier"))?,
        category: Category::from_stored(&category).map_err(|_| bad(4, "category"))?,
        content: r.get(5)?,
        segments: r.get(6)?,
        channel: r.get(7)?,
        accepted_at: Timestamp::from_millis(r.get(8)?),
        source_ext: r.get(9)?,
        send_at: r.get::<_, Option<i64>>(14)?.map(Timestamp::from_millis),
        callback_url: r.get(15)?,
        provenance: std::sync::Arc::new(Provenance {
            sender: r.get(16)?,
            interface: r.get(17)?,
            client_addr: r.get(18)?,
            client_ref: r.get(19)?,
            template_id: r.get(20)?,
        }),
        unit_price: r.get::<_, Option<i64>>(21)?.map(Money),
    })
}

pub(crate) fn message_detail(r: &Row<'_>) -> rusqlite::Result<MessageDetail> {
    let status: String = r.get(10)?;
    Ok(MessageDetail {
        message: new_message(r)?,
        status: MessageStatus::parse(&status).ok_or_else(|| bad(10, "status"))?,
        error: r.get(11)?,
        submitted_at: r.get::<_, Option<i64>>(12)?.map(Timestamp::from_millis),
        completed_at: r.get::<_, Option<i64>>(13)?.map(Timestamp::from_millis),
        segments: Vec::new(),
    })
}

pub(crate) fn segments_of(conn: &Connection, id: MessageId) -> rusqlite::Result<Vec<SegmentDetail>> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, carrier_msg_id, submit_result, submitted_at, report_stat, done_at, reported_at, hy_open('raw', report_raw)
         FROM segments WHERE message_id = ?1 ORDER BY number",
    )?;
    let rows = stmt.query_map([id.0 as i64], |r| {
        Ok(SegmentDetail {
            number: r.get(0)?,
            carrier_msg_id: r.get(1)?,
            submit_result: r.get(2)?,
            submitted_at: Timestamp::from_millis(r.get(3)?),
            report_stat: r.get(4)?,
            done_at: r.get::<_, Option<i64>>(5)?.map(Timestamp::from_millis),
            reported_at: r.get::<_, Option<i64>>(6)?.map(Timestamp::from_millis),
            report_raw: r.get(7)?,
        })
    })?;
    rows.collect()
}

/// One message: of `account_id` only, or (`None`) of any account.
pub(crate) fn get_message(
    conn: &Connection,
    account_id: Option<i64>,
    id: MessageId,
) -> rusqlite::Result<Option<MessageDetail>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1 AND (?2 IS NULL OR account_id = ?2)");
    let Some(mut detail) =
        conn.prepare_cached(&sql)?.query_row(params![id.0 as i64, account_id], message_detail).optional()?
    else {
        return Ok(None);
    };
    detail.segments = segments_of(conn, id)?;
    Ok(Some(detail))
}

/// The states kept in the partial `messages_by_account_status` index.
fn ended_undelivered(s: MessageStatus) -> bool {
    !matches!(s, MessageStatus::Accepted | MessageStatus::Queued | MessageStatus::Submitted | MessageStatus::Delivered)
}

/// The listing statement for the filters present. One filter leads the walk, newest first,
/// through its index: the recipient (its keyed hash, under each slot of the ring), the client
/// reference, the sender, the account, or else the time-ordered id itself; the rest narrow it.
/// `INDEXED BY` because, without statistics, SQLite would rather walk (account_id, id) newest
/// first for the ORDER BY and test every row of the account: a third of a second at a million
/// messages instead of a fraction of a millisecond. Every parameter is named in every shape
/// (`?n IS NULL` where a filter is absent), so one binding serves them all.
pub(crate) fn list_sql(f: &MessageFilter, slots: usize) -> String {
    search_sql(f, slots, MESSAGE_COLUMNS)
}

/// [`list_sql`] selecting `columns`.
fn search_sql(f: &MessageFilter, slots: usize, columns: &str) -> String {
    let (index, lead) = match () {
        () if f.to.is_some() => {
            ("INDEXED BY messages_by_to_hash", crate::sql_fns::hash_matches("to_hash", 2, 1, slots))
        }
        () if f.client_ref.is_some() => ("INDEXED BY messages_by_client_ref", "client_ref = ?4".to_owned()),
        () if f.sender.is_some() => ("INDEXED BY messages_by_sender", "sender = ?3".to_owned()),
        // The state written into the SQL (a closed set of names) so the partial index applies.
        () if f.account_id.is_some() && f.status.is_some_and(ended_undelivered) => {
            let state = f.status.map_or("", MessageStatus::as_str);
            // SQLite takes a partial index only when the query repeats its condition.
            let lead = format!(
                "status = '{state}' AND status <> 'accepted' AND status <> 'queued' AND status <> 'submitted'
                 AND status <> 'delivered'"
            );
            ("INDEXED BY messages_by_account_status", lead)
        }
        () if f.account_id.is_some() => ("INDEXED BY messages_by_account", "?2 IS NULL".to_owned()),
        () => ("", "?2 IS NULL".to_owned()),
    };
    let present = |v: bool, clause: &str, absent: &str| if v { clause.to_owned() } else { absent.to_owned() };
    let account = present(f.account_id.is_some(), "account_id = ?1", "?1 IS NULL");
    let sender = present(f.sender.is_some(), "sender = ?3", "?3 IS NULL");
    let client_ref = present(f.client_ref.is_some(), "client_ref = ?4", "?4 IS NULL");
    format!(
        "SELECT {columns} FROM messages {index}
         WHERE {lead} AND {account} AND {sender} AND {client_ref}
           AND (?5 IS NULL OR status = ?5) AND (?6 IS NULL OR carrier = ?6) AND (?7 IS NULL OR category = ?7)
           AND (?8 IS NULL OR channel = ?8) AND (?9 IS NULL OR template_id = ?9)
           AND id >= ?10 AND id < ?11
         ORDER BY id DESC LIMIT +?12"
    )
}

/// The WHERE of [`list_sql`] under a count that stops at the cap.
pub(crate) fn count_messages(conn: &Connection, f: &MessageFilter, cap: u64, slots: usize) -> rusqlite::Result<u64> {
    let f = MessageFilter { before: None, limit: usize::try_from(cap).unwrap_or(usize::MAX), ..f.clone() };
    let sql = format!("SELECT count(*) FROM ({})", search_sql(&f, slots, "1"));
    let mut stmt = conn.prepare_cached(&sql)?;
    stmt.query_row(rusqlite::params_from_iter(bind(&f).iter()), |r| r.get::<_, i64>(0)).map(|n| n as u64)
}

/// The twelve parameters every shape of [`list_sql`] names.
fn bind(f: &MessageFilter) -> Vec<Box<dyn rusqlite::ToSql>> {
    let lower = f.since.map_or(0, |t| MessageId::floor(t).0 as i64);
    let mut upper = f.until.map_or(i64::MAX, |t| MessageId::floor(t).0 as i64);
    if let Some(before) = f.before {
        upper = upper.min(before.0 as i64);
    }
    vec![
        Box::new(f.account_id),
        Box::new(f.to.clone()),
        Box::new(f.sender.clone()),
        Box::new(f.client_ref.clone()),
        Box::new(f.status.map(MessageStatus::as_str)),
        Box::new(f.carrier.map(Carrier::as_str)),
        Box::new(f.category.as_ref().map(Category::stored)),
        Box::new(f.channel.clone()),
        Box::new(f.template_id),
        Box::new(lower),
        Box::new(upper),
        Box::new(f.limit as i64),
    ]
}

pub(crate) fn list_messages(
    conn: &Connection,
    f: &MessageFilter,
    slots: usize,
) -> rusqlite::Result<Vec<MessageDetail>> {
    let mut stmt = conn.prepare_cached(&list_sql(f, slots))?;
    let params = bind(f);
    let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), message_detail)?;
    let mut out: Vec<MessageDetail> = rows.collect::<rusqlite::Result<_>>()?;
    for d in &mut out {
        d.segments = segments_of(conn, d.message.id)?;
    }
    Ok(out)
}

pub(crate) fn pending_dispatch(
    conn: &Connection,
    after: MessageId,
    limit: usize,
) -> rusqlite::Result<Vec<PendingMessage>> {
    let sql =
        format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE status = 'accepted' AND id > ?1 ORDER BY id LIMIT +?2");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![after.0 as i64, limit as i64], new_message)?;
    let messages: Vec<NewMessage> = rows.collect::<rusqlite::Result<_>>()?;
    let mut done = conn.prepare_cached("SELECT number FROM segments WHERE message_id = ?1 AND submit_result = 0")?;
    messages
        .into_iter()
        .map(|message| {
            let done_segments =
                done.query_map([message.id.0 as i64], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            Ok(PendingMessage { message, done_segments })
        })
        .collect()
}

pub(crate) fn oldest_due(conn: &Connection, now: Timestamp) -> rusqlite::Result<Option<Timestamp>> {
    // The partial index of accepted messages, in id (= time) order: the first due one is near
    // the front unless many scheduled ones wait before it.
    let sql = "SELECT max(accepted_at, coalesce(send_at, 0)) FROM messages \
               WHERE status = 'accepted' AND (send_at IS NULL OR send_at <= ?1) ORDER BY id LIMIT 1";
    let at: Option<i64> = conn.prepare_cached(sql)?.query_row([now.as_millis()], |r| r.get(0)).optional()?;
    Ok(at.map(Timestamp::from_millis))
}

pub(crate) fn pending_by_ids(conn: &Connection, ids: &[MessageId]) -> rusqlite::Result<Vec<PendingMessage>> {
    let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1 AND status = 'accepted'");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut done = conn.prepare_cached("SELECT number FROM segments WHERE message_id = ?1 AND submit_result = 0")?;
    let mut out = Vec::new();
    for id in ids {
        let Some(message) = stmt.query_row([id.0 as i64], new_message).optional()? else { continue };
        // A one-segment message the carrier took is no longer `accepted` (its answer and its
        // new status are written together): only a longer one can have parts already sent.
        let done_segments = match message.segments {
            1 => Vec::new(),
            _ => done.query_map([id.0 as i64], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?,
        };
        out.push(PendingMessage { message, done_segments });
    }
    Ok(out)
}

pub(crate) fn max_message_id(conn: &Connection) -> rusqlite::Result<u64> {
    conn.query_row("SELECT coalesce(max(id), 0) FROM messages", [], |r| r.get::<_, i64>(0)).map(|v| v as u64)
}

pub(crate) fn find_request(
    conn: &Connection,
    account_id: i64,
    client_ref: &str,
) -> rusqlite::Result<Option<StoredRequest>> {
    conn.prepare_cached(
        "SELECT hy_open('answer', answer), request_hash FROM client_requests WHERE account_id = ?1 AND client_ref = ?2",
    )?
    .query_row(params![account_id, client_ref], |r| Ok(StoredRequest { answer: r.get(0)?, request_hash: r.get(1)? }))
    .optional()
}

#[cfg(test)]
mod tests {
    /// The plan SQLite chooses, as its EXPLAIN QUERY PLAN lines.
    fn plan(conn: &rusqlite::Connection, sql: &str) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
        let rows = stmt.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn every_search_walks_an_index_newest_first() {
        use hongyan_store::{MessageFilter, MessageStatus};
        let dir = std::env::temp_dir().join(format!("hongyan-plan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ring =
            hongyan_seal::KeyRing::parse(&hongyan_seal::new_entry(1), hongyan_seal::Algorithm::Aes256Gcm).unwrap();
        let conn = crate::schema::open_writer(&dir.join("db"), Some(&ring)).unwrap();
        for slots in [1, hongyan_seal::INDEX_SLOTS] {
            let to = Some("13800138000".to_owned());
            for account_id in [Some(1), None] {
                let f = MessageFilter { account_id, to: to.clone(), ..MessageFilter::default() };
                let by_recipient = plan(&conn, &super::list_sql(&f, slots));
                assert!(by_recipient.contains("messages_by_to_hash"), "{by_recipient}");
            }
            let limit = crate::limit_ops::sent_to_sql(slots);
            assert!(plan(&conn, limit).contains("messages_by_to_hash"), "{}", plan(&conn, limit));
            for count in [1, 3] {
                let blacklist = crate::limit_ops::blacklisted_sql(1, count, slots);
                assert!(plan(&conn, &blacklist).contains("blacklist_by_hash"), "{}", plan(&conn, &blacklist));
            }
        }
        // A send's one number is one index seek, with no temporary table made and dropped.
        let one = crate::limit_ops::blacklisted_sql(1, 1, 1);
        let mut stmt = conn.prepare(&format!("EXPLAIN {one}")).unwrap();
        let ops: Vec<String> = stmt.query_map([""], |r| r.get(1)).unwrap().map(Result::unwrap).collect();
        assert!(!ops.iter().any(|op| op == "OpenEphemeral"), "{ops:?}");
        let walks = |f: MessageFilter| plan(&conn, &super::list_sql(&f, 1));
        let with = |f: MessageFilter| MessageFilter { status: Some(MessageStatus::Failed), ..f };
        let newest = walks(MessageFilter { account_id: Some(1), ..MessageFilter::default() });
        assert!(newest.contains("messages_by_account ") || newest.ends_with("messages_by_account"), "{newest}");
        let in_state = walks(with(MessageFilter { account_id: Some(1), ..MessageFilter::default() }));
        assert!(in_state.contains("messages_by_account_status"), "{in_state}");
        let sender = walks(with(MessageFilter { sender: Some("key:HY1".into()), ..MessageFilter::default() }));
        assert!(sender.contains("messages_by_sender"), "{sender}");
        let client_ref =
            walks(MessageFilter { client_ref: Some("r1".into()), account_id: Some(1), ..MessageFilter::default() });
        assert!(client_ref.contains("messages_by_client_ref"), "{client_ref}");
        let by_time = walks(with(MessageFilter::default()));
        assert!(by_time.contains("INTEGER PRIMARY KEY") && !by_time.contains("TEMP B-TREE"), "{by_time}");
        let replies = plan(&conn, &crate::feed_ops::history_sql(hongyan_store::FeedKind::Mo, false, 1));
        assert!(replies.contains("feed_replies"), "{replies}");
        let reports = plan(&conn, &crate::feed_ops::history_sql(hongyan_store::FeedKind::Report, false, 1));
        for p in [newest, in_state, sender, client_ref, by_time, replies, reports] {
            assert!(!p.contains("TEMP B-TREE"), "newest first comes from the index, not a sort: {p}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
