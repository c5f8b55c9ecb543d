//! The SQL of account limits, usage counts and the blacklist.

use hongyan_store::{
    AccountLimits, BlacklistEntry, Carrier, Category, MessageId, MessageStatus, Money, Result, StatusCount, Timestamp,
    Usage,
};
use rusqlite::types::Type;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};

use crate::backend;

pub(crate) fn limits(conn: &Connection, account_id: i64) -> rusqlite::Result<AccountLimits> {
    conn.prepare_cached(
        "SELECT rate_limit, daily_quota, monthly_quota, verification_per_minute, verification_per_hour,
                verification_per_day FROM accounts WHERE id = ?1",
    )?
    .query_row([account_id], |r| {
        Ok(AccountLimits {
            rate: r.get(0)?,
            daily_quota: r.get(1)?,
            monthly_quota: r.get(2)?,
            verification_per_minute: r.get(3)?,
            verification_per_hour: r.get(4)?,
            verification_per_day: r.get(5)?,
        })
    })
    .optional()
    .map(Option::unwrap_or_default)
}

pub(crate) fn set_limits(conn: &Connection, account_id: i64, l: AccountLimits) -> Result<()> {
    conn.prepare_cached(
        "UPDATE accounts SET rate_limit = ?2, daily_quota = ?3, monthly_quota = ?4, verification_per_minute = ?5,
                verification_per_hour = ?6, verification_per_day = ?7 WHERE id = ?1",
    )
    .and_then(|mut s| {
        s.execute(params![
            account_id,
            l.rate,
            l.daily_quota,
            l.monthly_quota,
            l.verification_per_minute,
            l.verification_per_hour,
            l.verification_per_day
        ])
    })
    .map_err(backend)?;
    Ok(())
}

/// A range scan on (account_id, id): ids are time-ordered.
pub(crate) fn segments_since(conn: &Connection, account_id: i64, since: MessageId) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT coalesce(sum(segments), 0) FROM messages WHERE account_id = ?1 AND id >= ?2")?
        .query_row(params![account_id, since.0 as i64], |r| r.get::<_, i64>(0))
        .map(|v| v as u64)
}

/// Volume per carrier and category: a range scan on (account_id, id). A message counts the
/// segments the carrier accepted — all of them once it is submitted, else those answered 0.
/// A statement's lines from the daily totals (which retention never deletes), over the whole
/// Beijing days from `from` to `to`.
pub(crate) fn usage(
    conn: &Connection,
    account_id: i64,
    from: MessageId,
    to: MessageId,
) -> rusqlite::Result<Vec<Usage>> {
    let day = day_of;
    let mut stmt = conn.prepare_cached(
        "SELECT carrier, category, sum(messages), sum(billed_segments),
                sum(CASE WHEN status = 'delivered' THEN messages ELSE 0 END), sum(priced_segments), sum(amount)
         FROM usage_daily WHERE account_id = ?1 AND day >= ?2 AND day < ?3
         GROUP BY carrier, category HAVING sum(messages) > 0 OR sum(billed_segments) > 0
         ORDER BY carrier, category",
    )?;
    let rows = stmt.query_map(params![account_id, day(from), day(to)], |r| {
        let (carrier, category): (String, String) = (r.get(0)?, r.get(1)?);
        let bad =
            |what: &str| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, format!("unknown {what}").into());
        Ok(Usage {
            carrier: Carrier::parse(&carrier).ok_or_else(|| bad("carrier"))?,
            category: Category::from_stored(&category).map_err(|_| bad("category"))?,
            messages: r.get::<_, i64>(2)? as u64,
            billed_segments: r.get::<_, i64>(3)? as u64,
            delivered: r.get::<_, i64>(4)? as u64,
            priced_segments: r.get::<_, i64>(5)? as u64,
            amount: Money(r.get(6)?),
        })
    })?;
    rows.collect()
}

