//! The writer thread: group commit of everything that is waiting.
//!
//! A job is a closure over the write connection. The thread takes every job waiting, runs
//! them inside ONE transaction, commits once, and only then hands each job its answer — so no
//! caller hears "stored" for something a failed commit lost.
//!
//! A job that may fail for a reason of its own (a name taken) runs in its own savepoint, so
//! its failure rolls back only its own changes. The hot writes (new messages, submit
//! outcomes, reports) run without one: a savepoint makes SQLite copy every page the job
//! touches that an earlier job of the transaction touched too into a statement journal,
//! which spills into a temporary file created and deleted per commit — a tenth of the
//! writer's time under HTTP load, over a quarter under SMPP clients' submits. A job without
//! a savepoint that fails before it has changed a row (a client reference used before is
//! refused by the first statement of a send) leaves the transaction as it found it — SQLite
//! undoes a failed statement by itself — and only that job hears its error. One that fails
//! after changing rows (no room, I/O) takes its whole transaction back, and every job in it
//! hears so, as after a rolled-back commit. That is why they go without a savepoint only
//! while the disk has [`ROOMY`] free and the store is not full: near a full disk every job is
//! guarded again, so one write that finds no room does not take the reports and answers of
//! others with it (a report refused is not acknowledged and waits for the carrier to send it
//! again).
//!
//! A full disk is the hard case: on `SQLITE_FULL` (and I/O errors) SQLite may roll back the
//! whole transaction by itself, not just the statement. The jobs already run in it are then
//! lost and must hear so, and the jobs still waiting must not run in autocommit mode (each
//! savepoint would then commit on its own while its caller later heard "commit failed"). So
//! after every job the writer checks that its transaction is still open; if not, it answers
//! the lost jobs with the error and starts a fresh transaction for the rest.
//!
//! Once a write finds no room the store counts as full (readiness fails) until a probe — a
//! quarter megabyte written and removed, every second while full — commits. Small writes that
//! happen to fit in free pages do not clear it, or readiness would flap while the disk is
//! still full.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::Duration;

use hongyan_store::{Result, StoreError};
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::writing::Writing;

/// Most jobs folded into one transaction; bounds the latency of the first job in a burst.
const MAX_JOBS_PER_COMMIT: usize = 512;

/// Time of one group commit, from its first statement to the fsync returning (Prometheus).
static COMMIT_SECONDS: std::sync::LazyLock<prometheus::Histogram> = std::sync::LazyLock::new(|| {
    let buckets = vec![0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];
    prometheus::register_histogram!("hongyan_store_commit_seconds", "Time of one group commit, fsync included", buckets)
        .expect("metric registered once")
});

/// Jobs (requests, submit answers, reports …) in one group commit (Prometheus).
static COMMIT_JOBS: std::sync::LazyLock<prometheus::Histogram> = std::sync::LazyLock::new(|| {
    let buckets = vec![1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 512.0];
    prometheus::register_histogram!("hongyan_store_commit_jobs", "Writes grouped into one commit", buckets)
        .expect("metric registered once")
});

/// Free space on the data folder's disk below which every job runs in its own savepoint.
const ROOMY: u64 = 256 << 20;

/// While the store is full, how often the writer probes for room.
const PROBE_EVERY: Duration = Duration::from_secs(1);

/// How a transaction ended, as each of its jobs hears it.
type Fate = std::result::Result<(), StoreError>;
/// Sends a job's answer once the commit's fate is known.
type Deferred = Box<dyn FnOnce(&Fate) + Send>;
/// Runs a job in the open transaction: its deferred answer, and how it went.
type Run = Box<dyn FnOnce(&Writing<'_>) -> (Deferred, Outcome) + Send>;

/// How one job went inside its savepoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Ok,
    /// It needed room and found none.
    Full,
    Failed,
}

/// One write: `run` executes it and returns its deferred answer and whether it succeeded;
/// `abort` answers with an error when the transaction could not even begin.
pub(crate) struct Job {
    run: Run,
    abort: Box<dyn FnOnce(StoreError) + Send>,
    /// Runs in its own savepoint; otherwise its failure fails the whole transaction.
    guarded: bool,
}

