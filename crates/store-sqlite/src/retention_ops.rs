//! The SQL of data retention: the oldest messages page by page (for an archive), and their
//! removal with everything that hangs off them.

use hongyan_store::{MessageDetail, MessageId, Result};
use rusqlite::{params, Connection};

use crate::backend;

/// The oldest messages with ids below `before`, with their segments, oldest first.
pub(crate) fn oldest(conn: &Connection, before: MessageId, limit: usize) -> rusqlite::Result<Vec<MessageDetail>> {
    let sql = format!("SELECT {} FROM messages WHERE id < ?1 ORDER BY id LIMIT +?2", crate::read_ops::MESSAGE_COLUMNS);
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![before.0 as i64, limit as i64], crate::read_ops::message_detail)?;
    let mut out: Vec<MessageDetail> = rows.collect::<rusqlite::Result<_>>()?;
    for d in &mut out {
        d.segments = crate::read_ops::segments_of(conn, d.message.id)?;
    }
    Ok(out)
}

/// Removes the messages, their segments, feed events and client part ids.
pub(crate) fn purge(conn: &Connection, ids: &[MessageId]) -> Result<usize> {
    let statements = [
        "DELETE FROM segments WHERE message_id = ?1",
        "DELETE FROM feed WHERE kind IN ('report', 'final') AND ref_id = ?1",
        "DELETE FROM client_submits WHERE message_id = ?1",
        "DELETE FROM messages WHERE id = ?1",
    ];
    let mut removed = 0;
    for id in ids {
        for (i, sql) in statements.iter().enumerate() {
            let n = conn.prepare_cached(sql).and_then(|mut s| s.execute([id.0 as i64])).map_err(backend)?;
            if i == statements.len() - 1 {
                removed += n;
            }
        }
    }
    Ok(removed)
}