const BEIJING_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// Counts by carrier, category and state over the whole Beijing days from `from`'s through
/// `to`'s (`to` itself excluded when it starts a day), from the daily totals: a few rows a day
/// whatever the volume.
pub(crate) fn status_counts(
    conn: &Connection,
    account_id: Option<i64>,
    from: MessageId,
    to: MessageId,
) -> rusqlite::Result<Vec<StatusCount>> {
    let first = day_of(from);
    let end = if to.0 == 0 { first } else { day_of(MessageId(to.0 - 1)) + 1 };
    let mut stmt = conn.prepare_cached(
        "SELECT carrier, category, status, sum(messages) FROM usage_daily
         WHERE (?1 IS NULL OR account_id = ?1) AND day >= ?2 AND day < ?3
         GROUP BY carrier, category, status HAVING sum(messages) > 0 ORDER BY carrier, category, status",
    )?;
    let rows = stmt.query_map(params![account_id, first, end], |r| {
        let (carrier, category, status): (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let bad =
            |what: &str| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, format!("unknown {what}").into());
        Ok(StatusCount {
            carrier: Carrier::parse(&carrier).ok_or_else(|| bad("carrier"))?,
            category: Category::from_stored(&category).map_err(|_| bad("category"))?,
            status: MessageStatus::parse(&status).ok_or_else(|| bad("status"))?,
            messages: r.get::<_, i64>(3)? as u64,
        })
    })?;
    rows.collect()
}

/// Messages accepted per slice of time from the per-minute counts (slices of whole minutes).
pub(crate) fn accepted_series(
    conn: &Connection,
    account_id: Option<i64>,
    (from, to): (MessageId, MessageId),
    bucket_ms: i64,
) -> rusqlite::Result<Vec<(Timestamp, u64)>> {
    let bucket = (bucket_ms / 60_000).max(1);
    let minute = |id: MessageId| id.timestamp().as_millis().div_euclid(60_000);
    let end = if to.0 == 0 { minute(from) } else { minute(MessageId(to.0 - 1)) + 1 };
    let mut stmt = conn.prepare_cached(
        "SELECT minute / ?4 AS b, sum(messages) FROM accepted_minutely
         WHERE minute >= ?2 AND minute < ?3 AND (?1 IS NULL OR account_id = ?1) GROUP BY b ORDER BY b",
    )?;
    let rows = stmt.query_map(params![account_id, minute(from), end, bucket], |r| {
        Ok((Timestamp::from_millis(r.get::<_, i64>(0)? * bucket * 60_000), r.get::<_, i64>(1)? as u64))
    })?;
    rows.collect()
}

/// The Beijing day a message id's time falls on.
fn day_of(id: MessageId) -> i64 {
    (id.timestamp().as_millis() + BEIJING_OFFSET_MS).div_euclid(DAY_MS)
}

/// A range scan on (to_hash, account_id, id), forced for the reason `read_ops::list_sql` gives.
pub(crate) fn sent_to_sql(slots: usize) -> &'static str {
    static SQL: [std::sync::OnceLock<String>; 2] = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    crate::sql_fns::once_per_slots(&SQL, slots, || {
        format!(
            "SELECT accepted_at FROM messages INDEXED BY messages_by_to_hash
             WHERE account_id = ?1 AND {} AND id >= ?3 AND category = ?4 ORDER BY id",
            crate::sql_fns::hash_matches("to_hash", 2, 1, slots)
        )
    })
}

/// The frequency limit's look-up.
pub(crate) fn sent_to_since(
    conn: &Connection,
    account_id: i64,
    to: &str,
    category: Category,
    since: MessageId,
    slots: usize,
) -> rusqlite::Result<Vec<Timestamp>> {
    let mut stmt = conn.prepare_cached(sent_to_sql(slots))?;
    let rows = stmt.query_map(params![account_id, to, since.0 as i64, category.stored()], |r| {
        r.get::<_, i64>(0).map(Timestamp::from_millis)
    })?;
    rows.collect()
}

/// Stored account id of the global list.
const GLOBAL: i64 = 0;

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<BlacklistEntry> {
    let account: i64 = r.get(0)?;
    Ok(BlacklistEntry {
        account_id: (account != GLOBAL).then_some(account),
        number: r.get(1)?,
        reason: r.get(2)?,
        created_at: Timestamp::from_millis(r.get(3)?),
    })
}

