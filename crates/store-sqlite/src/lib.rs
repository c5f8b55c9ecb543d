//! The SQLite backend of [`hongyan_store::Store`]: the embedded default, one file under the
//! data folder in WAL mode.
//!
//! Layout:
//! - `schema`: pragmas and dated migrations (`migrations/*.sql`, SQLite dialect only).
//! - `writer`: ONE thread owns the write connection. Writes from every task queue on a
//!   channel; the thread takes everything waiting, runs it in one transaction (each job in its
//!   own savepoint, so one job's conflict does not undo another's) and answers all of them
//!   after a single commit. That is the group commit: a burst of 1,000 single-message requests
//!   costs a handful of fsyncs, not 1,000.
//! - `write_ops` / `read_ops`: the SQL, with cached prepared statements. A bound LIMIT is
//!   written `LIMIT +?N`: with a plain `?N` SQLite's planner reads the bound value, so the
//!   statement is prepared again each time it is bound — every run of a cached statement
//!   (the callback pusher's look-up and the client receipts' read ran on every feed change).
//! - Reads run on tokio's blocking pool against a small pool of read-only connections, which
//!   WAL lets proceed while the writer commits.
//! - `sql_fns` / `reseal`: field-level encryption at rest with the `hongyan-seal` key ring.
//!   Every connection carries the ring as SQL functions, so statements seal numbers and content where they write
//!   them and open them where they read them; everything above this crate sees plain text.
//!
//! What it does not do: decide anything. Routing, limits and status rules live in `engine`;
//! this crate only keeps a message's status consistent with its segments.
//!
//! Durability: `synchronous = FULL`, so a commit survives power loss, not only a killed
//! process; group commit pays that fsync once per batch.

mod account_ops;
mod backup;
mod client_ops;
mod feed_ops;
mod incident_ops;
mod limit_ops;
mod mo_ops;
mod push_ops;
mod quality_ops;
mod read_ops;
mod reseal;
mod retention_ops;
mod schema;
mod signature_ops;
mod sql_fns;
mod staged;
mod store_impl;
mod template_ops;
mod usage;
mod user_ops;
mod write_ops;
mod writer;
mod writing;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use hongyan_store::{BoxFuture, Result, StoreError};
use rusqlite::Connection;
use tokio::sync::oneshot;

/// The key ring and its errors, for callers that open a store with their own keys.
pub use backup::{backup, check_keys, restore, BackupReport};
pub use hongyan_seal as seal;
use hongyan_seal::{Algorithm, KeyRing};
pub use reseal::ResealCounts;
use writer::Job;
pub use writer::WriterStats;
use writing::Writing;

/// A store in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    // Why a std Mutex: it is held only to pop or push a connection, never across an await.
    readers: Mutex<Vec<Connection>>,
    /// One permit per read connection: at most [`READERS`] are ever open, each is kept (its
    /// parsed schema and prepared statements with it), and a read waits for a free one rather
    /// than opening and dropping connections under load.
    reader_slots: tokio::sync::Semaphore,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    stats: std::sync::Arc<WriterStats>,
    ring: Option<KeyRing>,
    /// Search-hash slots a look-up by number tries: 1 while every row is sealed with the
    /// current key, all of the ring's during a rotation (see `sql_fns::hash_matches`).
    pub(crate) slots: usize,
    /// Waits for the writer from the blocking pool (see [`SqliteStore::holding_paused_clocks`]).
    hold_clock: bool,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.path).finish_non_exhaustive()
    }
}

pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
            StoreError::Conflict(msg.unwrap_or_else(|| "constraint violation".into()))
        }
        rusqlite::Error::SqliteFailure(f, msg) if f.code == rusqlite::ErrorCode::DiskFull => {
            StoreError::Full(msg.unwrap_or_else(|| "database or disk is full".into()))
        }
        other => StoreError::Backend(other.to_string()),
    }
}

/// A handle on the writer's queue that a spawned task can keep; the flag says whether its
/// waits hold a paused clock still (see [`SqliteStore::holding_paused_clocks`]).
#[derive(Clone)]
pub(crate) struct Writes(mpsc::Sender<Job>, bool);

