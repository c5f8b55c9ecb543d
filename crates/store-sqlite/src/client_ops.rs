//! The SQL of client systems on SMPP/CMPP: logins, kept parts of long messages, the part ids a
//! message was accepted under, and the `final` (and `refused`) feed events their receipts come
//! from.

use hongyan_store::{
    Account, ClientLogin, ClientOrigin, ClientPart, ClientRefusal, FeedEvent, FeedItem, FinalReport, MessageId,
    MessageStatus, Result, Timestamp,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::backend;

pub(crate) fn create_login(conn: &Connection, l: &ClientLogin) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO client_logins (protocol, login, account_id, secret, created_at, default_category)
             VALUES (?1, ?2, ?3, hy_seal('secret', ?4), ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![l.protocol, l.login, l.account_id, l.secret, l.created_at.as_millis(), l.default_category])
    })
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn set_login_category(
    conn: &Connection,
    account_id: i64,
    protocol: &str,
    login: &str,
    category: Option<&str>,
) -> Result<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE client_logins SET default_category = ?4 WHERE account_id = ?1 AND protocol = ?2 AND login = ?3",
        )
        .and_then(|mut s| s.execute(params![account_id, protocol, login, category]))
        .map_err(backend)?;
    Ok(changed == 1)
}

pub(crate) fn find_login(
    conn: &Connection,
    protocol: &str,
    login: &str,
) -> rusqlite::Result<Option<(ClientLogin, Account)>> {
    conn.prepare_cached(&format!(
        "SELECT l.account_id, hy_open('secret', l.secret), l.created_at, l.default_category, {}
             FROM client_logins l JOIN accounts a ON a.id = l.account_id WHERE l.protocol = ?1 AND l.login = ?2",
        crate::account_ops::ACCOUNT_COLUMNS
    ))?
    .query_row(params![protocol, login], |r| {
        let account_id: i64 = r.get(0)?;
        let login = ClientLogin {
            protocol: protocol.to_owned(),
            login: login.to_owned(),
            account_id,
            secret: r.get(1)?,
            created_at: Timestamp::from_millis(r.get(2)?),
            default_category: r.get(3)?,
        };
        let account = crate::account_ops::account(r, 4)?;
        Ok((login, account))
    })
    .optional()
}

const PART_COLUMNS: &str = "account_id, protocol, group_key, part, total, client_msg_id, source, to_number, category,
    receipt, content, received_at, sender, client_addr";
/// [`PART_COLUMNS`] as read: the number and the text opened.
const PART_VALUES: &str = "account_id, protocol, group_key, part, total, client_msg_id, source,
    hy_open('to', to_number), category, receipt, hy_open('content', content), received_at, sender, client_addr";

fn part(r: &Row<'_>) -> rusqlite::Result<ClientPart> {
    Ok(ClientPart {
        account_id: r.get(0)?,
        protocol: r.get(1)?,
        group_key: r.get(2)?,
        part: r.get(3)?,
        total: r.get(4)?,
        client_msg_id: r.get(5)?,
        source: r.get(6)?,
        to: r.get(7)?,
        category: r.get(8)?,
        receipt: r.get(9)?,
        text: r.get(10)?,
        received_at: Timestamp::from_millis(r.get(11)?),
        sender: r.get(12)?,
        client_addr: r.get(13)?,
    })
}

fn group(conn: &Connection, account_id: i64, protocol: &str, key: &str) -> rusqlite::Result<Vec<ClientPart>> {
    let sql = format!(
        "SELECT {PART_VALUES} FROM client_parts WHERE account_id = ?1 AND protocol = ?2 AND group_key = ?3 ORDER BY part"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![account_id, protocol, key], part)?;
    rows.collect()
}