pub(crate) fn blacklist_add(conn: &Connection, e: &BlacklistEntry, slots: usize) -> Result<()> {
    let account = e.account_id.unwrap_or(GLOBAL);
    crate::sql_fns::drop_older_hashes(conn, "blacklist", account, &e.number, slots).map_err(backend)?;
    conn.prepare_cached(
        "INSERT INTO blacklist (account_id, number, number_hash, reason, created_at)
         VALUES (?1, hy_seal('number', ?2), hy_index(?2, 0), ?3, ?4)
         ON CONFLICT (number_hash, account_id) DO UPDATE SET reason = excluded.reason",
    )
    .and_then(|mut s| s.execute(params![e.account_id.unwrap_or(GLOBAL), e.number, e.reason, e.created_at.as_millis()]))
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn blacklist_remove(conn: &Connection, account_id: Option<i64>, number: &str, slots: usize) -> Result<bool> {
    let sql = format!(
        "DELETE FROM blacklist WHERE account_id = ?1 AND {}",
        crate::sql_fns::hash_matches("number_hash", 2, 1, slots)
    );
    let n = conn
        .prepare_cached(&sql)
        .and_then(|mut s| s.execute(params![account_id.unwrap_or(GLOBAL), number]))
        .map_err(backend)?;
    Ok(n > 0)
}

pub(crate) fn blacklist_list(conn: &Connection, account_id: Option<i64>) -> rusqlite::Result<Vec<BlacklistEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT account_id, hy_open('number', number), reason, created_at FROM blacklist WHERE account_id = ?1",
    )?;
    let rows = stmt.query_map([account_id.unwrap_or(GLOBAL)], entry)?;
    // Sealed numbers sort as noise in SQL; the list is short, so it is ordered here.
    let mut list: Vec<BlacklistEntry> = rows.collect::<rusqlite::Result<_>>()?;
    list.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(list)
}

/// Checks numbers in chunks, so a bulk request is a few look-ups, not one per number.
/// The blacklist's entries for `count` numbers bound from `?1`, the account's own and the
/// global ones. The account id is an integer we own, so it is written into the text; the
/// numbers, which come from clients, are bound. The account is a filter on the rows the hash
/// finds (`+account_id`), not a second key of the search: as a key, `IN (…)` made SQLite
/// build and drop a temporary table of its two values on every look-up (every send).
pub(crate) fn blacklisted_sql(account_id: i64, count: usize, slots: usize) -> String {
    format!(
        "SELECT account_id, hy_open('number', number), reason, created_at FROM blacklist
         WHERE +account_id IN ({GLOBAL}, {account_id}) AND {}",
        crate::sql_fns::hash_matches("number_hash", 1, count, slots)
    )
}

pub(crate) fn blacklisted(
    conn: &Connection,
    account_id: i64,
    numbers: &[String],
    slots: usize,
) -> rusqlite::Result<Vec<BlacklistEntry>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        let mut stmt = conn.prepare_cached(&blacklisted_sql(account_id, chunk.len(), slots))?;
        let rows = stmt.query_map(params_from_iter(chunk.iter()), entry)?;
        for r in rows {
            out.push(r?);
        }
    }
    Ok(out)
}

pub(crate) fn import_ported(conn: &Connection, entries: &[(String, Carrier)], now: Timestamp) -> Result<usize> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO ported_numbers (number, carrier, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (number) DO UPDATE SET carrier = excluded.carrier, updated_at = excluded.updated_at",
        )
        .map_err(backend)?;
    for (number, carrier) in entries {
        stmt.execute(params![number, carrier.as_str(), now.as_millis()]).map_err(backend)?;
    }
    Ok(entries.len())
}

/// Chunked like the blacklist: a bulk request is a few look-ups, not one per number.
pub(crate) fn ported(conn: &Connection, numbers: &[String]) -> rusqlite::Result<Vec<(String, Carrier)>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let mut stmt =
            conn.prepare_cached(&format!("SELECT number, carrier FROM ported_numbers WHERE number IN ({marks})"))?;
        let rows =
            stmt.query_map(params_from_iter(chunk.iter()), |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (number, carrier) = row?;
            // An unknown carrier name cannot come from our own import; skip rather than fail.
            if let Some(c) = Carrier::parse(&carrier) {
                out.push((number, c));
            }
        }
    }
    Ok(out)
}
