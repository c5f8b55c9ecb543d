//! The SQL of console users, their sessions and the audit log.

use hongyan_store::{
    AuditEntry, AuditFilter, AuditRecord, NewUser, Result, Role, Session, StoreError, Timestamp, User, UserPatch,
};
use rusqlite::types::Type;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::backend;

const USER_COLUMNS: &str =
    "id, username, role, account_id, password_hash, must_change, failed_logins, locked_until, disabled, created_at";

fn user(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: Role::parse(&role)
            .ok_or_else(|| rusqlite::Error::FromSqlConversionFailure(2, Type::Text, "unknown role".into()))?,
        account_id: r.get(3)?,
        password_hash: r.get(4)?,
        must_change: r.get(5)?,
        failed_logins: r.get(6)?,
        locked_until: r.get::<_, Option<i64>>(7)?.map(Timestamp::from_millis),
        disabled: r.get(8)?,
        created_at: Timestamp::from_millis(r.get(9)?),
    })
}

pub(crate) fn create_user(conn: &Connection, u: &NewUser) -> Result<User> {
    conn.prepare_cached(
        "INSERT INTO users (username, role, account_id, password_hash, must_change, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .and_then(|mut s| {
        s.execute(params![
            u.username,
            u.role.as_str(),
            u.account_id,
            u.password_hash,
            u.must_change,
            u.created_at.as_millis()
        ])
    })
    .map_err(backend)?;
    find_user(conn, &u.username).map_err(backend)?.ok_or_else(|| StoreError::Backend("user vanished".into()))
}

pub(crate) fn find_user(conn: &Connection, username: &str) -> rusqlite::Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = ?1");
    conn.prepare_cached(&sql)?.query_row([username], user).optional()
}

pub(crate) fn list_users(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([], user)?;
    rows.collect()
}

/// One transaction: the change and the end of the user's sessions, so a disabled user or one
/// with fewer rights has no session left that still carries the old ones.
pub(crate) fn update_user(conn: &Connection, id: i64, patch: UserPatch) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    if conn.prepare_cached(&sql).and_then(|mut s| s.query_row([id], user).optional()).map_err(backend)?.is_none() {
        return Ok(None);
    }
    if let Some(disabled) = patch.disabled {
        conn.prepare_cached("UPDATE users SET disabled = ?2 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, disabled]))
            .map_err(backend)?;
    }
    if let Some((role, account_id)) = patch.role {
        conn.prepare_cached("UPDATE users SET role = ?2, account_id = ?3 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![id, role.as_str(), account_id]))
            .map_err(backend)?;
    }
    conn.prepare_cached("DELETE FROM sessions WHERE user_id = ?1")
        .and_then(|mut s| s.execute([id]))
        .map_err(backend)?;
    conn.prepare_cached(&sql).and_then(|mut s| s.query_row([id], user).optional()).map_err(backend)
}

pub(crate) fn count_users(conn: &Connection) -> rusqlite::Result<u64> {
    conn.prepare_cached("SELECT count(*) FROM users")?.query_row([], |r| r.get(0))
}

pub(crate) fn login_failure(conn: &Connection, id: i64, failed: u32, locked_until: Option<Timestamp>) -> Result<()> {
    conn.prepare_cached("UPDATE users SET failed_logins = ?2, locked_until = ?3 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id, failed, locked_until.map(Timestamp::as_millis)]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn login_success(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?1")
        .and_then(|mut s| s.execute([id]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn set_password(
    conn: &Connection,
    id: i64,
    hash: &str,
    must_change: bool,
    keep: Option<&[u8]>,
) -> Result<()> {
    conn.prepare_cached("UPDATE users SET password_hash = ?2, must_change = ?3 WHERE id = ?1")
        .and_then(|mut s| s.execute(params![id, hash, must_change]))
        .map_err(backend)?;
    conn.prepare_cached("DELETE FROM sessions WHERE user_id = ?1 AND token_hash IS NOT ?2")
        .and_then(|mut s| s.execute(params![id, keep]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn create_session(conn: &Connection, s: &Session) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen, address) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut st| {
        st.execute(params![s.token_hash, s.user_id, s.created_at.as_millis(), s.last_seen.as_millis(), s.address])
    })
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn find_session(conn: &Connection, token_hash: &[u8]) -> rusqlite::Result<Option<(Session, User)>> {
    let found = conn
        .prepare_cached("SELECT user_id, created_at, last_seen, address FROM sessions WHERE token_hash = ?1")?
        .query_row([token_hash], |r| {
            Ok(Session {
                token_hash: token_hash.to_vec(),
                user_id: r.get(0)?,
                created_at: Timestamp::from_millis(r.get(1)?),
                last_seen: Timestamp::from_millis(r.get(2)?),
                address: r.get(3)?,
            })
        })
        .optional()?;
    let Some(session) = found else { return Ok(None) };
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
    let owner = conn.prepare_cached(&sql)?.query_row([session.user_id], user).optional()?;
    Ok(owner.map(|u| (session, u)))
}

pub(crate) fn touch_session(conn: &Connection, token_hash: &[u8], now: Timestamp) -> Result<()> {
    conn.prepare_cached("UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1")
        .and_then(|mut s| s.execute(params![token_hash, now.as_millis()]))
        .map_err(backend)?;
    Ok(())
}

pub(crate) fn delete_session(conn: &Connection, token_hash: &[u8]) -> Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")
        .and_then(|mut s| s.execute([token_hash]))
        .map_err(backend)?;
    Ok(n > 0)
}

pub(crate) fn append_audit(conn: &Connection, e: &AuditEntry) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor, address, action, target, before, after, outcome)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .and_then(|mut s| {
        s.execute(params![e.at.as_millis(), e.actor, e.address, e.action, e.target, e.before, e.after, e.outcome])
    })
    .map_err(backend)?;
    Ok(())
}

pub(crate) fn audit(conn: &Connection, f: &AuditFilter) -> rusqlite::Result<Vec<AuditRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, address, action, target, before, after, outcome FROM audit_log
         WHERE (?1 IS NULL OR at >= ?1) AND (?2 IS NULL OR at < ?2) AND (?3 IS NULL OR actor = ?3)
           AND (?4 IS NULL OR action = ?4) AND (?5 IS NULL OR id < ?5)
         ORDER BY id DESC LIMIT +?6",
    )?;
    let args = params![
        f.from.map(Timestamp::as_millis),
        f.to.map(Timestamp::as_millis),
        f.actor,
        f.action,
        f.before_id,
        f.limit as i64
    ];
    let rows = stmt.query_map(args, |r| {
        Ok(AuditRecord {
            id: r.get(0)?,
            entry: AuditEntry {
                at: Timestamp::from_millis(r.get(1)?),
                actor: r.get(2)?,
                address: r.get(3)?,
                action: r.get(4)?,
                target: r.get(5)?,
                before: r.get(6)?,
                after: r.get(7)?,
                outcome: r.get(8)?,
            },
        })
    })?;
    rows.collect()
}