pub(crate) fn add_part(conn: &Connection, p: &ClientPart) -> Result<Vec<ClientPart>> {
    let sql = format!("INSERT OR REPLACE INTO client_parts ({PART_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, hy_seal('to', ?8), ?9, ?10, hy_seal('content', ?11), ?12, ?13, ?14)");
    conn.prepare_cached(&sql)
        .and_then(|mut s| {
            s.execute(params![
                p.account_id,
                p.protocol,
                p.group_key,
                p.part,
                p.total,
                p.client_msg_id,
                p.source,
                p.to,
                p.category,
                p.receipt,
                p.text,
                p.received_at.as_millis(),
                p.sender,
                p.client_addr
            ])
        })
        .map_err(backend)?;
    let parts = group(conn, p.account_id, &p.protocol, &p.group_key).map_err(backend)?;
    Ok(if parts.len() >= usize::from(p.total) { parts } else { Vec::new() })
}

pub(crate) fn stale_groups(conn: &Connection, before: Timestamp) -> rusqlite::Result<Vec<Vec<ClientPart>>> {
    let keys: Vec<(i64, String, String)> = conn
        .prepare_cached(
            "SELECT account_id, protocol, group_key FROM client_parts
             GROUP BY account_id, protocol, group_key HAVING max(received_at) < ?1 LIMIT 1000",
        )?
        .query_map([before.as_millis()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    keys.iter().map(|(a, p, k)| group(conn, *a, p, k)).collect()
}

/// Written with the message: which part ids the client holds for it.
pub(crate) fn record_origin(conn: &Connection, message_id: Option<MessageId>, o: &ClientOrigin) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO client_submits (message_id, part, protocol, client_msg_id, source, receipt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .map_err(backend)?;
    for (i, id) in o.part_ids.iter().enumerate().filter(|_| message_id.is_some()) {
        let message_id = message_id.map_or(0, |m| m.0 as i64);
        stmt.execute(params![message_id, i + 1, o.protocol, id, o.source, o.receipt]).map_err(backend)?;
    }
    if let Some((account_id, key)) = &o.group {
        conn.prepare_cached("DELETE FROM client_parts WHERE account_id = ?1 AND protocol = ?2 AND group_key = ?3")
            .and_then(|mut s| s.execute(params![account_id, o.protocol, key]))
            .map_err(backend)?;
    }
    Ok(())
}

/// A long message refused for good: its kept parts go, and its acknowledged part ids are owed
/// REJECTD receipts (a `refused` feed event) when the client asked for receipts.
pub(crate) fn refuse(conn: &Connection, r: &ClientRefusal) -> Result<()> {
    conn.prepare_cached("DELETE FROM client_parts WHERE account_id = ?1 AND protocol = ?2 AND group_key = ?3")
        .and_then(|mut s| s.execute(params![r.account_id, r.protocol, r.group_key]))
        .map_err(backend)?;
    if !r.receipt || r.part_ids.is_empty() {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO client_refusals (account_id, protocol, part_ids, source, to_number, error, accepted_at, refused_at)
         VALUES (?1, ?2, ?3, ?4, hy_seal('to', ?5), ?6, ?7, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![
            r.account_id,
            r.protocol,
            r.part_ids.join(" "),
            r.source,
            r.to,
            r.error,
            r.accepted_at.as_millis(),
            r.refused_at.as_millis()
        ])
    })
    .map_err(backend)?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached(
        "INSERT INTO feed (account_id, kind, ref_id, segment, created_at) VALUES (?1, 'refused', ?2, 0, ?3)",
    )
    .and_then(|mut s| s.execute(params![r.account_id, id, r.refused_at.as_millis()]))
    .map_err(backend)?;
    Ok(())
}

/// `refused` events of long messages that came over `protocol`, as final reports with the
/// status `rejected` (no message was ever stored: the message id is 0).
fn refused_events(
    conn: &Connection,
    account_id: i64,
    protocol: &str,
    after: u64,
    limit: usize,
) -> rusqlite::Result<Vec<FeedEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.seq, hy_open('to', r.to_number), r.error, r.accepted_at, r.refused_at, r.source, r.part_ids
         FROM feed f JOIN client_refusals r ON r.id = f.ref_id
         WHERE f.account_id = ?1 AND f.kind = 'refused' AND f.seq > ?2 AND r.protocol = ?3
         ORDER BY f.seq LIMIT +?4",
    )?;
    let rows = stmt.query_map(params![account_id, after as i64, protocol, limit as i64], |r| {
        let report = FinalReport {
            message_id: MessageId(0),
            to: r.get(1)?,
            status: MessageStatus::Rejected,
            error: r.get(2)?,
            accepted_at: Timestamp::from_millis(r.get(3)?),
            completed_at: Some(Timestamp::from_millis(r.get(4)?)),
            source: r.get(5)?,
            part_ids: r.get::<_, String>(6)?.split(' ').map(str::to_owned).collect(),
            text_start: String::new(),
        };
        Ok(FeedEvent { seq: r.get::<_, i64>(0)? as u64, item: FeedItem::Final(report), callback_url: None })
    })?;
    rows.collect()
}

