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
//! - `write_ops` / `read_ops`: the SQL, with cached prepared statements.
//! - Reads run on tokio's blocking pool against a small pool of read-only connections, which
//!   WAL lets proceed while the writer commits.
//!
//! What it does not do: decide anything. Routing, limits and status rules live in `engine`;
//! this crate only keeps a message's status consistent with its segments.
//!
//! Durability: `synchronous = FULL`, so a commit survives power loss, not only a killed
//! process; group commit pays that fsync once per batch.

mod account_ops;
mod client_ops;
mod feed_ops;
mod limit_ops;
mod mo_ops;
mod push_ops;
mod read_ops;
mod retention_ops;
mod schema;
mod signature_ops;
mod store_impl;
mod template_ops;
mod user_ops;
mod write_ops;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use hongyan_store::{BoxFuture, Result, StoreError};
use rusqlite::Connection;
use tokio::sync::oneshot;

use writer::Job;
pub use writer::WriterStats;

/// A store in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    // Why a std Mutex: it is held only to pop or push a connection, never across an await.
    readers: Mutex<Vec<Connection>>,
    writer_thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    stats: std::sync::Arc<WriterStats>,
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
        other => StoreError::Backend(other.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = schema::open_writer(path)?;
        let (tx, rx) = mpsc::channel();
        let stats = std::sync::Arc::new(WriterStats::default());
        let writer_stats = stats.clone();
        let handle = std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer::run(conn, rx, writer_stats))
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self {
            path: path.to_owned(),
            jobs: Mutex::new(Some(tx)),
            readers: Mutex::new(Vec::new()),
            writer_thread: Mutex::new(Some(handle)),
            stats,
        })
    }

    /// How many group commits the writer made, carrying how many writes.
    pub fn writer_stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Queues a write for the next group commit; resolves after that commit.
    fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        let (tx, rx) = oneshot::channel();
        let sent = match self.jobs.lock().expect("jobs lock").as_ref() {
            Some(jobs) => jobs.send(Job::new(f, tx)).is_ok(),
            None => false,
        };
        Box::pin(async move {
            if !sent {
                return Err(StoreError::Closed);
            }
            rx.await.unwrap_or(Err(StoreError::Closed))
        })
    }

    fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> BoxFuture<'_, Result<T>> {
        let conn = self.readers.lock().expect("readers lock").pop();
        let path = self.path.clone();
        Box::pin(async move {
            let (conn, out) = tokio::task::spawn_blocking(move || {
                let conn = match conn {
                    Some(c) => c,
                    None => schema::open_reader(&path)?,
                };
                let out = f(&conn).map_err(backend);
                Ok::<_, StoreError>((conn, out))
            })
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))??;
            let mut pool = self.readers.lock().expect("readers lock");
            if pool.len() < 8 {
                pool.push(conn);
            }
            out
        })
    }
}
