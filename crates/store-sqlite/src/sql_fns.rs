//! The key ring as SQL functions on every connection, so a statement seals and opens values
//! where it writes and reads them and the rest of the crate keeps working in plain text:
//!
//! - `hy_seal(label, value)`: the sealed blob (NULL stays NULL). Not deterministic: every call
//!   draws a new nonce, and SQLite must not fold two calls into one.
//! - `hy_open(label, value)`: the text of a sealed blob; text passes through as it is (rows
//!   written before sealing existed, until the first open seals them), NULL stays NULL.
//! - `hy_index(number, slot)`: the search hash of a number under one (key, algorithm) pair of
//!   the ring (see [`KeyRing::index`]); NULL past the ring. A search compares the stored hash
//!   with slot 0 only while every row is current, and with every slot during a rotation, so
//!   rows sealed before it are still found ([`hash_matches`]).
//! - `hy_stale(value)`: 1 when the value is plain text or sealed with anything but the current
//!   key and algorithm; what `rekey` rewrites.
//!
//! Without a ring (administration commands that never touch message data) sealing and opening
//! fail with [`SealError::NoKeys`] instead of writing or reading plain text.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use hongyan_seal::{KeyRing, SealError};

/// `column IN (…)`: the hash of any of the numbers bound as `?first` … `?(first + count - 1)`
/// under the first `slots` slots of the ring. One slot (the current key) while every row is
/// sealed with it — a plain equality, as fast as searching the number itself; every slot
/// during a rotation, so rows sealed with an older key or algorithm are still found.
pub(crate) fn hash_matches(column: &str, first: usize, count: usize, slots: usize) -> String {
    if slots == 1 && count == 1 {
        return format!("{column} = hy_index(?{first}, 0)");
    }
    let terms: Vec<String> =
        (first..first + count).flat_map(|p| (0..slots).map(move |s| format!("hy_index(?{p}, {s})"))).collect();
    format!("{column} IN ({})", terms.join(", "))
}

fn failed(e: SealError) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(Box::new(e))
}

fn ring_of(ring: &Option<KeyRing>) -> rusqlite::Result<&KeyRing> {
    ring.as_ref().ok_or_else(|| failed(SealError::NoKeys))
}

fn bytes<'a>(ctx: &'a Context<'_>, i: usize) -> rusqlite::Result<Option<&'a [u8]>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(t),
        ValueRef::Integer(_) | ValueRef::Real(_) => {
            return Err(rusqlite::Error::UserFunctionError("only text is sealed".into()));
        }
    })
}

/// SQL that depends only on the slot count, built once per count: the frequency limit and the
/// search by recipient run it for every number, and a store uses one of two counts (the current
/// key alone, or every slot of the ring).
pub(crate) fn once_per_slots(
    cache: &'static [std::sync::OnceLock<String>; 2],
    slots: usize,
    make: impl FnOnce() -> String,
) -> &'static str {
    debug_assert!(slots == 1 || slots == hongyan_seal::INDEX_SLOTS, "{slots} slots");
    cache[usize::from(slots != 1)].get_or_init(make)
}

/// Removes `table`'s rows for the number `?2` in account `?1` that carry an older slot's hash,
/// so that adding a number during a rotation leaves one entry, not one per key.
pub(crate) fn drop_older_hashes(
    conn: &Connection,
    table: &str,
    account_id: i64,
    number: &str,
    slots: usize,
) -> rusqlite::Result<()> {
    if slots == 1 {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM {table} WHERE account_id = ?1 AND {} AND number_hash IS NOT hy_index(?2, 0)",
        hash_matches("number_hash", 2, 1, slots)
    );
    conn.prepare_cached(&sql)?.execute(rusqlite::params![account_id, number])?;
    Ok(())
}

pub(crate) fn register(conn: &Connection, ring: Option<&KeyRing>) -> rusqlite::Result<()> {
    let utf8 = FunctionFlags::SQLITE_UTF8;
    let pure = utf8 | FunctionFlags::SQLITE_DETERMINISTIC;

    let r = ring.cloned();
    conn.create_scalar_function("hy_seal", 2, utf8, move |ctx| {
        let label: String = ctx.get(0)?;
        let Some(plain) = bytes(ctx, 1)? else { return Ok(None) };
        Ok(Some(ring_of(&r)?.seal(&label, plain)))
    })?;

    let r = ring.cloned();
    conn.create_scalar_function("hy_open", 2, pure, move |ctx| {
        let label: String = ctx.get(0)?;
        match ctx.get_raw(1) {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => Ok(Some(String::from_utf8_lossy(t).into_owned())),
            ValueRef::Blob(b) => {
                let plain = ring_of(&r)?.open(&label, b).map_err(failed)?;
                String::from_utf8(plain).map(Some).map_err(|_| failed(SealError::Malformed))
            }
            ValueRef::Integer(_) | ValueRef::Real(_) => Err(failed(SealError::Malformed)),
        }
    })?;

    let r = ring.cloned();
    conn.create_scalar_function("hy_index", 2, pure, move |ctx| {
        let Some(number) = bytes(ctx, 0)? else { return Ok(None) };
        let slot: i64 = ctx.get(1)?;
        let number = std::str::from_utf8(number).map_err(|_| failed(SealError::Malformed))?;
        Ok(ring_of(&r)?.index(number, slot as usize).map(|h| h.to_vec()))
    })?;

    let r = ring.cloned();
    conn.create_scalar_function("hy_stale", 1, pure, move |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => false,
            ValueRef::Blob(b) => !ring_of(&r)?.is_current(b),
            _ => true,
        })
    })?;
    Ok(())
}
