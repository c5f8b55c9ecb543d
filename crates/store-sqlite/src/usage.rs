//! The statements' totals in SQLite: the writer counts each commit's changes in a
//! [`Tally`] (`hongyan_store::totals`) and adds them to `usage_daily` and `accepted_minutely`
//! just before the commit ([`flush`]). Triggers kept them until migration 000030, in the
//! statement of each change — about 32 µs of the ~75 µs a message costs the writer, for a few
//! dozen lines that thousands of messages in one commit all add to.
//!
//! What this module does not do: decide a message's state (the writes in `write_ops` do, and
//! tell the tally what they changed), or read the totals (`limit_ops`).

use hongyan_store::totals::{Counted, Held, Tally};
use rusqlite::{params, Connection, Row};

/// Reads `account_id, accepted_at, carrier, category, channel, status, unit_price` of a
/// message, starting at column `first`.
pub(crate) fn counted(row: &Row<'_>, first: usize) -> rusqlite::Result<Counted> {
    let (carrier, channel, status): (String, String, String) =
        (row.get(first + 2)?, row.get(first + 4)?, row.get(first + 5)?);
    Ok(Counted::new(
        (row.get(first)?, row.get(first + 1)?),
        (&carrier, row.get(first + 3)?),
        &channel,
        &status,
        row.get(first + 6)?,
    ))
}

/// Adds the transaction's counts to the tables; called once, just before the commit.
pub(crate) fn flush(tally: &mut Tally, conn: &Connection) -> rusqlite::Result<()> {
    let drained = tally.drain();
    if drained.is_empty() {
        return Ok(());
    }
    let mut daily = conn.prepare_cached(
        "INSERT INTO usage_daily (account_id, day, carrier, category, channel, status,
                                  messages, billed_segments, priced_segments, amount)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
         ON CONFLICT (account_id, day, carrier, category, channel, status) DO UPDATE SET
             messages = messages + excluded.messages,
             billed_segments = billed_segments + excluded.billed_segments,
             priced_segments = priced_segments + excluded.priced_segments,
             amount = amount + excluded.amount",
    )?;
    for (l, s) in &drained.daily {
        daily.execute(params![
            l.account_id,
            l.day,
            l.carrier,
            l.category,
            l.channel,
            l.status,
            s.messages,
            s.billed,
            s.priced,
            s.amount
        ])?;
    }
    let mut minutes = conn.prepare_cached(
        "INSERT INTO accepted_minutely (account_id, minute, messages) VALUES (?1, ?2, ?3)
         ON CONFLICT (minute, account_id) DO UPDATE SET messages = messages + excluded.messages",
    )?;
    for ((account_id, minute), n) in &drained.minutes {
        minutes.execute(params![account_id, minute, n])?;
    }
    Ok(())
}

/// The message `id` as a change of its state needs it; `None` when there is no such message.
pub(crate) fn read(conn: &Connection, id: i64) -> rusqlite::Result<Option<Held>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT m.segments, m.account_id, m.accepted_at, m.carrier, m.category, m.channel, m.status, m.unit_price,
                (SELECT count(*) FROM segments s WHERE s.message_id = m.id AND s.submit_result = 0),
                m.client_ref IS NOT NULL
         FROM messages m WHERE m.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Held { segments: r.get(0)?, counted: counted(r, 1)?, billed: r.get(8)?, linked: r.get(9)? })
    })
    .optional()
}
