//! The SQL of interface accounts' life and keys: list, change, soft-delete, revoke, last use.

use hongyan_store::Cidr;
use hongyan_store::PriceTable;
use hongyan_store::{Account, AccountPatch, ApiKey, Result, Rights, Timestamp};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::backend;

/// The account columns, in the order [`account`] reads them from `offset`.
pub(crate) const ACCOUNT_COLUMNS: &str = "a.id, a.name, a.enabled, a.created_at, a.expires_at, a.deleted_at";

/// Reads [`ACCOUNT_COLUMNS`] starting at column `offset`.
pub(crate) fn account(r: &Row<'_>, offset: usize) -> rusqlite::Result<Account> {
    let ts = |i: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(r.get::<_, Option<i64>>(offset + i)?.map(Timestamp::from_millis))
    };
    Ok(Account {
        id: r.get(offset)?,
        name: r.get(offset + 1)?,
        enabled: r.get(offset + 2)?,
        created_at: Timestamp::from_millis(r.get(offset + 3)?),
        expires_at: ts(4)?,
        deleted_at: ts(5)?,
    })
}

/// The key columns, in the order [`key`] reads them.
pub(crate) const KEY_COLUMNS: &str =
    "k.key_id, k.account_id, k.secret_hash, k.created_at, k.revoked_at, k.last_used_at";

pub(crate) fn key(r: &Row<'_>) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey {
        key_id: r.get(0)?,
        account_id: r.get(1)?,
        secret_hash: r.get(2)?,
        created_at: Timestamp::from_millis(r.get(3)?),
        revoked_at: r.get::<_, Option<i64>>(4)?.map(Timestamp::from_millis),
        last_used_at: r.get::<_, Option<i64>>(5)?.map(Timestamp::from_millis),
    })
}

pub(crate) fn get(conn: &Connection, id: i64) -> rusqlite::Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?1");
    conn.prepare_cached(&sql)?.query_row([id], |r| account(r, 0)).optional()
}

pub(crate) fn list(conn: &Connection) -> rusqlite::Result<Vec<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], |r| account(r, 0))?;
    rows.collect()
}

pub(crate) fn update(conn: &Connection, id: i64, p: &AccountPatch) -> Result<Option<Account>> {
    if let Some(enabled) = p.enabled {
        conn.prepare_cached("UPDATE accounts SET enabled = ?2 WHERE id = ?1 AND deleted_at IS NULL")
            .and_then(|mut s| s.execute(params![id, enabled]))
            .map_err(backend)?;
    }
    if let Some(expires) = p.expires_at {
        conn.prepare_cached("UPDATE accounts SET expires_at = ?2 WHERE id = ?1 AND deleted_at IS NULL")
            .and_then(|mut s| s.execute(params![id, expires.map(Timestamp::as_millis)]))
            .map_err(backend)?;
    }
    get(conn, id).map_err(backend)
}

pub(crate) fn delete(conn: &Connection, id: i64, now: Timestamp) -> Result<bool> {
    let n = conn
        .prepare_cached("UPDATE accounts SET deleted_at = ?2, enabled = 0 WHERE id = ?1 AND deleted_at IS NULL")
        .and_then(|mut s| s.execute(params![id, now.as_millis()]))
        .map_err(backend)?;
    Ok(n == 1)
}

pub(crate) fn keys(conn: &Connection, account_id: i64) -> rusqlite::Result<Vec<ApiKey>> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys k WHERE k.account_id = ?1 ORDER BY k.created_at, k.key_id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([account_id], key)?;
    rows.collect()
}

pub(crate) fn revoke_key(conn: &Connection, account_id: i64, key_id: &str, now: Timestamp) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE api_keys SET revoked_at = ?3 WHERE account_id = ?1 AND key_id = ?2 AND revoked_at IS NULL",
        )
        .and_then(|mut s| s.execute(params![account_id, key_id, now.as_millis()]))
        .map_err(backend)?;
    Ok(n == 1)
}

/// Insert-or-refresh-if-forgotten: one statement decides, inside the writer's transaction, so
/// two requests with one nonce cannot both pass.
pub(crate) fn claim_nonce(
    conn: &Connection,
    key_id: &str,
    nonce: &str,
    now: Timestamp,
    forget_before: Timestamp,
) -> Result<bool> {
    let forget = forget_before.as_millis();
    conn.prepare_cached("DELETE FROM request_nonces WHERE seen_at < ?1")
        .and_then(|mut s| s.execute([forget]))
        .map_err(backend)?;
    let claimed = conn
        .prepare_cached(
            "INSERT INTO request_nonces (key_id, nonce, seen_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key_id, nonce) DO UPDATE SET seen_at = excluded.seen_at WHERE seen_at < ?4",
        )
        .and_then(|mut s| s.execute(params![key_id, nonce, now.as_millis(), forget]))
        .map_err(backend)?;
    Ok(claimed == 1)
}

pub(crate) fn touch_key(conn: &Connection, key_id: &str, now: Timestamp) -> Result<()> {
    conn.prepare_cached("UPDATE api_keys SET last_used_at = ?2 WHERE key_id = ?1")
        .and_then(|mut s| s.execute(params![key_id, now.as_millis()]))
        .map_err(backend)?;
    Ok(())
}

fn joined(v: &Option<Vec<String>>) -> Option<String> {
    v.as_ref().map(|items| items.join(","))
}

fn split(s: Option<String>) -> Option<Vec<String>> {
    s.map(|s| s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect())
}

pub(crate) fn rights(conn: &Connection, account_id: i64) -> rusqlite::Result<Rights> {
    let row = conn
        .prepare_cached(
            "SELECT interfaces, operations, categories, ip_allow, prices FROM account_rights WHERE account_id = ?1",
        )?
        .query_row([account_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, Option<String>>(3)?, r.get::<_, Option<String>>(4)?))
        })
        .optional()?;
    let Some((interfaces, operations, categories, ips, prices)) = row else { return Ok(Rights::default()) };
    // Ranges were checked when set; one that no longer parses is dropped rather than widening.
    let ip_allow = split(ips).map(|v| v.iter().filter_map(|c| Cidr::parse(c).ok()).collect());
    Ok(Rights {
        interfaces: split(interfaces),
        operations: split(operations),
        categories: split(categories),
        ip_allow,
        prices: prices.as_deref().map(PriceTable::from_stored),
    })
}

/// `carrier|category|price` per line, `*` for any, the price in 0.0001 yuan.
pub(crate) fn set_rights(conn: &Connection, account_id: i64, r: &Rights) -> Result<()> {
    let ips = r.ip_allow.as_ref().map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>().join(","));
    let prices = r.prices.as_ref().map(PriceTable::stored);
    conn.prepare_cached(
        "INSERT INTO account_rights (account_id, interfaces, operations, categories, ip_allow, prices)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account_id) DO UPDATE SET interfaces = excluded.interfaces, operations = excluded.operations,
             categories = excluded.categories, ip_allow = excluded.ip_allow, prices = excluded.prices",
    )
    .and_then(|mut s| {
        s.execute(params![account_id, joined(&r.interfaces), joined(&r.operations), joined(&r.categories), ips, prices])
    })
    .map_err(backend)?;
    Ok(())
}
