//! The writer thread: group commit of everything that is waiting.

use std::sync::mpsc::{Receiver, TryRecvError};

use hongyan_store::{
    Account, ApiKey, MessageId, NewMessage, ReportIn, ReportMatch, RequestRecord, Result, StoreError, SubmitOutcome,
    Timestamp,
};
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::{backend, write_ops};

/// Most jobs folded into one transaction; bounds the latency of the first job in a burst.
const MAX_JOBS_PER_COMMIT: usize = 512;

type Reply<T> = oneshot::Sender<Result<T>>;

/// One write request and where its answer goes.
pub(crate) enum Job {
    CreateAccount { name: String, now: Timestamp, reply: Reply<Account> },
    CreateApiKey { key: ApiKey, reply: Reply<()> },
    InsertMessages { batch: Vec<NewMessage>, request: Option<RequestRecord>, reply: Reply<()> },
    RecordSubmits { outcomes: Vec<SubmitOutcome>, reply: Reply<()> },
    ApplyReports { reports: Vec<ReportIn>, reply: Reply<Vec<ReportMatch>> },
    FailMessages { failures: Vec<(MessageId, String)>, now: Timestamp, reply: Reply<()> },
}

/// A job's answer, held until the commit that makes it true.
enum Done {
    Account(Reply<Account>, Result<Account>),
    Unit(Reply<()>, Result<()>),
    Reports(Reply<Vec<ReportMatch>>, Result<Vec<ReportMatch>>),
}

impl Done {
    /// Sends the answer, or the commit's error instead of a success that did not happen.
    fn send(self, commit: &std::result::Result<(), String>) {
        let fail = |e: &String| StoreError::Backend(format!("commit failed: {e}"));
        // A dropped receiver means the caller gave up waiting; the write still stands.
        match self {
            Self::Account(tx, r) => drop(tx.send(commit.as_ref().map_err(fail).and(r))),
            Self::Unit(tx, r) => drop(tx.send(commit.as_ref().map_err(fail).and(r))),
            Self::Reports(tx, r) => drop(tx.send(commit.as_ref().map_err(fail).and(r))),
        }
    }
}

/// Runs until every sender is gone, then checkpoints the WAL so the file is whole on its own.
pub(crate) fn run(mut conn: Connection, jobs: Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_JOBS_PER_COMMIT {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        commit_batch(&mut conn, batch);
    }
    if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
        tracing::warn!(error = %e, "WAL checkpoint at close failed");
    }
}

fn commit_batch(conn: &mut Connection, batch: Vec<Job>) {
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let err = Err(e.to_string());
            batch.into_iter().for_each(|job| reject(job).send(&err));
            return;
        }
    };
    let done: Vec<Done> = batch.into_iter().map(|job| run_in_savepoint(&tx, job)).collect();
    let commit = tx.commit().map_err(|e| e.to_string());
    if let Err(e) = &commit {
        tracing::error!(error = %e, "group commit failed");
    }
    done.into_iter().for_each(|d| d.send(&commit));
}

/// Runs one job; its own failure rolls back only its own changes.
fn run_in_savepoint(tx: &rusqlite::Transaction<'_>, job: Job) -> Done {
    if let Err(e) = tx.execute_batch("SAVEPOINT job") {
        return fail_job(job, backend(e));
    }
    let (done, ok) = execute(tx, job);
    let end = if ok { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
    if let Err(e) = tx.execute_batch(end) {
        tracing::error!(error = %e, "savepoint end failed");
    }
    done
}

fn execute(conn: &Connection, job: Job) -> (Done, bool) {
    match job {
        Job::CreateAccount { name, now, reply } => {
            let r = write_ops::create_account(conn, &name, now);
            let ok = r.is_ok();
            (Done::Account(reply, r), ok)
        }
        Job::CreateApiKey { key, reply } => unit(reply, write_ops::create_api_key(conn, &key)),
        Job::InsertMessages { batch, request, reply } => {
            unit(reply, write_ops::insert_messages(conn, &batch, request.as_ref()))
        }
        Job::RecordSubmits { outcomes, reply } => unit(reply, write_ops::record_submits(conn, &outcomes)),
        Job::FailMessages { failures, now, reply } => unit(reply, write_ops::fail_messages(conn, &failures, now)),
        Job::ApplyReports { reports, reply } => {
            let r = write_ops::apply_reports(conn, &reports);
            let ok = r.is_ok();
            (Done::Reports(reply, r), ok)
        }
    }
}

fn unit(reply: Reply<()>, r: Result<()>) -> (Done, bool) {
    let ok = r.is_ok();
    (Done::Unit(reply, r), ok)
}

fn fail_job(job: Job, e: StoreError) -> Done {
    let msg = e.to_string();
    match job {
        Job::CreateAccount { reply, .. } => Done::Account(reply, Err(StoreError::Backend(msg))),
        Job::ApplyReports { reply, .. } => Done::Reports(reply, Err(StoreError::Backend(msg))),
        Job::CreateApiKey { reply, .. }
        | Job::InsertMessages { reply, .. }
        | Job::RecordSubmits { reply, .. }
        | Job::FailMessages { reply, .. } => Done::Unit(reply, Err(StoreError::Backend(msg))),
    }
}

fn reject(job: Job) -> Done {
    fail_job(job, StoreError::Backend("could not begin a transaction".into()))
}
