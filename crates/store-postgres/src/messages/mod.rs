//! [`MessageStore`] on PostgreSQL: messages from acceptance to their last report.
//!
//! Unlike SQLite's single writer, any number of transactions (of any node) write at once, so
//! a request is written whole in one transaction however large (PostgreSQL's other writers
//! do not wait behind it) and nothing is ever left half written: there is no staging, and
//! `undo_unfinished` has nothing to do.

mod answers;
mod group;
mod held;
mod read;
mod reports;
mod totals;
mod write;

pub(crate) use group::Groups;
pub(crate) use read::MESSAGE_COLUMNS;

use hongyan_store::{
    BoxFuture, Category, ClientPart, ClientRefusal, MessageDetail, MessageFilter, MessageId, MessageStore, NewMessage,
    PendingMessage, ReportIn, ReportMatch, RequestRecord, Result, StatusCount, StoredRequest, SubmitOutcome, Timestamp,
    Usage,
};

use crate::store::{backend, PgStore};
use crate::writing::{retrying, Writing};

/// Runs `$body` in one write transaction `$w`, committed at its end and run again whole if
/// PostgreSQL cancels it for a deadlock. What the body uses must be references (copied into
/// each attempt).
macro_rules! transaction {
    ($store:ident, |$w:ident| $body:block) => {
        retrying(move || async move {
            let mut client = $store.client().await?;
            let mut $w = Writing::begin(&mut client).await?;
            let out = $body;
            $w.commit().await?;
            Ok(out)
        })
        .await
    };
}

/// Messages per INSERT statement of a large request (all in one transaction).
pub(crate) const CHUNK: usize = 5_000;

impl PgStore {
    pub(crate) async fn insert(&self, batch: &[NewMessage], request: Option<&RequestRecord>) -> Result<()> {
        let mut client = self.client().await?;
        let mut w = Writing::begin(&mut client).await?;
        if let Some(r) = request {
            // First, so a repeated reference fails before any message is written.
            if let Some(answer) = &r.answer {
                let sealed = self.seal_text("answer", Some(answer))?;
                w.exec(
                    "INSERT INTO client_requests (account_id, client_ref, answer, created_at, request_hash)
                     VALUES ($1, $2, $3, $4, $5)",
                    &[&r.account_id, &r.client_ref, &sealed, &r.created_at.as_millis(), &r.request_hash],
                )
                .await?;
            }
        }
        let rows: Vec<&NewMessage> = batch.iter().collect();
        for chunk in rows.chunks(CHUNK) {
            self.insert_rows(&mut w, chunk).await?;
        }
        if let Some(origin) = request.and_then(|r| r.origin.as_ref()) {
            // Kept parts go even when the whole was refused: the stored answer says why.
            crate::clients::record_origin(&w, batch.first().map(|m| m.id), origin).await?;
        }
        w.commit().await
    }

    pub(crate) async fn rows_of(
        &self,
        sql: &str,
        args: &[&(dyn tokio_postgres::types::ToSql + Sync)],
    ) -> Result<Vec<tokio_postgres::Row>> {
        self.client().await?.query(sql, args).await.map_err(backend)
    }
}

