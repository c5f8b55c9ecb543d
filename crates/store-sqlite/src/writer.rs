//! The writer thread: group commit of everything that is waiting.
//!
//! A job is a closure over the write connection. The thread takes every job waiting, runs each
//! in its own savepoint inside ONE transaction (so one job's failure rolls back only its own
//! changes), commits once, and only then hands each job its answer — so no caller hears
//! "stored" for something a failed commit lost.

use std::sync::mpsc::{Receiver, TryRecvError};

use hongyan_store::{Result, StoreError};
use rusqlite::Connection;
use tokio::sync::oneshot;

/// Most jobs folded into one transaction; bounds the latency of the first job in a burst.
const MAX_JOBS_PER_COMMIT: usize = 512;

/// Sends a job's answer once the commit's fate is known.
type Deferred = Box<dyn FnOnce(&std::result::Result<(), String>) + Send>;
/// Runs a job in the open transaction: its deferred answer, and whether it succeeded.
type Run = Box<dyn FnOnce(&Connection) -> (Deferred, bool) + Send>;

/// One write: `run` executes it and returns its deferred answer and whether it succeeded;
/// `abort` answers with an error when the transaction could not even begin.
pub(crate) struct Job {
    run: Run,
    abort: Box<dyn FnOnce(String) + Send>,
}

impl Job {
    /// Wraps a write; its result reaches `reply` after the commit (or the commit's error).
    pub(crate) fn new<T: Send + 'static>(
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
        reply: oneshot::Sender<Result<T>>,
    ) -> Self {
        // Shared by `run` and `abort`; exactly one of them takes it.
        let reply = std::sync::Arc::new(std::sync::Mutex::new(Some(reply)));
        let for_abort = reply.clone();
        let abort = Box::new(move |e: String| {
            if let Some(tx) = for_abort.lock().expect("reply lock").take() {
                let _ = tx.send(Err(StoreError::Backend(e)));
            }
        });
        let run: Run = Box::new(move |conn: &Connection| {
            let result = f(conn);
            let ok = result.is_ok();
            let deferred: Deferred = Box::new(move |commit| {
                let answer = match commit {
                    Ok(()) => result,
                    Err(e) => Err(StoreError::Backend(format!("commit failed: {e}"))),
                };
                // A dropped receiver means the caller gave up waiting; the write still stands.
                if let Some(tx) = reply.lock().expect("reply lock").take() {
                    let _ = tx.send(answer);
                }
            });
            (deferred, ok)
        });
        Self { run, abort }
    }
}

/// Counts of the writer's work, for operators and tests.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed.
    pub commits: std::sync::atomic::AtomicU64,
    /// Jobs (write calls) carried by those transactions.
    pub jobs: std::sync::atomic::AtomicU64,
}

/// Runs until every sender is gone, then checkpoints the WAL so the file is whole on its own.
pub(crate) fn run(mut conn: Connection, jobs: Receiver<Job>, stats: std::sync::Arc<WriterStats>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_JOBS_PER_COMMIT {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        commit_batch(&mut conn, batch, &stats);
    }
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
        tracing::warn!(error = %e, "WAL checkpoint at close failed");
    }
}

fn commit_batch(conn: &mut Connection, batch: Vec<Job>, stats: &WriterStats) {
    let n = batch.len() as u64;
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = format!("could not begin a transaction: {e}");
            batch.into_iter().for_each(|job| (job.abort)(e.clone()));
            return;
        }
    };
    let done: Vec<Deferred> = batch.into_iter().map(|job| run_in_savepoint(&tx, job)).collect();
    let commit = tx.commit().map_err(|e| e.to_string());
    match &commit {
        // Counted before anyone hears back, so a caller that reads the stats sees its commit.
        Ok(()) => {
            stats.commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            stats.jobs.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
        Err(e) => tracing::error!(error = %e, "group commit failed"),
    }
    done.into_iter().for_each(|d| d(&commit));
}

/// Runs one job; its own failure rolls back only its own changes.
fn run_in_savepoint(tx: &rusqlite::Transaction<'_>, job: Job) -> Deferred {
    if let Err(e) = tx.execute_batch("SAVEPOINT job") {
        tracing::error!(error = %e, "savepoint failed");
    }
    let (deferred, ok) = (job.run)(tx);
    let end = if ok { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
    if let Err(e) = tx.execute_batch(end) {
        tracing::error!(error = %e, "savepoint end failed");
    }
    deferred
}
