//! The SQL of every write. Each function runs inside the writer's transaction.

use hongyan_store::{
    Account, ApiKey, MessageId, MessageStatus, NewMessage, ReportIn, ReportMatch, RequestRecord, Result, SubmitOutcome,
    Timestamp,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::backend;
use crate::usage;
use crate::writing::Writing;
use hongyan_store::totals::{Counted, Held};

pub(crate) fn create_account(conn: &Connection, name: &str, now: Timestamp) -> Result<Account> {
    conn.prepare_cached("INSERT INTO accounts (name, enabled, created_at) VALUES (?1, 1, ?2)")
        .and_then(|mut s| s.execute(params![name, now.as_millis()]))
        .map_err(backend)?;
    let id = conn.last_insert_rowid();
    Ok(Account { id, name: name.to_owned(), enabled: true, created_at: now, expires_at: None, deleted_at: None })
}

pub(crate) fn create_api_key(conn: &Connection, key: &ApiKey) -> Result<()> {
    conn.prepare_cached("INSERT INTO api_keys (key_id, account_id, secret_hash, created_at) VALUES (?1, ?2, ?3, ?4)")
        .and_then(|mut s| s.execute(params![key.key_id, key.account_id, key.secret_hash, key.created_at.as_millis()]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn insert_messages(conn: &Writing<'_>, batch: &[NewMessage], request: Option<&RequestRecord>) -> Result<()> {
    if let Some(r) = request {
        // First, so a repeated reference fails before any message is written.
        record_request(conn, r)?;
    }
    insert_rows(conn, batch)?;
    finish_request(conn, batch, request)
}

/// The request's reference with its answer, for replays; a reference used before is a
/// conflict. A reference that cannot come again (no answer to keep) leaves no row.
pub(crate) fn record_request(conn: &Connection, r: &RequestRecord) -> Result<()> {
    let Some(answer) = &r.answer else { return Ok(()) };
    conn.prepare_cached(
        "INSERT INTO client_requests (account_id, client_ref, answer, created_at, request_hash)
         VALUES (?1, ?2, hy_seal('answer', ?3), ?4, ?5)",
    )
    .and_then(|mut s| s.execute(params![r.account_id, r.client_ref, answer, r.created_at.as_millis(), r.request_hash]))
    .map_err(backend)?;
    Ok(())
}

/// The messages' rows, accepted, and counted.
pub(crate) fn insert_rows(conn: &Writing<'_>, batch: &[NewMessage]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO messages (id, account_id, to_number, to_hash, carrier, category, content, segments, channel,
                                   status, accepted_at, source_ext, send_at, callback_url,
                                   sender, interface, client_addr, client_ref, template_id, unit_price)
             VALUES (?1, ?2, hy_seal('to', ?3), hy_index(?3, 0), ?4, ?5, hy_seal('content', ?6), ?7, ?8, 'accepted',
                     ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
        )
        .map_err(backend)?;
    for m in batch {
        stmt.execute(params![
            m.id.0 as i64,
            m.account_id,
            m.to,
            m.carrier.as_str(),
            m.category.stored(),
            m.content,
            m.segments,
            m.channel,
            m.accepted_at.as_millis(),
            m.source_ext,
            m.send_at.map(Timestamp::as_millis),
            m.callback_url,
            m.provenance.sender,
            m.provenance.interface,
            m.provenance.client_addr,
            m.provenance.client_ref,
            m.provenance.template_id,
            m.unit_price.map(|p| p.0),
        ])
        .map_err(backend)?;
        let at = (m.account_id, m.accepted_at.as_millis());
        let counted = Counted::new(
            at,
            (m.carrier.as_str(), m.category.stored()),
            &m.channel,
            "accepted",
            m.unit_price.map(|p| p.0),
        );
        conn.tally.borrow_mut().accepted(&counted);
    }
    Ok(())
}

/// What a client link's request leaves beside its messages: the parts it kept.
pub(crate) fn finish_request(conn: &Connection, batch: &[NewMessage], request: Option<&RequestRecord>) -> Result<()> {
    if let Some(origin) = request.and_then(|r| r.origin.as_ref()) {
        // Kept parts go even when the whole was refused: the stored answer says why.
        crate::client_ops::record_origin(conn, batch.first().map(|m| m.id), origin)?;
    }
    Ok(())
}

pub(crate) fn record_submits(conn: &Writing<'_>, outcomes: &[SubmitOutcome]) -> Result<()> {
    for o in outcomes {
        record_submit(conn, o).map_err(backend)?;
    }
    Ok(())
}

fn record_submit(conn: &Writing<'_>, o: &SubmitOutcome) -> rusqlite::Result<()> {
    let id = o.message_id.0 as i64;
    // The segment's earlier answer, if any, comes along: an answer given again bills only
    // what changed.
    let Some((segments, counted, earlier, linked)) = conn
        .prepare_cached(
            "SELECT m.segments, m.account_id, m.accepted_at, m.carrier, m.category, m.channel, m.status, m.unit_price,
                    (SELECT submit_result FROM segments WHERE message_id = ?1 AND number = ?2), m.client_ref IS NOT NULL
             FROM messages m WHERE m.id = ?1",
        )?
        .query_row(params![id, o.segment], |r| {
            Ok((r.get::<_, u8>(0)?, usage::counted(r, 1)?, r.get::<_, Option<u32>>(8)?, r.get::<_, bool>(9)?))
        })
        .optional()?
    else {
        tracing::warn!(message_id = %o.message_id, "submit outcome for a message not in the store");
        return Ok(());
    };
    let channel = counted.channel().to_owned();
    conn.tally.borrow_mut().billed(&counted, i64::from(o.result == 0) - i64::from(earlier == Some(0)));
    conn.prepare_cached(
        "INSERT OR REPLACE INTO segments (message_id, number, channel, carrier_msg_id, submit_result, submit_error, submitted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![id, o.segment, channel, o.carrier_msg_id, o.result, o.error, o.at.as_millis()])?;
    if o.result != 0 {
        let error = o.error.clone().unwrap_or_else(|| format!("carrier refused the submit (result {})", o.result));
        let failed = conn
            .prepare_cached(
                "UPDATE messages SET status = 'failed', error = ?2, completed_at = ?3 WHERE id = ?1 AND status = 'accepted'",
            )?
            .execute(params![id, error, o.at.as_millis()])?;
        if failed > 0 {
            // Its other segments may have been billed; this one, just refused, is not.
            let billed = match segments {
                1 => 0,
                _ => billed_segments(conn, id)?,
            };
            conn.tally.borrow_mut().moved(&counted, billed, &counted.with_status("failed"));
            if linked {
                crate::client_ops::append_final(conn, (counted.account_id(), id), o.at)?;
            }
        }
        return Ok(());
    }
    // A one-segment message (nearly all of them) was just accepted whole: no need to count.
    let accepted = match segments {
        1 => 1,
        _ => billed_segments(conn, id)?,
    };
    if accepted >= i64::from(segments) {
        let submitted = conn
            .prepare_cached(
                "UPDATE messages SET status = 'submitted', submitted_at = ?2 WHERE id = ?1 AND status = 'accepted'",
            )?
            .execute(params![id, o.at.as_millis()])?;
        if submitted > 0 {
            conn.tally.borrow_mut().moved(&counted, accepted, &counted.with_status("submitted"));
        }
    }
    match &o.carrier_msg_id {
        Some(carrier_msg_id) => apply_early_report(conn, &channel, carrier_msg_id),
        None => Ok(()),
    }
}

/// Segments of a message the carrier accepted: what it is billed for.
fn billed_segments(conn: &Connection, id: i64) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM segments WHERE message_id = ?1 AND submit_result = 0")?
        .query_row([id], |r| r.get(0))
}

/// A report that overtook this submit's response is applied now that its id is known.
fn apply_early_report(conn: &Writing<'_>, channel: &str, carrier_msg_id: &str) -> rusqlite::Result<()> {
    // Looked up first and deleted only when found (rarely): `DELETE … RETURNING` opened a
    // temporary table for its result on every submit.
    let early = conn
        .prepare_cached(
            "SELECT stat, done_at, received_at, hy_open('raw', raw) FROM early_reports
             WHERE channel = ?1 AND carrier_msg_id = ?2",
        )?
        .query_row(params![channel, carrier_msg_id], |r| {
            Ok(ReportIn {
                channel: channel.to_owned(),
                carrier_msg_id: carrier_msg_id.to_owned(),
                stat: r.get(0)?,
                done_at: r.get::<_, Option<i64>>(1)?.map(Timestamp::from_millis),
                received_at: Timestamp::from_millis(r.get(2)?),
                raw: r.get(3)?,
            })
        })
        .optional()?;
    let Some(report) = early else { return Ok(()) };
    conn.prepare_cached("DELETE FROM early_reports WHERE channel = ?1 AND carrier_msg_id = ?2")?
        .execute(params![channel, carrier_msg_id])?;
    apply_report(conn, &report).map(drop)
}

pub(crate) fn fail_messages(conn: &Writing<'_>, failures: &[(MessageId, String)], now: Timestamp) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "UPDATE messages SET status = 'failed', error = ?2, completed_at = ?3
             WHERE id = ?1 AND status IN ('accepted', 'queued')",
        )
        .map_err(backend)?;
    for (id, reason) in failures {
        let Some(held) = usage::read(conn, id.0 as i64).map_err(backend)? else { continue };
        if stmt.execute(params![id.0 as i64, reason, now.as_millis()]).map_err(backend)? > 0 {
            conn.tally.borrow_mut().moved(&held.counted, held.billed, &held.counted.with_status("failed"));
            if held.linked {
                crate::client_ops::append_final(conn, (held.counted.account_id(), id.0 as i64), now)
                    .map_err(backend)?;
            }
        }
    }
    Ok(())
}

pub(crate) fn apply_reports(conn: &Writing<'_>, reports: &[ReportIn]) -> Result<Vec<ReportMatch>> {
    reports.iter().map(|r| apply_report(conn, r).map_err(backend)).collect()
}

fn apply_report(conn: &Writing<'_>, r: &ReportIn) -> rusqlite::Result<ReportMatch> {
    // A carrier that restarts its id counter gives an id already used on this channel, so
    // several segments may hold it. The report belongs to one the carrier accepted that is
    // still waiting for its report (the newest submit first: an older holder's report, if
    // any, is long overdue; a waiting segment is within the report window, since the sweep
    // gives UNKNOWN to those past it).
    // With none waiting, the newest holder takes it: its repeat is a duplicate, and a
    // platform UNKNOWN may still be replaced by the carrier's late word.
    // Chosen here rather than by `ORDER BY … LIMIT 1`: that made SQLite open and close a
    // temporary sorter for every report, for the one or two rows an id has.
    // The message's segment count, status and line in the totals come along, so a
    // one-segment message's new status needs no further read.
    let found = conn
        .prepare_cached(
            "SELECT s.report_stat IS NULL AND s.submit_result = 0, s.submitted_at, s.message_id, s.number,
                    s.report_stat IS NOT NULL AND hy_open('raw', s.report_raw) IS NOT ?3, m.segments,
                    s.submit_result = 0,
                    m.account_id, m.accepted_at, m.carrier, m.category, m.channel, m.status, m.unit_price,
                    m.client_ref IS NOT NULL
             FROM segments s JOIN messages m ON m.id = s.message_id
             WHERE s.channel = ?1 AND s.carrier_msg_id = ?2",
        )?
        .query_map(params![r.channel, r.carrier_msg_id, crate::feed_ops::NO_REPORT_RAW], |row| {
            let rank = (row.get::<_, bool>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?);
            // A one-segment message is billed when the segment reported is.
            let message = Held {
                segments: row.get(5)?,
                counted: usage::counted(row, 7)?,
                billed: i64::from(row.get::<_, bool>(6)?),
                linked: row.get(14)?,
            };
            Ok((rank, row.get::<_, u8>(3)?, row.get::<_, bool>(4)?, message))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .max_by_key(|(rank, ..)| *rank)
        .map(|((_, _, message_id), number, reported, message)| (message_id, number, reported, message));
    let Some((message_id, number, reported, held)) = found else {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO early_reports (channel, carrier_msg_id, stat, done_at, received_at, raw)
             VALUES (?1, ?2, ?3, ?4, ?5, hy_seal('raw', ?6))",
        )?
        .execute(params![
            r.channel,
            r.carrier_msg_id,
            r.stat,
            r.done_at.map(Timestamp::as_millis),
            r.received_at.as_millis(),
            r.raw
        ])?;
        return Ok(ReportMatch::Unmatched);
    };
    // A repeat changes nothing; only the platform's own "no report in time" may be replaced
    // by the carrier's late word.
    if reported {
        return Ok(ReportMatch::Duplicate);
    }
    conn.prepare_cached(
        "UPDATE segments SET report_stat = ?3, done_at = ?4, reported_at = ?5, report_raw = hy_seal('raw', ?6)
         WHERE message_id = ?1 AND number = ?2",
    )?
    .execute(params![
        message_id,
        number,
        r.stat,
        r.done_at.map(Timestamp::as_millis),
        r.received_at.as_millis(),
        r.raw
    ])?;
    let status = match held.segments {
        1 => settle(conn, message_id, &held, std::slice::from_ref(&r.stat), r.received_at)?,
        _ => aggregate(conn, message_id, r.received_at)?.0,
    };
    let account_id = held.counted.account_id();
    crate::feed_ops::append_report(conn, (account_id, message_id, number), &r.stat, status, r.received_at)?;
    Ok(ReportMatch::Matched { message_id: MessageId(message_id as u64), status })
}

/// Recomputes a message's status from its segments' reports (`hongyan_store::rules`), with
/// the message's account.
pub(crate) fn aggregate(conn: &Writing<'_>, message_id: i64, now: Timestamp) -> rusqlite::Result<(MessageStatus, i64)> {
    let held = usage::read(conn, message_id)?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    let mut stmt = conn.prepare_cached(
        "SELECT report_stat FROM segments WHERE message_id = ?1 AND report_stat IS NOT NULL ORDER BY number",
    )?;
    let stats: Vec<String> = stmt.query_map([message_id], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok((settle(conn, message_id, &held, &stats, now)?, held.counted.account_id()))
}

/// The status `stats` (the segments' reports in segment order) give the message `held`,
/// written (and counted) when it changes.
fn settle(
    conn: &Writing<'_>,
    message_id: i64,
    held: &Held,
    stats: &[String],
    now: Timestamp,
) -> rusqlite::Result<MessageStatus> {
    let counted = &held.counted;
    let current = MessageStatus::parse(counted.status()).unwrap_or(MessageStatus::Submitted);
    let Some((next, error)) = hongyan_store::rules::settled(held.segments, current, stats) else { return Ok(current) };
    conn.prepare_cached(
        "UPDATE messages SET status = ?2, completed_at = ?3,
             error = CASE WHEN ?2 = 'delivered' THEN NULL ELSE coalesce(?4, error) END WHERE id = ?1",
    )?
    .execute(params![message_id, next.as_str(), now.as_millis(), error])?;
    conn.tally.borrow_mut().moved(counted, held.billed, &counted.with_status(next.as_str()));
    if held.linked {
        crate::client_ops::append_final(conn, (counted.account_id(), message_id), now)?;
    }
    Ok(next)
}

pub(crate) fn reassign_channel(conn: &Writing<'_>, ids: &[MessageId], from: &str, to: &str) -> Result<usize> {
    let mut stmt = conn
        .prepare_cached("UPDATE messages SET channel = ?3 WHERE id = ?1 AND channel = ?2 AND status = 'accepted'")
        .map_err(backend)?;
    let mut moved = 0;
    for id in ids {
        let Some(held) = usage::read(conn, id.0 as i64).map_err(backend)? else { continue };
        if stmt.execute(params![id.0 as i64, from, to]).map_err(backend)? > 0 {
            conn.tally.borrow_mut().moved(&held.counted, held.billed, &held.counted.with_channel(to));
            moved += 1;
        }
    }
    Ok(moved)
}