/// A message reached a final state: its client is owed receipts, if it asked for them.
pub(crate) fn append_final(
    conn: &Connection,
    (account_id, message_id): (i64, i64),
    now: Timestamp,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO feed (account_id, kind, ref_id, segment, created_at)
         SELECT ?1, 'final', ?2, 0, ?3
         WHERE EXISTS (SELECT 1 FROM client_submits c WHERE c.message_id = ?2 AND c.receipt = 1)",
    )?
    .execute(params![account_id, message_id, now.as_millis()])?;
    Ok(())
}

/// `final` events of messages that came over `protocol`.
pub(crate) fn final_events(
    conn: &Connection,
    account_id: i64,
    protocol: &str,
    after: u64,
    limit: usize,
) -> rusqlite::Result<Vec<FeedEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.seq, m.id, hy_open('to', m.to_number), m.status, m.error, m.accepted_at, m.completed_at, c.source,
                substr(hy_open('content', m.content), 1, 20)
         FROM feed f JOIN messages m ON m.id = f.ref_id
         JOIN client_submits c ON c.message_id = f.ref_id AND c.part = 1
         WHERE f.account_id = ?1 AND f.kind = 'final' AND f.seq > ?2 AND c.protocol = ?3
         ORDER BY f.seq LIMIT +?4",
    )?;
    let rows = stmt.query_map(params![account_id, after as i64, protocol, limit as i64], |r| {
        let status: String = r.get(3)?;
        let report = FinalReport {
            message_id: MessageId(r.get::<_, i64>(1)? as u64),
            to: r.get(2)?,
            status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Unknown),
            error: r.get(4)?,
            accepted_at: Timestamp::from_millis(r.get(5)?),
            completed_at: r.get::<_, Option<i64>>(6)?.map(Timestamp::from_millis),
            source: r.get(7)?,
            part_ids: Vec::new(),
            text_start: r.get(8)?,
        };
        Ok((r.get::<_, i64>(0)? as u64, report))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, mut report) = row?;
        report.part_ids = part_ids(conn, report.message_id)?;
        out.push(FeedEvent { seq, item: FeedItem::Final(report), callback_url: None });
    }
    // Both kinds in one order: the first `limit` of the two sorted lists merged.
    out.extend(refused_events(conn, account_id, protocol, after, limit)?);
    out.sort_by_key(|e| e.seq);
    out.truncate(limit);
    Ok(out)
}

fn part_ids(conn: &Connection, id: MessageId) -> rusqlite::Result<Vec<String>> {
    let mut stmt =
        conn.prepare_cached("SELECT client_msg_id FROM client_submits WHERE message_id = ?1 ORDER BY part")?;
    let rows = stmt.query_map([id.0 as i64], |r| r.get(0))?;
    rows.collect()
}