impl Job {
    /// Wraps a write; its result reaches `reply` after the commit (or the commit's error).
    pub(crate) fn new<T: Send + 'static>(
        f: impl FnOnce(&Writing<'_>) -> Result<T> + Send + 'static,
        reply: oneshot::Sender<Result<T>>,
    ) -> Self {
        // Shared by `run` and `abort`; exactly one of them takes it.
        let reply = std::sync::Arc::new(std::sync::Mutex::new(Some(reply)));
        let for_abort = reply.clone();
        let abort = Box::new(move |e: StoreError| {
            if let Some(tx) = for_abort.lock().expect("reply lock").take() {
                let _ = tx.send(Err(e));
            }
        });
        let run: Run = Box::new(move |conn: &Writing<'_>| {
            let result = f(conn);
            let ok = match &result {
                Ok(_) => Outcome::Ok,
                Err(StoreError::Full(_)) => Outcome::Full,
                Err(_) => Outcome::Failed,
            };
            let deferred: Deferred = Box::new(move |commit| {
                // A job that failed hears its own error, whatever became of the transaction.
                let answer = match (result, commit) {
                    (result, Ok(())) | (result @ Err(_), _) => result,
                    (Ok(_), Err(StoreError::Full(e))) => Err(StoreError::Full(e.clone())),
                    (Ok(_), Err(e)) => Err(StoreError::Backend(format!("commit failed: {e}"))),
                };
                // A dropped receiver means the caller gave up waiting; the write still stands.
                if let Some(tx) = reply.lock().expect("reply lock").take() {
                    let _ = tx.send(answer);
                }
            });
            (deferred, ok)
        });
        Self { run, abort, guarded: true }
    }

    /// A write that fails only when the store does (see the module's doc): no savepoint.
    pub(crate) fn unguarded(self) -> Self {
        Self { guarded: false, ..self }
    }
}

/// Counts of the writer's work, for operators and tests.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed.
    pub commits: std::sync::atomic::AtomicU64,
    /// Jobs (write calls) carried by those transactions.
    pub jobs: std::sync::atomic::AtomicU64,
    /// The last write that needed room found none, and nothing has been written since.
    pub full: std::sync::atomic::AtomicBool,
}

/// Runs until every sender is gone, then checkpoints the WAL so the file is whole on its own.
pub(crate) fn run(
    mut conn: Connection,
    dir: std::path::PathBuf,
    jobs: Receiver<Job>,
    stats: std::sync::Arc<WriterStats>,
) {
    let mut last_probe = std::time::Instant::now();
    loop {
        if stats.full.load(Ordering::SeqCst) && last_probe.elapsed() >= PROBE_EVERY {
            probe(&mut conn, &dir, &stats);
            last_probe = std::time::Instant::now();
        }
        let first = match jobs.recv_timeout(PROBE_EVERY) {
            Ok(job) => job,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_JOBS_PER_COMMIT {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let guard_all = stats.full.load(Ordering::SeqCst) || free_space(&dir).is_none_or(|free| free < ROOMY);
        let (started, jobs_in) = (std::time::Instant::now(), batch.len());
        commit_batch(&mut conn, batch, &stats, guard_all);
        COMMIT_SECONDS.observe(started.elapsed().as_secs_f64());
        COMMIT_JOBS.observe(jobs_in as f64);
    }
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
        tracing::warn!(error = %e, "WAL checkpoint at close failed");
    }
}

/// Runs the batch in as few transactions as the disk allows (one, unless SQLite rolls one back
/// by itself), answering every job with its transaction's fate.
fn commit_batch(conn: &mut Connection, batch: Vec<Job>, stats: &WriterStats, guard_all: bool) {
    let mut rest = batch.into_iter().peekable();
    while rest.peek().is_some() {
        let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
            Ok(tx) => tx,
            Err(e) => {
                let e = crate::backend(e);
                rest.for_each(|job| (job.abort)(copy(&e)));
                return;
            }
        };
        let (mut done, mut full) = (Vec::new(), false);
        let mut lost = None;
        let writing = Writing::new(&tx);
        for job in rest.by_ref() {
            let guarded = job.guarded || guard_all;
            let changes = tx.total_changes();
            let (deferred, outcome) = if guarded { run_in_savepoint(&writing, job) } else { (job.run)(&writing) };
            writing.end_job(outcome == Outcome::Ok);
            done.push(deferred);
            full |= outcome == Outcome::Full;
            // Refused before its first change: the transaction is as the job found it.
            let untouched = tx.total_changes() == changes;
            if !guarded && outcome != Outcome::Ok && !untouched {
                // Its partial changes cannot be told apart: the transaction goes back.
                lost = Some(if full {
                    StoreError::Full("a write found no room; its transaction was rolled back".into())
                } else {
                    StoreError::Backend("a write failed; its transaction was rolled back".into())
                });
                break;
            }
            if tx.is_autocommit() {
                lost = Some(if full {
                    StoreError::Full("SQLite rolled the transaction back".into())
                } else {
                    StoreError::Backend("SQLite rolled the transaction back".into())
                });
                break;
            }
        }
        let n = done.len() as u64;
        let fate = match lost {
            Some(e) => Err(e),
            // The counts go in last, into the same transaction as what they count.
            None => {
                let flushed = writing.flush();
                drop(writing);
                flushed.and_then(|()| tx.commit().map_err(crate::backend))
            }
        };
        match &fate {
            // Counted before anyone hears back, so a caller that reads the stats sees its commit.
            Ok(()) => {
                stats.commits.fetch_add(1, Ordering::Relaxed);
                stats.jobs.fetch_add(n, Ordering::Relaxed);
            }
            // While full, every batch fails alike; the first one said so.
            Err(e @ StoreError::Full(_)) if stats.full.load(Ordering::SeqCst) => {
                tracing::debug!(error = %e, jobs = n, "group commit failed; its writes were not kept");
            }
            Err(e) => tracing::error!(error = %e, jobs = n, "group commit failed; its writes were not kept"),
        }
        if (full || matches!(fate, Err(StoreError::Full(_)))) && !stats.full.swap(true, Ordering::SeqCst) {
            tracing::error!(
                "storage is full: writes that need room are refused (sends answer 507) until space is freed"
            );
        }
        done.into_iter().for_each(|d| d(&fate));
    }
}

