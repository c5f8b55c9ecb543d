//! The SQL of replies (MO): marketing unsubscribes and finding the account an extension
//! code belongs to.

use hongyan_store::{Result, Timestamp};
use rusqlite::{params, params_from_iter, Connection};

use crate::backend;

pub(crate) fn unsubscribe(
    conn: &Connection,
    account_id: i64,
    number: &str,
    keyword: &str,
    now: Timestamp,
    slots: usize,
) -> Result<()> {
    crate::sql_fns::drop_older_hashes(conn, "unsubscribes", account_id, number, slots).map_err(backend)?;
    conn.prepare_cached(
        "INSERT INTO unsubscribes (account_id, number, number_hash, keyword, created_at)
         VALUES (?1, hy_seal('number', ?2), hy_index(?2, 0), ?3, ?4)
         ON CONFLICT (number_hash, account_id) DO NOTHING",
    )
    .and_then(|mut s| s.execute(params![account_id, number, keyword, now.as_millis()]))
    .map_err(backend)?;
    Ok(())
}

/// Chunked like the blacklist: a bulk request is a few look-ups, not one per number.
pub(crate) fn unsubscribed(
    conn: &Connection,
    account_id: i64,
    numbers: &[String],
    slots: usize,
) -> rusqlite::Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in numbers.chunks(500) {
        let sql = format!(
            "SELECT hy_open('number', number) FROM unsubscribes WHERE account_id = {account_id} AND {}",
            crate::sql_fns::hash_matches("number_hash", 1, chunk.len(), slots)
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        for r in stmt.query_map(params_from_iter(chunk.iter()), |r| r.get(0))? {
            out.push(r?);
        }
    }
    Ok(out)
}

pub(crate) fn accounts_with_extension(conn: &Connection, extension: &str) -> rusqlite::Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT account_id FROM signatures WHERE extension = ?1 AND status = 'approved' ORDER BY account_id",
    )?;
    let rows = stmt.query_map([extension], |r| r.get(0))?;
    rows.collect()
}
