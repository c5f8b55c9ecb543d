//! The SQL of signatures: writes run in the writer's transaction, reads on a read connection.

use hongyan_store::{Category, Result, Signature, SignatureStatus, SigningRules, Timestamp};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::backend;

const COLUMNS: &str = "id, account_id, text, extension, status, created_at";

fn signature(r: &Row<'_>) -> rusqlite::Result<Signature> {
    let status: String = r.get(4)?;
    Ok(Signature {
        id: r.get(0)?,
        account_id: r.get(1)?,
        text: r.get(2)?,
        extension: r.get(3)?,
        status: SignatureStatus::parse(&status)
            .ok_or_else(|| rusqlite::Error::FromSqlConversionFailure(4, Type::Text, "unknown status".into()))?,
        created_at: Timestamp::from_millis(r.get(5)?),
    })
}

pub(crate) fn add(
    conn: &Connection,
    account_id: i64,
    text: &str,
    extension: &str,
    now: Timestamp,
) -> Result<Signature> {
    conn.prepare_cached(
        "INSERT INTO signatures (account_id, text, extension, status, created_at) VALUES (?1, ?2, ?3, 'pending', ?4)",
    )
    .and_then(|mut s| s.execute(params![account_id, text, extension, now.as_millis()]))
    .map_err(backend)?;
    Ok(Signature {
        id: conn.last_insert_rowid(),
        account_id,
        text: text.to_owned(),
        extension: extension.to_owned(),
        status: SignatureStatus::Pending,
        created_at: now,
    })
}

pub(crate) fn decide(conn: &Connection, id: i64, status: SignatureStatus, now: Timestamp) -> Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE signatures SET status = ?2, decided_at = ?3 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id, status.as_str(), now.as_millis()]))
        .map_err(backend)?;
    if status != SignatureStatus::Approved {
        // A signature that is no longer approved is nobody's default any more.
        conn.prepare_cached("DELETE FROM default_signatures WHERE signature_id = ?1")
            .and_then(|mut s| s.execute([id]))
            .map_err(backend)?;
    }
    Ok(changed == 1)
}

pub(crate) fn set_default(conn: &Connection, account_id: i64, category: Category, signature_id: i64) -> Result<bool> {
    let approved: bool = conn
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM signatures WHERE id = ?1 AND account_id = ?2 AND status = 'approved')",
        )
        .and_then(|mut s| s.query_row(params![signature_id, account_id], |r| r.get(0)))
        .map_err(backend)?;
    if !approved {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT INTO default_signatures (account_id, category, signature_id) VALUES (?1, ?2, ?3)
         ON CONFLICT (account_id, category) DO UPDATE SET signature_id = excluded.signature_id",
    )
    .and_then(|mut s| s.execute(params![account_id, category.stored(), signature_id]))
    .map_err(backend)?;
    Ok(true)
}

pub(crate) fn set_suffix(conn: &Connection, account_id: i64, suffix: bool) -> Result<()> {
    conn.prepare_cached("UPDATE accounts SET signature_suffix = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![account_id, suffix]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn list(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<Signature>> {
    let sql = format!("SELECT {COLUMNS} FROM signatures WHERE account_id = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([account_id], signature)?;
    rows.collect()
}

pub(crate) fn rules(conn: &Connection, account_id: i64) -> rusqlite::Result<SigningRules> {
    let (suffix, free_text): (bool, bool) = conn
        .prepare_cached("SELECT signature_suffix, free_text FROM accounts WHERE id = ?1")?
        .query_row([account_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((false, false));
    let sql = format!(
        "SELECT d.category, {} FROM default_signatures d JOIN signatures s ON s.id = d.signature_id
         WHERE d.account_id = ?1 AND s.status = 'approved' ORDER BY d.category",
        COLUMNS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([account_id], |r| {
        let category: String = r.get(0)?;
        let category = Category::from_stored(&category)
            .map_err(|_| rusqlite::Error::FromSqlConversionFailure(0, Type::Text, "unknown category".into()))?;
        // The signature's columns follow the category.
        let sig = Signature {
            id: r.get(1)?,
            account_id: r.get(2)?,
            text: r.get(3)?,
            extension: r.get(4)?,
            status: SignatureStatus::Approved,
            created_at: Timestamp::from_millis(r.get(6)?),
        };
        Ok((category, sig))
    })?;
    Ok(SigningRules { defaults: rows.collect::<rusqlite::Result<_>>()?, suffix, free_text })
}

pub(crate) fn set_review_note(
    conn: &Connection,
    kind: &str,
    id: i64,
    reason: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    match reason {
        Some(r) => conn
            .prepare_cached(
                "INSERT INTO review_notes (kind, item_id, reason, decided_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (kind, item_id) DO UPDATE SET reason = excluded.reason, decided_at = excluded.decided_at",
            )
            .and_then(|mut s| s.execute(params![kind, id, r, now.as_millis()])),
        None => conn
            .prepare_cached("DELETE FROM review_notes WHERE kind = ?1 AND item_id = ?2")
            .and_then(|mut s| s.execute(params![kind, id])),
    }
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn review_notes(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<(String, i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.kind, n.item_id, n.reason FROM review_notes n
         WHERE (n.kind = 'signature' AND n.item_id IN (SELECT id FROM signatures WHERE account_id = ?1))
            OR (n.kind = 'template' AND n.item_id IN (SELECT id FROM templates WHERE account_id = ?1))",
    )?;
    let rows = stmt.query_map([account_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    rows.collect()
}