impl MessageStore for PgStore {
    fn insert_messages(
        &self,
        batch: Vec<NewMessage>,
        request: Option<RequestRecord>,
    ) -> BoxFuture<'_, Result<Vec<NewMessage>>> {
        Box::pin(async move {
            hongyan_store::rules::request_is_whole(&batch, request.as_ref())?;
            self.ensure_partitions(batch.iter().map(|m| m.id)).await;
            if batch.len() <= group::SMALL {
                return self.insert_in_group(batch, request).await;
            }
            let (b, r) = (&batch, request.as_ref());
            retrying(move || self.insert(b, r)).await?;
            Ok(batch)
        })
    }

    fn segments_since(&self, account_id: i64, since: MessageId) -> BoxFuture<'_, Result<u64>> {
        Box::pin(self.segments_since_id(account_id, since))
    }

    fn usage(&self, account_id: i64, from: MessageId, to: MessageId) -> BoxFuture<'_, Result<Vec<Usage>>> {
        Box::pin(self.usage_lines(account_id, from, to))
    }

    fn status_counts(
        &self,
        account_id: Option<i64>,
        from: MessageId,
        to: MessageId,
    ) -> BoxFuture<'_, Result<Vec<StatusCount>>> {
        Box::pin(self.counts_by_status(account_id, from, to))
    }

    fn accepted_series(
        &self,
        account_id: Option<i64>,
        from: MessageId,
        to: MessageId,
        bucket_ms: i64,
    ) -> BoxFuture<'_, Result<Vec<(Timestamp, u64)>>> {
        Box::pin(self.series(account_id, (from, to), bucket_ms))
    }

    fn sent_to_since(
        &self,
        account_id: i64,
        to: &str,
        category: Category,
        since: MessageId,
    ) -> BoxFuture<'_, Result<Vec<Timestamp>>> {
        let to = to.to_owned();
        Box::pin(async move { self.sent_to(account_id, &to, category, since).await })
    }

    fn find_request(&self, account_id: i64, client_ref: &str) -> BoxFuture<'_, Result<Option<StoredRequest>>> {
        let client_ref = client_ref.to_owned();
        Box::pin(async move {
            let sql = "SELECT answer, request_hash FROM client_requests WHERE account_id = $1 AND client_ref = $2";
            let rows = self.rows_of(sql, &[&account_id, &client_ref]).await?;
            let Some(r) = rows.first() else { return Ok(None) };
            let answer = self.open_text("answer", r.get(0))?.unwrap_or_default();
            Ok(Some(StoredRequest { answer, request_hash: r.get(1) }))
        })
    }

    fn record_submits(&self, outcomes: Vec<SubmitOutcome>) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let outcomes = &outcomes;
            transaction!(self, |w| { self.record_answers(&mut w, outcomes).await? })
        })
    }

    fn apply_reports(&self, reports: Vec<ReportIn>) -> BoxFuture<'_, Result<Vec<ReportMatch>>> {
        Box::pin(async move {
            let reports = &reports;
            transaction!(self, |w| { self.apply_report_batch(&mut w, reports).await? })
        })
    }

    fn fail_messages(&self, failures: Vec<(MessageId, String)>, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let failures = &failures;
            transaction!(self, |w| {
                for (id, reason) in failures {
                    write::fail(&mut w, *id, reason, now).await?;
                }
            })
        })
    }

    /// This node's own: another's are adopted when it dies (`adopt.rs`).
    fn pending_dispatch(&self, after: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<PendingMessage>>> {
        Box::pin(async move {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE status = 'accepted' AND node = $3 AND id > $1
                 ORDER BY id LIMIT $2"
            );
            let rows = self.rows_of(&sql, &[&(after.0 as i64), &(limit as i64), &&*self.node]).await?;
            self.pending(&rows).await
        })
    }

    fn oldest_due(&self, now: Timestamp) -> BoxFuture<'_, Result<Option<Timestamp>>> {
        Box::pin(async move {
            let sql = "SELECT greatest(accepted_at, coalesce(send_at, 0)) FROM messages
                       WHERE status = 'accepted' AND (send_at IS NULL OR send_at <= $1) ORDER BY id LIMIT 1";
            let rows = self.rows_of(sql, &[&now.as_millis()]).await?;
            Ok(rows.first().map(|r| Timestamp::from_millis(r.get(0))))
        })
    }

    fn pending_by_ids(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<Vec<PendingMessage>>> {
        Box::pin(async move {
            let ids: Vec<i64> = ids.iter().map(|id| id.0 as i64).collect();
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ANY($1) AND status = 'accepted' ORDER BY id"
            );
            let rows = self.rows_of(&sql, &[&ids]).await?;
            self.pending(&rows).await
        })
    }

    fn reassign_channel(&self, ids: Vec<MessageId>, from: String, to: String) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move {
            let (ids, from, to) = (&ids, from.as_str(), to.as_str());
            transaction!(self, |w| {
                let mut moved = 0;
                for id in ids {
                    moved += usize::from(write::reassign(&mut w, *id, from, to).await?);
                }
                moved
            })
        })
    }

    fn release_messages(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<Vec<MessageId>>> {
        Box::pin(self.release(ids))
    }

    fn get_message(&self, account_id: i64, id: MessageId) -> BoxFuture<'_, Result<Option<MessageDetail>>> {
        Box::pin(self.one_message(Some(account_id), id))
    }

    fn find_message(&self, id: MessageId) -> BoxFuture<'_, Result<Option<MessageDetail>>> {
        Box::pin(self.one_message(None, id))
    }

    fn count_messages(&self, filter: MessageFilter, cap: u64) -> BoxFuture<'_, Result<u64>> {
        Box::pin(async move {
            let f = MessageFilter { before: None, limit: usize::try_from(cap).unwrap_or(usize::MAX), ..filter };
            self.count(&f).await
        })
    }

    fn list_messages(&self, filter: MessageFilter) -> BoxFuture<'_, Result<Vec<MessageDetail>>> {
        Box::pin(async move {
            let rows = self.search(&filter, MESSAGE_COLUMNS).await?;
            self.with_segments(&rows).await
        })
    }

    fn max_message_id(&self) -> BoxFuture<'_, Result<u64>> {
        Box::pin(async move {
            let rows = self.rows_of("SELECT coalesce(max(id), 0) FROM messages", &[]).await?;
            Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0) as u64))
        })
    }

    fn expire_unreported(&self, before: Timestamp, now: Timestamp) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move { transaction!(self, |w| { self.expire(&mut w, before, now).await? }) })
    }

    fn add_client_part(&self, part: ClientPart) -> BoxFuture<'_, Result<Vec<ClientPart>>> {
        Box::pin(async move { self.add_part(&part).await })
    }

    fn stale_client_groups(&self, before: Timestamp) -> BoxFuture<'_, Result<Vec<Vec<ClientPart>>>> {
        Box::pin(self.stale_groups(before))
    }

    fn refuse_client_parts(&self, refusal: ClientRefusal) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let refusal = &refusal;
            transaction!(self, |w| { self.refuse(&mut w, refusal).await? })
        })
    }

    fn oldest_messages(&self, before: MessageId, limit: usize) -> BoxFuture<'_, Result<Vec<MessageDetail>>> {
        Box::pin(async move {
            let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id < $1 ORDER BY id LIMIT $2");
            let rows = self.rows_of(&sql, &[&(before.0 as i64), &(limit as i64)]).await?;
            self.with_segments(&rows).await
        })
    }

    fn drop_whole_months(&self, before: MessageId) -> BoxFuture<'_, Result<usize>> {
        Box::pin(self.drop_months(before))
    }

    fn purge_messages(&self, ids: Vec<MessageId>) -> BoxFuture<'_, Result<usize>> {
        Box::pin(async move {
            let ids: Vec<i64> = ids.iter().map(|id| id.0 as i64).collect();
            let mut client = self.client().await?;
            let tx = client.transaction().await.map_err(backend)?;
            for sql in [
                "DELETE FROM segments WHERE message_id = ANY($1)",
                "DELETE FROM feed WHERE kind IN ('report', 'final') AND ref_id = ANY($1)",
                "DELETE FROM client_submits WHERE message_id = ANY($1)",
            ] {
                tx.execute(sql, &[&ids]).await.map_err(backend)?;
            }
            let removed = tx.execute("DELETE FROM messages WHERE id = ANY($1)", &[&ids]).await.map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            Ok(removed as usize)
        })
    }
}
