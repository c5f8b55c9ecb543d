//! The SQL of callback push: each account's callback, its failing series, and the batches
//! given up on. The signing secret is sealed like numbers are: it signs what the platform says
//! about taxpayers, so a copy of the file must not let anyone forge it.

use hongyan_store::{Callback, FeedConsumer, MessageId, PushAttempt, PushFailure, PushTarget, Result, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{backend, feed_ops};

pub(crate) fn set_callback(conn: &Connection, account_id: i64, callback: Option<&Callback>) -> Result<bool> {
    let (url, secret) = (callback.map(|c| c.url.as_str()), callback.map(|c| c.secret.as_str()));
    let changed = conn
        .prepare_cached("UPDATE accounts SET callback_url = ?2, callback_secret = hy_seal('secret', ?3) WHERE id = ?1")
        .and_then(|mut s| s.execute(params![account_id, url, secret]))
        .map_err(backend)?;
    if callback.is_none() {
        // Nothing is owed to a callback that no longer exists; a new one starts with what comes next.
        conn.prepare_cached("DELETE FROM push_state WHERE account_id = ?1")
            .and_then(|mut s| s.execute([account_id]))
            .map_err(backend)?;
    }
    Ok(changed == 1)
}

pub(crate) fn callback(conn: &Connection, account_id: i64) -> rusqlite::Result<Option<Callback>> {
    let row = conn
        .prepare_cached("SELECT callback_url, hy_open('secret', callback_secret) FROM accounts WHERE id = ?1")?
        .query_row([account_id], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?)))
        .optional()?;
    Ok(match row {
        Some((Some(url), Some(secret))) => Some(Callback { url, secret }),
        _ => None,
    })
}

pub(crate) fn set_per_request(conn: &Connection, account_id: i64, allowed: bool) -> Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE accounts SET callback_per_request = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![account_id, allowed]))
        .map_err(backend)?;
    Ok(changed == 1)
}

pub(crate) fn per_request(conn: &Connection, account_id: i64) -> rusqlite::Result<bool> {
    let allowed = conn
        .prepare_cached("SELECT callback_per_request FROM accounts WHERE id = ?1")?
        .query_row([account_id], |r| r.get(0))
        .optional()?;
    Ok(allowed.unwrap_or(false))
}

pub(crate) fn targets(conn: &Connection, now: Timestamp, limit: usize) -> rusqlite::Result<Vec<PushTarget>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.callback_url, hy_open('secret', a.callback_secret), coalesce(p.attempts, 0), p.failing_since
         FROM accounts a
         LEFT JOIN push_state p ON p.account_id = a.id
         LEFT JOIN feed_cursors c ON c.account_id = a.id AND c.consumer = ?1
         WHERE a.callback_url IS NOT NULL AND a.callback_secret IS NOT NULL
           AND (p.next_at IS NULL OR p.next_at <= ?2)
           AND EXISTS (SELECT 1 FROM feed f WHERE f.account_id = a.id AND f.seq > coalesce(c.acked, 0)
                       AND f.kind IN ('report', 'mo'))
         ORDER BY a.id LIMIT +?3",
    )?;
    let rows = stmt.query_map(params![FeedConsumer::Push.as_str(), now.as_millis(), limit as i64], |r| {
        Ok(PushTarget {
            account_id: r.get(0)?,
            callback: Callback { url: r.get(1)?, secret: r.get(2)? },
            attempts: r.get(3)?,
            failing_since: r.get::<_, Option<i64>>(4)?.map(Timestamp::from_millis),
        })
    })?;
    rows.collect()
}

