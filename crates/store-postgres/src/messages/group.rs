//! Group commit of accepted messages.
//!
//! A verification code is a request of one number, and a busy hour brings a thousand of them
//! a second. Written each in a transaction of its own, every one pays PostgreSQL's fixed
//! costs — a commit that waits for the WAL to reach the disk, the totals' upserts, four round
//! trips — and a node keeps up with about 800 a second. Here the small requests that arrive
//! while a transaction is being written queue up, and the next transaction takes them all:
//! one commit, one statement for all their messages, one upsert per totals line. Each request
//! is answered only once its group has committed.
//!
//! A group must not make one request's failure another's. A client reference already taken
//! is found per request before anything is written (`ON CONFLICT DO NOTHING`), so that
//! request alone is refused; any other failure of the group's transaction makes each of its
//! requests try again alone, in a transaction of its own, as if there were no groups.
//! Large requests are written alone from the start.

use std::collections::HashSet;
use std::sync::Mutex;

use hongyan_store::{NewMessage, RequestRecord, Result, StoreError};
use tokio::sync::oneshot;

use crate::store::PgStore;
use crate::writing::{retrying, Writing};

/// Requests of up to this many messages are written in groups; larger ones alone.
pub(crate) const SMALL: usize = 1_000;
/// Messages one group takes at most (it takes at least one request, whatever its size).
const GROUP: usize = 5_000;

/// A request waiting for its group, and where its answer goes.
struct Job {
    batch: Vec<NewMessage>,
    request: Option<RequestRecord>,
    done: oneshot::Sender<Result<Vec<NewMessage>>>,
}

/// The requests waiting for the next group.
#[derive(Default)]
pub(crate) struct Groups {
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    waiting: Vec<Job>,
    /// A writer task is at work: it takes what is queued before it ends.
    writing: bool,
}

impl PgStore {
    /// Writes `batch` (and its request's record) in the next group; answers once it is
    /// committed.
    pub(crate) async fn insert_in_group(
        &self,
        batch: Vec<NewMessage>,
        request: Option<RequestRecord>,
    ) -> Result<Vec<NewMessage>> {
        let (done, answer) = oneshot::channel();
        let lead = {
            let mut queue = self.groups.queue.lock().expect("groups");
            queue.waiting.push(Job { batch, request, done });
            !std::mem::replace(&mut queue.writing, true)
        };
        if lead {
            // A task of its own: the request that started it may be dropped (its client gone)
            // while the others still wait for their answers.
            tokio::spawn(self.clone().write_groups());
        }
        answer.await.unwrap_or_else(|_| Err(StoreError::Backend("the group writer stopped".into())))
    }

    /// Writes groups until no request waits.
    async fn write_groups(self) {
        loop {
            let jobs = {
                let mut queue = self.groups.queue.lock().expect("groups");
                if queue.waiting.is_empty() {
                    queue.writing = false;
                    return;
                }
                let mut taken = 0;
                let fit = queue.waiting.iter().take_while(|j| {
                    taken += j.batch.len();
                    taken <= GROUP
                });
                let n = fit.count().max(1);
                queue.waiting.drain(..n).collect::<Vec<_>>()
            };
            self.write_group(jobs).await;
        }
    }

    async fn write_group(&self, jobs: Vec<Job>) {
        let outcome = {
            let jobs = &jobs;
            retrying(move || self.group_transaction(jobs)).await
        };
        match outcome {
            Ok(refused) => {
                for (job, refused) in jobs.into_iter().zip(refused) {
                    let answer = match refused {
                        Some(reference) => {
                            Err(StoreError::Conflict(format!("client reference `{reference}` is taken")))
                        }
                        None => Ok(job.batch),
                    };
                    let _ = job.done.send(answer);
                }
            }
            Err(e) if jobs.len() == 1 => {
                if let Some(job) = jobs.into_iter().next() {
                    let _ = job.done.send(Err(e));
                }
            }
            Err(e) => {
                tracing::debug!(error = %e, requests = jobs.len(), "a group failed; its requests are written one by one");
                for job in jobs {
                    let (b, r) = (&job.batch, job.request.as_ref());
                    let answer = retrying(move || self.insert(b, r)).await.map(|()| job.batch);
                    let _ = job.done.send(answer);
                }
            }
        }
    }

    /// One transaction for the whole group; for each request, the client reference that
    /// another request already holds (it is then not written), if any.
    async fn group_transaction(&self, jobs: &[Job]) -> Result<Vec<Option<String>>> {
        let mut client = self.client().await?;
        let mut w = Writing::begin(&mut client).await?;
        let refused = self.claim_references(&w, jobs).await?;
        let kept: Vec<&Job> = jobs.iter().zip(&refused).filter(|(_, r)| r.is_none()).map(|(j, _)| j).collect();
        let rows: Vec<&NewMessage> = kept.iter().flat_map(|j| &j.batch).collect();
        for chunk in rows.chunks(super::CHUNK) {
            self.insert_rows(&mut w, chunk).await?;
        }
        for job in kept {
            if let Some(origin) = job.request.as_ref().and_then(|r| r.origin.as_ref()) {
                crate::clients::record_origin(&w, job.batch.first().map(|m| m.id), origin).await?;
            }
        }
        w.commit().await?;
        Ok(refused)
    }

    /// The kept answers of the group's requests that have a client reference, in one
    /// statement; a reference another request holds (stored before, or earlier in this
    /// group) is returned for its request instead.
    async fn claim_references(&self, w: &Writing<'_>, jobs: &[Job]) -> Result<Vec<Option<String>>> {
        let mut refused = vec![None; jobs.len()];
        let mut seen = HashSet::new();
        let mut claims = Vec::new();
        for (i, job) in jobs.iter().enumerate() {
            let Some(r) = job.request.as_ref().filter(|r| r.answer.is_some()) else { continue };
            if seen.insert((r.account_id, r.client_ref.as_str())) {
                claims.push((i, r));
            } else {
                refused[i] = Some(r.client_ref.clone());
            }
        }
        if claims.is_empty() {
            return Ok(refused);
        }
        let sealed =
            claims.iter().map(|(_, r)| self.seal_text("answer", r.answer.as_deref())).collect::<Result<Vec<_>>>()?;
        let rows = w
            .rows(
                "INSERT INTO client_requests (account_id, client_ref, answer, created_at, request_hash)
                 SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bigint[], $5::bytea[])
                 ON CONFLICT DO NOTHING RETURNING account_id, client_ref",
                &[
                    &claims.iter().map(|(_, r)| r.account_id).collect::<Vec<_>>(),
                    &claims.iter().map(|(_, r)| r.client_ref.as_str()).collect::<Vec<_>>(),
                    &sealed,
                    &claims.iter().map(|(_, r)| r.created_at.as_millis()).collect::<Vec<_>>(),
                    &claims.iter().map(|(_, r)| r.request_hash.as_deref()).collect::<Vec<_>>(),
                ],
            )
            .await?;
        let stored: HashSet<(i64, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        for (i, r) in claims {
            if !stored.contains(&(r.account_id, r.client_ref.clone())) {
                refused[i] = Some(r.client_ref.clone());
            }
        }
        Ok(refused)
    }
}
