//! Resealing: rewriting every sealed column of every row that is plain text (written before
//! sealing existed) or sealed with another key or algorithm than the current one. It runs at
//! the first open of a database that predates sealing, and as `hongyan keys rekey` after a
//! rotation.
//!
//! It goes in batches of a key range, each its own short transaction, so a running server's
//! writer waits milliseconds, not minutes; a batch rewrites only what is stale, so an
//! interrupted run is simply started again. `secure_delete` zeroes the space the old values
//! leave, so they do not linger in free pages.

use hongyan_store::{Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

use crate::backend;
use hongyan_seal::KeyRing;

/// A table with sealed columns (column, label), a column to walk it by in ranges, and the
/// search hash it keeps of one of them (hash column, sealed column, label).
struct Sealed {
    table: &'static str,
    walk: &'static str,
    columns: &'static [(&'static str, &'static str)],
    hash: Option<(&'static str, &'static str, &'static str)>,
}

const SEALED: &[Sealed] = &[
    Sealed {
        table: "messages",
        walk: "id",
        columns: &[("to_number", "to"), ("content", "content")],
        hash: Some(("to_hash", "to_number", "to")),
    },
    Sealed { table: "segments", walk: "message_id", columns: &[("report_raw", "raw")], hash: None },
    Sealed { table: "early_reports", walk: "received_at", columns: &[("raw", "raw")], hash: None },
    Sealed {
        table: "mo_messages",
        walk: "id",
        columns: &[("from_number", "from"), ("content", "content")],
        hash: None,
    },
    Sealed {
        table: "client_parts",
        walk: "received_at",
        columns: &[("to_number", "to"), ("content", "content")],
        hash: None,
    },
    Sealed { table: "client_requests", walk: "created_at", columns: &[("answer", "answer")], hash: None },
    Sealed { table: "client_refusals", walk: "id", columns: &[("to_number", "to")], hash: None },
    Sealed {
        table: "incidents",
        walk: "id",
        columns: &[("symptom", "incident"), ("cause", "incident"), ("actions", "incident"), ("result", "incident")],
        hash: None,
    },
    Sealed {
        table: "blacklist",
        walk: "created_at",
        columns: &[("number", "number")],
        hash: Some(("number_hash", "number", "number")),
    },
    Sealed {
        table: "unsubscribes",
        walk: "created_at",
        columns: &[("number", "number")],
        hash: Some(("number_hash", "number", "number")),
    },
];

/// Secrets the platform must be able to read back (a callback's signing secret, an SMPP or
/// CMPP password: CMPP's authenticator is an MD5 over it). Their tables are small, so every
/// open with a key ring seals what an older version left in clear, whatever the state says.
const SECRETS: &[Sealed] = &[
    Sealed { table: "accounts", walk: "id", columns: &[("callback_secret", "secret")], hash: None },
    Sealed { table: "client_logins", walk: "created_at", columns: &[("secret", "secret")], hash: None },
];

const BATCH: i64 = 1000;

/// The `seal_state` label of a ring: what rows are sealed with after a complete pass.
pub(crate) fn label(ring: &KeyRing) -> String {
    let algorithm = match ring.algorithm() {
        hongyan_seal::Algorithm::Aes256Gcm => "aes-256-gcm",
        hongyan_seal::Algorithm::Sm4Gcm => "sm4-gcm",
    };
    format!("{algorithm}:{}", ring.current_id())
}

/// Rows rewritten per table.
pub type ResealCounts = Vec<(&'static str, u64)>;

/// Reseals every stale value, then records the ring's label as what the database is sealed with.
pub(crate) fn run(conn: &Connection, ring: &KeyRing) -> Result<ResealCounts> {
    conn.execute_batch("PRAGMA secure_delete = ON").map_err(backend)?;
    let mut counts = Vec::new();
    for t in SEALED.iter().chain(SECRETS) {
        counts.push((t.table, table(conn, t)?));
    }
    conn.execute("UPDATE seal_state SET sealed_with = ?1 WHERE id = 1", [label(ring)]).map_err(backend)?;
    conn.execute_batch("PRAGMA secure_delete = OFF; PRAGMA wal_checkpoint(TRUNCATE)").map_err(backend)?;
    Ok(counts)
}

fn table(conn: &Connection, t: &Sealed) -> Result<u64> {
    let set: Vec<String> = t
        .columns
        .iter()
        .map(|(c, l)| format!("{c} = hy_seal('{l}', hy_open('{l}', {c}))"))
        .chain(t.hash.map(|(h, c, l)| format!("{h} = hy_index(hy_open('{l}', {c}), 0)")))
        .collect();
    let stale: Vec<String> = t.columns.iter().map(|(c, _)| format!("hy_stale({c})")).collect();
    // OR REPLACE: in a list, a number added under the new key while the old row waited for
    // this pass has the same new hash; the two are one entry.
    let update = format!(
        "UPDATE OR REPLACE {table} SET {set} WHERE {walk} > ?1 AND {walk} <= ?2 AND ({stale})",
        table = t.table,
        walk = t.walk,
        set = set.join(", "),
        stale = stale.join(" OR "),
    );
    let next_bound = format!(
        "SELECT coalesce((SELECT {w} FROM {t} WHERE {w} > ?1 ORDER BY {w} LIMIT 1 OFFSET {o}),
                         (SELECT max({w}) FROM {t} WHERE {w} > ?1))",
        w = t.walk,
        t = t.table,
        o = BATCH - 1
    );
    let mut done = 0u64;
    let mut low = i64::MIN;
    while let Some(high) =
        conn.query_row(&next_bound, [low], |r| r.get::<_, Option<i64>>(0)).optional().map_err(backend)?.flatten()
    {
        conn.execute_batch("BEGIN IMMEDIATE").map_err(backend)?;
        match conn.execute(&update, params![low, high]) {
            Ok(n) => done += n as u64,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(backend(e));
            }
        }
        conn.execute_batch("COMMIT").map_err(backend)?;
        low = high;
    }
    Ok(done)
}

/// Seals the secrets an older version kept in clear, zeroing the space they leave.
fn seal_secrets(conn: &Connection) -> Result<()> {
    conn.execute_batch("PRAGMA secure_delete = ON").map_err(backend)?;
    let mut rows = 0;
    for t in SECRETS {
        rows += table(conn, t)?;
    }
    conn.execute_batch("PRAGMA secure_delete = OFF").map_err(backend)?;
    if rows > 0 {
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").map_err(backend)?;
        tracing::info!(rows, "sealed the signing secrets and passwords kept in clear");
    }
    Ok(())
}

/// At open with a key ring: seal a database that predates sealing, and refuse a ring that
/// lacks the key the database was last resealed with (its rows could not be read). True when
/// every row is sealed with the ring's current key and algorithm.
pub(crate) fn on_open(conn: &Connection, ring: &KeyRing) -> Result<bool> {
    let state: String =
        conn.query_row("SELECT sealed_with FROM seal_state WHERE id = 1", [], |r| r.get(0)).map_err(backend)?;
    if state == "plain" {
        let counts = run(conn, ring)?;
        let rows: u64 = counts.iter().map(|(_, n)| n).sum();
        if rows > 0 {
            tracing::info!(rows, "sealed the rows written before field-level encryption");
        }
        return Ok(true);
    }
    let id = state.rsplit(':').next().and_then(|i| i.parse::<u32>().ok());
    match id {
        Some(id) if ring.ids().contains(&id) => {
            seal_secrets(conn)?;
            let current = state == label(ring);
            if !current {
                tracing::warn!(sealed_with = %state, current = %label(ring), "rows are sealed with an older data key; run `hongyan keys rekey`");
            }
            Ok(current)
        }
        _ => Err(StoreError::Backend(format!(
            "the database is sealed with data key {state}, which the key ring ({:?}) lacks",
            ring.ids()
        ))),
    }
}
