//! A write transaction as the message and feed writes see it, and retrying one that lost a
//! deadlock.
//!
//! Several nodes write the same rows: a message's submit answer on one node, its report on
//! another. Each write locks the rows it changes (`FOR UPDATE` on the message first), so the
//! two are applied one after the other, never interleaved. What every transaction shares —
//! the statements' totals and the accounts' feeds — is written once at its end, in a fixed
//! order ([`Writing::commit`]): two transactions then take those locks in the same order
//! and cannot deadlock on them. Messages they both touch can still cross; PostgreSQL then
//! cancels one, and [`retrying`] runs it again from the start.

use std::future::Future;

use deadpool_postgres::{Object, Transaction};
use hongyan_store::totals::Tally;
use hongyan_store::{Result, StoreError, Timestamp};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::backend;

/// An event for an account's feed, appended when the transaction commits.
#[derive(Debug, Clone)]
pub(crate) struct NewEvent {
    pub(crate) account_id: i64,
    pub(crate) kind: &'static str,
    pub(crate) ref_id: i64,
    pub(crate) segment: i16,
    pub(crate) created_at: Timestamp,
    /// A report as it was when it came: its stat and the message's status then.
    pub(crate) report: Option<(String, &'static str)>,
}

/// The advisory lock of an account's feed: "feed" in ASCII above the account id.
pub(crate) fn feed_lock(account_id: i64) -> i64 {
    (0x6665_6564_i64 << 32) | (account_id & 0xffff_ffff)
}

/// The advisory lock class of carrier ids ("carr" in ASCII).
const CARRIER_ID_LOCK: i32 = 0x6361_7272;

/// An open write transaction with what it owes the totals and the feeds.
pub(crate) struct Writing<'c> {
    pub(crate) tx: Transaction<'c>,
    pub(crate) tally: Tally,
    events: Vec<NewEvent>,
}

impl<'c> Writing<'c> {
    pub(crate) async fn begin(client: &'c mut Object) -> Result<Self> {
        let tx = client.transaction().await.map_err(backend)?;
        Ok(Self { tx, tally: Tally::default(), events: Vec::new() })
    }

    /// Runs `sql` (prepared once per connection) and returns the rows.
    pub(crate) async fn rows(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let stmt = self.tx.prepare_cached(sql).await.map_err(backend)?;
        self.tx.query(&stmt, args).await.map_err(backend)
    }

    /// Runs `sql` (prepared once per connection); how many rows it changed.
    pub(crate) async fn exec(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let stmt = self.tx.prepare_cached(sql).await.map_err(backend)?;
        self.tx.execute(&stmt, args).await.map_err(backend)
    }

    /// The first row, if any.
    pub(crate) async fn row(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        Ok(self.rows(sql, args).await?.into_iter().next())
    }

    /// Holds, until the commit, the carrier's id `carrier_msg_id` (of any channel: a rare
    /// shared id only makes two writes take turns). A submit's answer and a report that
    /// overtook it may reach two nodes at once: each takes this lock before it looks for the
    /// other (the segment, the held early report) and before it locks the message, so one of
    /// them always sees what the other wrote, and the two take their locks in one order.
    /// Batches take them in the order of the ids ([`by_carrier_id`]).
    pub(crate) async fn lock_carrier_id(&self, carrier_msg_id: &str) -> Result<()> {
        let sql = "SELECT pg_advisory_xact_lock($1, hashtext($2))";
        self.exec(sql, &[&CARRIER_ID_LOCK, &carrier_msg_id]).await.map(drop)
    }

    /// An event owed to an account's feed, written with the commit.
    pub(crate) fn append(&mut self, event: NewEvent) {
        self.events.push(event);
    }

    /// Writes the totals and the feed events, then commits.
    pub(crate) async fn commit(mut self) -> Result<()> {
        let drained = self.tally.drain();
        for (l, s) in &drained.daily {
            self.exec(
                "INSERT INTO usage_daily (account_id, day, carrier, category, channel, status,
                                          messages, billed_segments, priced_segments, amount)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (account_id, day, carrier, category, channel, status) DO UPDATE SET
                     messages = usage_daily.messages + excluded.messages,
                     billed_segments = usage_daily.billed_segments + excluded.billed_segments,
                     priced_segments = usage_daily.priced_segments + excluded.priced_segments,
                     amount = usage_daily.amount + excluded.amount",
                &[
                    &l.account_id,
                    &l.day,
                    &l.carrier,
                    &l.category,
                    &l.channel,
                    &l.status,
                    &s.messages,
                    &s.billed,
                    &s.priced,
                    &s.amount,
                ],
            )
            .await?;
        }
        for ((account_id, minute), n) in &drained.minutes {
            self.exec(
                "INSERT INTO accepted_minutely (account_id, minute, messages) VALUES ($1, $2, $3)
                 ON CONFLICT (minute, account_id) DO UPDATE SET messages = accepted_minutely.messages + excluded.messages",
                &[account_id, minute, n],
            )
            .await?;
        }
        self.write_events().await?;
        self.tx.commit().await.map_err(backend)
    }

    /// The feed events, account by account in id order, each account's under its lock so
    /// its sequence numbers follow commit order.
    async fn write_events(&mut self) -> Result<()> {
        let mut events = std::mem::take(&mut self.events);
        // Stable: an account's events keep the order they were made in.
        events.sort_by_key(|e| e.account_id);
        let mut locked = None;
        for e in &events {
            if locked != Some(e.account_id) {
                self.exec("SELECT pg_advisory_xact_lock($1)", &[&feed_lock(e.account_id)]).await?;
                locked = Some(e.account_id);
            }
            let (stat, status) = match &e.report {
                Some((stat, status)) => (Some(stat.as_str()), Some(*status)),
                None => (None, None),
            };
            self.exec(
                "INSERT INTO feed (account_id, kind, ref_id, segment, created_at, stat, status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[&e.account_id, &e.kind, &e.ref_id, &e.segment, &e.created_at.as_millis(), &stat, &status],
            )
            .await?;
        }
        Ok(())
    }
}

/// The positions of `items` in the order of their carrier ids, the order a batch takes its
/// locks in.
pub(crate) fn by_carrier_id<T>(items: &[T], id: impl Fn(&T) -> Option<&str>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|a, b| id(&items[*a]).cmp(&id(&items[*b])));
    order
}

/// Whether PostgreSQL cancelled the transaction to break a deadlock or a serialization
/// conflict: running it again is safe and will succeed.
fn is_retryable(e: &StoreError) -> bool {
    matches!(e, StoreError::Backend(text) if text.starts_with(crate::store::RETRYABLE))
}

/// Runs `attempt` again while PostgreSQL cancels it for a deadlock (a few times at most).
pub(crate) async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if is_retryable(&e) && tries < 5 => {
                tries += 1;
                tracing::debug!(error = %e, tries, "transaction cancelled by a deadlock; running it again");
            }
            other => return other,
        }
    }
}