/// One more of an error that is not `Clone`.
fn copy(e: &StoreError) -> StoreError {
    match e {
        StoreError::Full(m) => StoreError::Full(m.clone()),
        StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
        StoreError::Closed => StoreError::Closed,
        other => StoreError::Backend(other.to_string()),
    }
}

/// Runs one job; its own failure rolls back only its own changes. The savepoint statements
/// come from the statement cache: parsing them for every job was a tenth of the writer's time.
fn run_in_savepoint(tx: &Writing<'_>, job: Job) -> (Deferred, Outcome) {
    if let Err(e) = exec_cached(tx, "SAVEPOINT job") {
        tracing::error!(error = %e, "savepoint failed");
    }
    let (deferred, outcome) = (job.run)(tx);
    // A transaction SQLite already rolled back has no savepoint left to end.
    if !tx.is_autocommit() {
        let ended = match outcome {
            Outcome::Ok => exec_cached(tx, "RELEASE job"),
            _ => exec_cached(tx, "ROLLBACK TO job").and_then(|()| exec_cached(tx, "RELEASE job")),
        };
        if let Err(e) = ended {
            tracing::error!(error = %e, "savepoint end failed");
        }
    }
    (deferred, outcome)
}

fn exec_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

/// Free bytes on the data folder's file system, if they can be read.
pub(crate) fn free_space(dir: &std::path::Path) -> Option<u64> {
    rustix::fs::statvfs(dir).ok().map(|fs| fs.f_bavail.saturating_mul(fs.f_frsize))
}

/// Free bytes the disk must have before a full store counts as writable again: without it a
/// write that fits in the WAL's old space succeeds and the next one fails, and readiness flaps.
const RESERVE: u64 = 4 << 20;

