//! The SQL of templates and the free-text right.

use hongyan_store::{Category, Result, SignatureStatus, Template, Timestamp};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::backend;

const COLUMNS: &str = "id, account_id, name, body, category, status, created_at";

fn conversion(col: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, Type::Text, format!("unknown {what}").into())
}

fn template(r: &Row<'_>) -> rusqlite::Result<Template> {
    let category: String = r.get(4)?;
    let status: String = r.get(5)?;
    Ok(Template {
        id: r.get(0)?,
        account_id: r.get(1)?,
        name: r.get(2)?,
        body: r.get(3)?,
        category: Category::from_stored(&category).map_err(|_| conversion(4, "category"))?,
        status: SignatureStatus::parse(&status).ok_or_else(|| conversion(5, "status"))?,
        created_at: Timestamp::from_millis(r.get(6)?),
    })
}

pub(crate) fn add(
    conn: &Connection,
    account_id: i64,
    name: &str,
    body: &str,
    category: Category,
    now: Timestamp,
) -> Result<Template> {
    conn.prepare_cached(
        "INSERT INTO templates (account_id, name, body, category, status, created_at) VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
    )
    .and_then(|mut s| s.execute(params![account_id, name, body, category.stored(), now.as_millis()]))
    .map_err(backend)?;
    Ok(Template {
        id: conn.last_insert_rowid(),
        account_id,
        name: name.to_owned(),
        body: body.to_owned(),
        category,
        status: SignatureStatus::Pending,
        created_at: now,
    })
}

pub(crate) fn decide(conn: &Connection, id: i64, status: SignatureStatus, now: Timestamp) -> Result<bool> {
    let n = conn
        .prepare_cached("UPDATE templates SET status = ?2, decided_at = ?3 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id, status.as_str(), now.as_millis()]))
        .map_err(backend)?;
    Ok(n == 1)
}

pub(crate) fn get(conn: &Connection, account_id: i64, id: i64) -> rusqlite::Result<Option<Template>> {
    let sql = format!("SELECT {COLUMNS} FROM templates WHERE id = ?1 AND account_id = ?2");
    conn.prepare_cached(&sql)?.query_row(params![id, account_id], template).optional()
}

pub(crate) fn list(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<Template>> {
    let sql = format!("SELECT {COLUMNS} FROM templates WHERE account_id = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([account_id], template)?;
    rows.collect()
}

pub(crate) fn free_text(conn: &Connection, account_id: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT free_text FROM accounts WHERE id = ?1")?
        .query_row([account_id], |r| r.get(0))
        .optional()
        .map(|v| v.unwrap_or(false))
}

pub(crate) fn set_free_text(conn: &Connection, account_id: i64, allowed: bool) -> Result<()> {
    conn.prepare_cached("UPDATE accounts SET free_text = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![account_id, allowed]))
        .map_err(backend)?;
    Ok(())
}
