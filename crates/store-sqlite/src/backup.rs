//! Backup and restore of the database file, safe while the server runs.
//!
//! A backup is SQLite's online backup of the whole database taken in one step, so it is one
//! read transaction: a consistent snapshot that writers (WAL) are never held up by. The copy
//! is written beside its destination, checked with `PRAGMA integrity_check`, made durable and
//! only then given its name, so a file under that name is always a whole, checked backup.
//! Values stay sealed: a backup is no more readable than the database without the data keys,
//! which are kept (and backed up) apart.

use std::path::{Path, PathBuf};
use std::time::Duration;

use hongyan_store::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};

use crate::backend;

/// What a backup or restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// Messages in it.
    pub messages: u64,
    /// The newest message id (0 with none).
    pub newest_message: i64,
    /// The last schema migration applied to it.
    pub schema: String,
    /// Its size.
    pub bytes: u64,
}

fn fail(what: &str, path: &Path, why: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("{what} {}: {why}", path.display()))
}

/// Copies the database at `db` to `out` (which must not exist yet).
pub fn backup(db: &Path, out: &Path) -> Result<BackupReport> {
    if out.exists() {
        return Err(fail("will not overwrite", out, "it exists"));
    }
    if !db.exists() {
        return Err(fail("no database at", db, "nothing to back up"));
    }
    let src = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(backend)?;
    src.busy_timeout(Duration::from_secs(30)).map_err(backend)?;
    let part = partial(out);
    let _ = std::fs::remove_file(&part);
    {
        let mut dst = Connection::open(&part).map_err(backend)?;
        let b = rusqlite::backup::Backup::new(&src, &mut dst).map_err(backend)?;
        copy_all(&b)?;
    }
    finish(&part, out)
}

/// Every page in one step (-1): one read transaction, so the copy is one moment's state. A
/// step the source's lock holds up is tried again.
fn copy_all(b: &rusqlite::backup::Backup<'_, '_>) -> Result<()> {
    use rusqlite::backup::StepResult;
    for _ in 0..300 {
        match b.step(-1).map_err(backend)? {
            StepResult::Done => return Ok(()),
            StepResult::More | StepResult::Busy | StepResult::Locked => std::thread::sleep(Duration::from_millis(100)),
            _ => std::thread::sleep(Duration::from_millis(100)),
        }
    }
    Err(StoreError::Backend("the backup could not read the database for 30 s".into()))
}

/// Puts the backup `from` in place as the database `db`, which must not exist yet (a restore
/// never overwrites data: move the old folder aside first).
pub fn restore(from: &Path, db: &Path) -> Result<BackupReport> {
    for p in [db.to_owned(), with_suffix(db, "-wal")] {
        if p.exists() {
            return Err(fail("will not overwrite", &p, "restore into a new data folder, or move the old one aside"));
        }
    }
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| fail("cannot create", dir, e))?;
    }
    check(from)?;
    let part = partial(db);
    std::fs::copy(from, &part).map_err(|e| fail("cannot copy to", &part, e))?;
    finish(&part, db)
}

/// Checks that `ring` opens the newest sealed message of the database at `db`: a key ring
/// with the right key ids but other keys (another installation's) opens nothing.
pub fn check_keys(db: &Path, ring: &hongyan_seal::KeyRing) -> Result<()> {
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(backend)?;
    let sql = "SELECT content FROM messages WHERE typeof(content) = 'blob' ORDER BY id DESC LIMIT 1";
    let blob: Option<Vec<u8>> = match conn.query_row(sql, [], |r| r.get(0)) {
        Ok(b) => Some(b),
        Err(rusqlite::Error::QueryReturnedNoRows) => None,
        Err(e) => return Err(backend(e)),
    };
    match blob.map(|b| ring.open("content", &b)) {
        Some(Err(e)) => Err(fail("the data keys do not open the messages of", db, e)),
        _ => Ok(()),
    }
}

/// Checks the copy at `part`, makes it durable and names it `dest`.
fn finish(part: &Path, dest: &Path) -> Result<BackupReport> {
    let report = match check(part) {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_file(part);
            return Err(e);
        }
    };
    let file = std::fs::File::open(part).map_err(|e| fail("cannot open", part, e))?;
    file.sync_all().map_err(|e| fail("cannot sync", part, e))?;
    std::fs::rename(part, dest).map_err(|e| fail("cannot name", dest, e))?;
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The new name is durable once the folder is.
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(report)
}

/// Opens `path` read-only, runs SQLite's integrity check and counts what it holds.
fn check(path: &Path) -> Result<BackupReport> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(backend)?;
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| fail("not a Hongyan database:", path, e))?;
    if verdict != "ok" {
        return Err(fail("integrity check failed for", path, verdict));
    }
    let schema: String = conn
        .query_row("SELECT version FROM schema_migrations ORDER BY version DESC LIMIT 1", [], |r| r.get(0))
        .map_err(|e| fail("not a Hongyan database:", path, e))?;
    let (messages, newest): (u64, i64) = conn
        .query_row("SELECT count(*), coalesce(max(id), 0) FROM messages", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(backend)?;
    let bytes = std::fs::metadata(path).map_err(|e| fail("cannot read", path, e))?.len();
    Ok(BackupReport { messages, newest_message: newest, schema, bytes })
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn partial(p: &Path) -> PathBuf {
    with_suffix(p, ".partial")
}