/// Room again means both: the disk (the data folder's file system) has [`RESERVE`] free, and
/// a quarter megabyte written and removed commits (which also sees a size limit).
fn probe(conn: &mut Connection, dir: &std::path::Path, stats: &WriterStats) {
    match free_space(dir) {
        Some(free) if free < RESERVE => return tracing::debug!(free, "storage still full"),
        Some(_) => {}
        None => tracing::debug!("cannot read the data folder's free space"),
    }
    let tried = conn.execute_batch(
        "BEGIN IMMEDIATE; INSERT INTO space_probe (pad) VALUES (zeroblob(262144)); DELETE FROM space_probe; COMMIT;",
    );
    match tried {
        Ok(()) => {
            stats.full.store(false, Ordering::SeqCst);
            tracing::info!("storage has room again: writes are accepted");
        }
        Err(e) => {
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            tracing::debug!(error = %e, "storage still full");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job inserting `xs` in order, one statement each.
    fn insert(xs: Vec<i64>, reply: oneshot::Sender<Result<()>>) -> Job {
        let f = move |c: &Writing<'_>| {
            xs.iter().try_for_each(|x| {
                c.execute("INSERT INTO t (x) VALUES (?1)", [x])
                    .map(drop)
                    .map_err(|e| StoreError::Backend(e.to_string()))
            })
        };
        Job::new(f, reply)
    }

    /// Runs the jobs in one batch (near a full disk: `guard_all`); their answers in order,
    /// and what the table kept.
    fn run_all(jobs: Vec<(Vec<i64>, bool)>, guard_all: bool) -> (Vec<std::result::Result<(), String>>, Vec<i64>) {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (x INTEGER UNIQUE)").unwrap();
        let (batch, replies): (Vec<Job>, Vec<_>) = jobs
            .into_iter()
            .map(|(xs, guarded)| {
                let (tx, rx) = oneshot::channel();
                let job = insert(xs, tx);
                (if guarded { job } else { job.unguarded() }, rx)
            })
            .unzip();
        commit_batch(&mut conn, batch, &WriterStats::default(), guard_all);
        let answers = replies.into_iter().map(|mut rx| rx.try_recv().unwrap().map_err(|e| e.to_string())).collect();
        let mut stmt = conn.prepare("SELECT x FROM t ORDER BY x").unwrap();
        let kept = stmt.query_map([], |r| r.get(0)).unwrap().collect::<rusqlite::Result<_>>().unwrap();
        (answers, kept)
    }

    fn run(jobs: Vec<(Vec<i64>, bool)>) -> (Vec<std::result::Result<(), String>>, Vec<i64>) {
        run_all(jobs, false)
    }

    #[test]
    fn a_guarded_failure_takes_back_only_its_own_changes() {
        let (answers, kept) = run(vec![(vec![1], false), (vec![3, 1], true), (vec![2], false)]);
        assert!(answers[0].is_ok() && answers[2].is_ok(), "{answers:?}");
        assert!(answers[1].as_ref().unwrap_err().contains("UNIQUE"), "its own error: {answers:?}");
        assert_eq!(kept, vec![1, 2], "its first row went back with it");
    }

    #[test]
    fn near_a_full_disk_every_job_is_guarded() {
        let (answers, kept) = run_all(vec![(vec![1], false), (vec![3, 1], false), (vec![2], false)], true);
        let ok: Vec<bool> = answers.iter().map(Result::is_ok).collect();
        assert_eq!(ok, [true, false, true], "only the failing job's own changes went back: {answers:?}");
        assert_eq!(kept, vec![1, 2]);
    }

    #[test]
    fn an_unguarded_job_refused_before_its_first_change_costs_only_itself() {
        let (answers, kept) = run(vec![(vec![1], false), (vec![1, 4], false), (vec![2], false)]);
        assert!(answers[0].is_ok() && answers[2].is_ok(), "{answers:?}");
        assert!(answers[1].as_ref().unwrap_err().contains("UNIQUE"), "its own error: {answers:?}");
        assert_eq!(kept, vec![1, 2]);
    }

    #[test]
    fn an_unguarded_failure_after_a_change_takes_back_its_transaction_and_everyone_in_it_hears() {
        let (answers, kept) = run(vec![(vec![1], true), (vec![2], false), (vec![4, 1], false), (vec![3], false)]);
        assert!(answers[0].as_ref().unwrap_err().contains("rolled back"), "{answers:?}");
        assert!(answers[1].as_ref().unwrap_err().contains("rolled back"), "{answers:?}");
        assert!(answers[2].as_ref().unwrap_err().contains("UNIQUE"), "its own error: {answers:?}");
        assert!(answers[3].is_ok(), "the rest go on in a fresh transaction: {answers:?}");
        assert_eq!(kept, vec![3]);
    }
}