impl Writes {
    /// A write in its own savepoint (see `writer.rs`); resolves after its commit.
    pub(crate) fn guarded<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Writing<'_>) -> Result<T> + Send + 'static,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'static {
        self.send(|reply| Job::new(f, reply))
    }

    /// A write that fails only when the store does: no savepoint.
    pub(crate) fn unguarded<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Writing<'_>) -> Result<T> + Send + 'static,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'static {
        self.send(|reply| Job::new(f, reply).unguarded())
    }

    fn send<T: Send + 'static>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T>>) -> Job,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'static {
        let (tx, rx) = oneshot::channel();
        let sent = self.0.send(job(tx)).is_ok();
        let hold_clock = self.1;
        async move {
            if !sent {
                return Err(StoreError::Closed);
            }
            if hold_clock {
                let waited = tokio::task::spawn_blocking(move || rx.blocking_recv()).await;
                return waited.ok().and_then(Result::ok).unwrap_or(Err(StoreError::Closed));
            }
            rx.await.unwrap_or(Err(StoreError::Closed))
        }
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` with the embedded default key ring:
    /// the key file `hongyan.keys` beside it, created with a random key at first open.
    pub fn open(path: &Path) -> Result<Self> {
        let ring = KeyRing::load_or_create(&default_key_path(path), Algorithm::Aes256Gcm)
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Self::open_with(path, ring)
    }

    /// Opens the database with the given data keys; values are sealed with the newest.
    pub fn open_with(path: &Path, ring: KeyRing) -> Result<Self> {
        Self::start(path, Some(ring))
    }

    /// Opens the database without data keys, for administration that never reads or writes
    /// message data; anything that would is refused rather than done in plain text.
    pub fn open_unsealed(path: &Path) -> Result<Self> {
        Self::start(path, None)
    }

    fn start(path: &Path, ring: Option<KeyRing>) -> Result<Self> {
        let conn = schema::open_writer(path, ring.as_ref())?;
        let all_current = match &ring {
            Some(ring) => reseal::on_open(&conn, ring)?,
            None => true,
        };
        let slots = if all_current { 1 } else { hongyan_seal::INDEX_SLOTS };
        let (tx, rx) = mpsc::channel();
        let stats = std::sync::Arc::new(WriterStats::default());
        let writer_stats = stats.clone();
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let handle = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer::run(conn, dir, rx, writer_stats))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            jobs: Mutex::new(Some(tx)),
            readers: Mutex::new(Vec::new()),
            reader_slots: tokio::sync::Semaphore::new(READERS),
            writer_thread: Mutex::new(Some(handle)),
            stats,
            ring,
            slots,
            hold_clock: false,
        })
    }

    /// The store for a test on tokio's paused clock: a write is waited for from the blocking
    /// pool instead of on a channel. While a task waits on the writer thread no task is
    /// ready, and a paused clock jumps to the next timer, so a response time-out would fire
    /// while the store was still committing; a running blocking task holds the clock still.
    /// It costs a pool thread per write: for tests only.
    pub fn holding_paused_clocks(mut self) -> Self {
        self.hold_clock = true;
        self
    }

    /// Reseals every value not sealed with `ring`'s current key and algorithm (after a key
    /// rotation or a change of algorithm), batch by batch, beside a running server if need be.
    pub fn rekey(path: &Path, ring: &KeyRing) -> Result<ResealCounts> {
        let conn = schema::open_writer(path, Some(ring))?;
        reseal::run(&conn, ring)
    }

    /// Caps the database at `bytes` (SQLite's `max_page_count`, never below its present size),
    /// or lifts the cap with `None`. Past the cap a write fails with [`StoreError::Full`]
    /// exactly as on a full disk, so an operator can keep the store below the disk's size.
    pub async fn set_size_limit(&self, bytes: Option<u64>) -> Result<u64> {
        self.write(move |conn| {
            let page: u64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0)).map_err(backend)?;
            // SQLite's own ceiling for max_page_count.
            let pages = bytes.map_or(4_294_967_294, |b| (b / page).max(1));
            conn.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |r| r.get(0)).map_err(backend)
        })
        .await
    }

    /// How many group commits the writer made, carrying how many writes.
    pub fn writer_stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Queues a write for the next group commit; resolves after that commit.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Writing<'_>) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        self.send_job(|reply| Job::new(f, reply))
    }

    fn send_job<T: Send + 'static>(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<T>>) -> Job,
    ) -> BoxFuture<'_, Result<T>> {
        match self.writes() {
            Some(writes) => Box::pin(writes.send(job)),
            None => Box::pin(async { Err(StoreError::Closed) }),
        }
    }

    /// The writer's queue, for a task that outlives the call that started it; `None` once
    /// the store is closed.
    pub(crate) fn writes(&self) -> Option<Writes> {
        self.jobs.lock().expect("jobs lock").as_ref().map(|jobs| Writes(jobs.clone(), self.hold_clock))
    }

    /// As [`SqliteStore::write`], for the hot writes that fail only when the store does:
    /// no savepoint of their own (see `writer.rs`).
    fn write_unguarded<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Writing<'_>) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        self.send_job(|reply| Job::new(f, reply).unguarded())
    }

    /// As [`SqliteStore::read`], but on the calling thread: for a look-up of a few index
    /// seeks (tens of microseconds), which costs less than its hand-off to the blocking pool
    /// and back — two thread wake-ups, the largest cost of a single-message request. Never
    /// for anything that scans or may read many rows.
    fn read_here<'a, T: Send + 'a>(
        &'a self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'a,
    ) -> BoxFuture<'a, Result<T>> {
        Box::pin(async move {
            let _slot = self.reader_slots.acquire().await.map_err(|_| StoreError::Closed)?;
            let conn = self.readers.lock().expect("readers lock").pop();
            let conn = match conn {
                Some(c) => c,
                None => schema::open_reader(&self.path, self.ring.as_ref())?,
            };
            let out = f(&conn).map_err(backend);
            self.readers.lock().expect("readers lock").push(conn);
            out
        })
    }

    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        Box::pin(async move {
            let _slot = self.reader_slots.acquire().await.map_err(|_| StoreError::Closed)?;
            let conn = self.readers.lock().expect("readers lock").pop();
            let (path, ring) = (self.path.clone(), self.ring.clone());
            let (conn, out) = tokio::task::spawn_blocking(move || {
                let conn = match conn {
                    Some(c) => c,
                    None => schema::open_reader(&path, ring.as_ref())?,
                };
                let out = f(&conn).map_err(backend);
                Ok::<_, StoreError>((conn, out))
            })
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))??;
            self.readers.lock().expect("readers lock").push(conn);
            out
        })
    }
}

/// Read connections kept open: enough for both cores and the reads that wait on the disk.
const READERS: usize = 8;

/// Where the embedded default keeps the data keys: `hongyan.keys` beside the database.
pub fn default_key_path(db: &Path) -> PathBuf {
    db.with_file_name("hongyan.keys")
}

#[cfg(test)]
mod limits {
    /// Why the crate writes `LIMIT +?N` (see the crate's doc): should SQLite stop preparing a
    /// plain `?N` again, this fails and the rule can go.
    #[test]
    fn a_bound_limit_read_by_the_planner_costs_a_prepare_per_run() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER PRIMARY KEY, b); CREATE INDEX t_b ON t (b)").unwrap();
        let prepares = |sql: &str| {
            let mut stmt = conn.prepare(sql).unwrap();
            for limit in [1, 2, 3] {
                stmt.query_map([limit], |_| Ok(())).unwrap().for_each(drop);
            }
            stmt.get_status(rusqlite::StatementStatus::RePrepare)
        };
        assert!(prepares(concat!("SELECT a FROM t WHERE b > 0 ORDER BY a LIMIT ", "?1")) >= 2);
        assert_eq!(prepares("SELECT a FROM t WHERE b > 0 ORDER BY a LIMIT +?1"), 0);
    }

    #[test]
    fn no_statement_binds_its_limit_plainly() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let plain = text.lines().filter(|l| l.contains(concat!("LIMIT ", "?"))).collect::<Vec<_>>();
            assert!(plain.is_empty(), "{}: {plain:?}", path.display());
        }
    }
}