pub(crate) fn delivered(conn: &Connection, account_id: i64, seq: u64) -> Result<()> {
    feed_ops::ack(conn, account_id, FeedConsumer::Push, seq).map_err(backend)?;
    conn.prepare_cached("DELETE FROM push_state WHERE account_id = ?1")
        .and_then(|mut s| s.execute([account_id]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn retry_later(
    conn: &Connection,
    account_id: i64,
    attempts: u32,
    failing_since: Timestamp,
    next_at: Timestamp,
    error: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO push_state (account_id, attempts, next_at, failing_since, last_error) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (account_id) DO UPDATE SET attempts = excluded.attempts, next_at = excluded.next_at,
             failing_since = excluded.failing_since, last_error = excluded.last_error",
    )
    .and_then(|mut s| s.execute(params![account_id, attempts, next_at.as_millis(), failing_since.as_millis(), error]))
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn give_up(conn: &Connection, account_id: i64, seqs: (u64, u64), error: &str, now: Timestamp) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO push_failures (account_id, first_seq, last_seq, error, failed_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![account_id, seqs.0 as i64, seqs.1 as i64, error, now.as_millis()]))
    .map_err(backend)?;
    delivered(conn, account_id, seqs.1)
}

pub(crate) fn failures(conn: &Connection, account_id: Option<i64>) -> rusqlite::Result<Vec<PushFailure>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, account_id, first_seq, last_seq, error, failed_at, resent_at FROM push_failures
         WHERE ?1 IS NULL OR account_id = ?1 ORDER BY id DESC LIMIT 1000",
    )?;
    let rows = stmt.query_map([account_id], |r| {
        Ok(PushFailure {
            id: r.get(0)?,
            account_id: r.get(1)?,
            seqs: (r.get::<_, i64>(2)? as u64, r.get::<_, i64>(3)? as u64),
            error: r.get(4)?,
            failed_at: Timestamp::from_millis(r.get(5)?),
            resent_at: r.get::<_, Option<i64>>(6)?.map(Timestamp::from_millis),
        })
    })?;
    rows.collect()
}

pub(crate) fn resend(conn: &Connection, id: i64, now: Timestamp) -> Result<bool> {
    let marked = conn
        .prepare_cached(
            "UPDATE push_failures SET resent_at = ?2 WHERE id = ?1 AND resent_at IS NULL
             RETURNING account_id, first_seq, last_seq",
        )
        .and_then(|mut s| {
            s.query_row(params![id, now.as_millis()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
            .optional()
        })
        .map_err(backend)?;
    let Some((account_id, first, last)) = marked else { return Ok(false) };
    conn.prepare_cached(
        "INSERT INTO feed (account_id, kind, ref_id, segment, created_at, push_only, stat, status)
         SELECT account_id, kind, ref_id, segment, created_at, 1, stat, status FROM feed
         WHERE account_id = ?1 AND seq BETWEEN ?2 AND ?3 AND kind IN ('report', 'mo') ORDER BY seq",
    )
    .and_then(|mut s| s.execute(params![account_id, first, last]))
    .map_err(backend)?;
    Ok(true)
}

pub(crate) fn record_attempt(conn: &Connection, a: &PushAttempt) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO push_attempts (account_id, first_seq, last_seq, url, at, error) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![a.account_id, a.seqs.0 as i64, a.seqs.1 as i64, a.url, a.at.as_millis(), a.error])
    })
    .map_err(backend)?;
    Ok(())
}

/// Attempts whose batch covers one of the message's report events: a batch starts at most
/// 1,000 events before any event it holds, which bounds the walk of the index.
pub(crate) fn attempts_for(conn: &Connection, message_id: MessageId) -> rusqlite::Result<Vec<PushAttempt>> {
    let mut events = conn.prepare_cached("SELECT account_id, seq FROM feed WHERE kind = 'report' AND ref_id = ?1")?;
    let seqs: Vec<(i64, i64)> =
        events.query_map([message_id.0 as i64], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, account_id, first_seq, last_seq, url, at, error FROM push_attempts
         WHERE account_id = ?1 AND first_seq BETWEEN ?2 - 1000 AND ?2 AND last_seq >= ?2",
    )?;
    let mut found: Vec<(i64, PushAttempt)> = Vec::new();
    for (account, seq) in seqs {
        let rows = stmt.query_map(params![account, seq], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                PushAttempt {
                    account_id: r.get(1)?,
                    seqs: (r.get::<_, i64>(2)? as u64, r.get::<_, i64>(3)? as u64),
                    url: r.get(4)?,
                    at: Timestamp::from_millis(r.get(5)?),
                    error: r.get(6)?,
                },
            ))
        })?;
        for row in rows {
            let (id, a) = row?;
            if !found.iter().any(|(f, _)| *f == id) {
                found.push((id, a));
            }
        }
    }
    found.sort_by_key(|(id, _)| *id);
    Ok(found.into_iter().map(|(_, a)| a).collect())
}
