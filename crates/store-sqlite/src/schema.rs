//! Opening connections and applying migrations.

use std::path::Path;
use std::time::Duration;

use hongyan_store::{Result, StoreError};
use rusqlite::{Connection, OpenFlags};

use crate::backend;
use hongyan_seal::KeyRing;

/// Dated migrations, applied in order, each once.
const MIGRATIONS: &[(&str, &str)] = &[
    ("2026-11-29-000001_init", include_str!("../migrations/2026-11-29-000001_init.sql")),
    ("2026-11-29-000002_client_requests", include_str!("../migrations/2026-11-29-000002_client_requests.sql")),
    ("2026-11-29-000003_signatures", include_str!("../migrations/2026-11-29-000003_signatures.sql")),
    ("2026-11-29-000004_limits_blacklist", include_str!("../migrations/2026-11-29-000004_limits_blacklist.sql")),
    ("2026-11-29-000005_templates", include_str!("../migrations/2026-11-29-000005_templates.sql")),
    ("2026-11-29-000006_portability", include_str!("../migrations/2026-11-29-000006_portability.sql")),
    ("2026-11-29-000007_send_at", include_str!("../migrations/2026-11-29-000007_send_at.sql")),
    ("2026-11-29-000008_unsubscribes", include_str!("../migrations/2026-11-29-000008_unsubscribes.sql")),
    ("2026-11-29-000009_early_reports", include_str!("../migrations/2026-11-29-000009_early_reports.sql")),
    ("2026-11-29-000010_feed", include_str!("../migrations/2026-11-29-000010_feed.sql")),
    ("2026-11-29-000011_client_links", include_str!("../migrations/2026-11-29-000011_client_links.sql")),
    ("2026-11-29-000012_users_audit", include_str!("../migrations/2026-11-29-000012_users_audit.sql")),
    ("2026-11-29-000013_sealed", include_str!("../migrations/2026-11-29-000013_sealed.sql")),
    ("2026-11-29-000014_sealed_lists", include_str!("../migrations/2026-11-29-000014_sealed_lists.sql")),
    ("2026-11-29-000015_prices", include_str!("../migrations/2026-11-29-000015_prices.sql")),
    ("2026-11-29-000016_nonces", include_str!("../migrations/2026-11-29-000016_nonces.sql")),
    ("2026-12-06-000017_provenance", include_str!("../migrations/2026-12-06-000017_provenance.sql")),
    ("2026-12-06-000018_usage", include_str!("../migrations/2026-12-06-000018_usage.sql")),
    ("2026-12-06-000019_search_replies", include_str!("../migrations/2026-12-06-000019_search_replies.sql")),
    ("2026-12-06-000020_client_ref_hash", include_str!("../migrations/2026-12-06-000020_client_ref_hash.sql")),
    ("2026-12-06-000021_login_category", include_str!("../migrations/2026-12-06-000021_login_category.sql")),
    ("2026-12-06-000022_client_refusals", include_str!("../migrations/2026-12-06-000022_client_refusals.sql")),
    ("2026-12-06-000029_space_probe", include_str!("../migrations/2026-12-06-000029_space_probe.sql")),
    ("2026-12-07-000023_staged", include_str!("../migrations/2026-12-07-000023_staged.sql")),
    ("2026-12-07-000024_cheaper_usage", include_str!("../migrations/2026-12-07-000024_cheaper_usage.sql")),
    ("2026-12-07-000025_link_minutes", include_str!("../migrations/2026-12-07-000025_link_minutes.sql")),
    ("2026-12-07-000026_incidents", include_str!("../migrations/2026-12-07-000026_incidents.sql")),
    ("2026-12-07-000027_alerts", include_str!("../migrations/2026-12-07-000027_alerts.sql")),
    ("2026-12-07-000028_connection_minutes", include_str!("../migrations/2026-12-07-000028_connection_minutes.sql")),
    ("2026-12-07-000030_usage_in_writer", include_str!("../migrations/2026-12-07-000030_usage_in_writer.sql")),
    ("2026-12-07-000031_feed_replies_index", include_str!("../migrations/2026-12-07-000031_feed_replies_index.sql")),
];

/// Waits this long for another process (e.g. `hongyan account create`) to finish writing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn open_writer(path: &Path, ring: Option<&KeyRing>) -> Result<Connection> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Backend(format!("{}: {e}", dir.display())))?;
    }
    let conn = Connection::open(path).map_err(backend)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(backend)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!("could not switch to WAL mode (got {mode})")));
    }
    // Not `temp_store = MEMORY`: with the sub-journal in memory, a large job (100,000 messages
    // in one savepoint) became quadratic — two minutes instead of three seconds.
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;").map_err(backend)?;
    // A checkpoint every 4,000 pages (16 MiB of WAL) instead of SQLite's 1,000: a page that
    // many commits change (the feed's end, an index's inner pages, the day's totals) is
    // copied into the database once per checkpoint, and the writer fsyncs the file a quarter
    // as often. Checkpoints were a fifth of the writer's time under SMPP clients' load.
    conn.execute_batch("PRAGMA wal_autocheckpoint = 4000").map_err(backend)?;
    conn.set_prepared_statement_cache_capacity(64);
    crate::sql_fns::register(&conn, ring).map_err(backend)?;
    migrate(&conn)?;
    Ok(conn)
}

pub(crate) fn open_reader(path: &Path, ring: Option<&KeyRing>) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(backend)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
    conn.set_prepared_statement_cache_capacity(64);
    crate::sql_fns::register(&conn, ring).map_err(backend)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .map_err(backend)?;
    for (version, sql) in MIGRATIONS {
        let done: bool = conn
            .query_row("SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)", [version], |r| r.get(0))
            .map_err(backend)?;
        if done {
            continue;
        }
        // IMMEDIATE: two processes opening a new data folder at once must not both migrate.
        conn.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
        let applied = conn
            .execute_batch(sql)
            .and_then(|()| {
                conn.execute(
                    "INSERT OR IGNORE INTO schema_migrations (version, applied_at) VALUES (?1, unixepoch())",
                    [version],
                )
            })
            .map_err(backend);
        match applied {
            Ok(_) => conn.execute_batch("COMMIT").map_err(backend)?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                // Another process may have migrated between our check and our BEGIN.
                let done: bool = conn
                    .query_row("SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)", [version], |r| {
                        r.get(0)
                    })
                    .map_err(backend)?;
                if !done {
                    return Err(e);
                }
            }
        }
    }
    Ok(())
}
