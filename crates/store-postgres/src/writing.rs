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

    /// Holds, until the commit, the carriers' ids `ids` (of any channel: a rare shared id
    /// only makes two writes take turns). A submit's answer and a report that overtook it may
    /// reach two nodes at once: each takes this lock before it looks for the other (the
    /// segment, the held early report) and before it locks the message, so one of them always
    /// sees what the other wrote. One statement, in the order of the ids, so two batches
    /// never wait for each other in a circle; a later round of the same batch finds its ids
    /// already held.
    pub(crate) async fn lock_carrier_ids(&self, ids: &[&str]) -> Result<()> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let sql = "SELECT count(pg_advisory_xact_lock($1, hashtext(c)))
                   FROM (SELECT c FROM unnest($2::text[]) WITH ORDINALITY AS u(c, i) ORDER BY i) s";
        self.exec(sql, &[&CARRIER_ID_LOCK, &ids]).await.map(drop)
    }

    /// An event owed to an account's feed, written with the commit.
    pub(crate) fn append(&mut self, event: NewEvent) {
        self.events.push(event);
    }

    /// Writes the totals and the feed events, then commits.
    pub(crate) async fn commit(mut self) -> Result<()> {
        self.write_totals().await?;
        self.write_events().await?;
        self.tx.commit().await.map_err(backend)
    }

    /// The day lines and the minutes this transaction adds to, one statement each (the
    /// lines are distinct, as one `ON CONFLICT` statement needs).
    async fn write_totals(&mut self) -> Result<()> {
        let drained = self.tally.drain();
        if !drained.daily.is_empty() {
            let (lines, sums): (Vec<_>, Vec<_>) = drained.daily.into_iter().unzip();
            let text = |f: fn(&hongyan_store::totals::Line) -> &String| lines.iter().map(f).collect::<Vec<_>>();
            let number = |f: fn(&hongyan_store::totals::Sums) -> i64| sums.iter().map(f).collect::<Vec<_>>();
            self.exec(
                "INSERT INTO usage_daily (account_id, day, carrier, category, channel, status,
                                          messages, billed_segments, priced_segments, amount)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                                      $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
                 ON CONFLICT (account_id, day, carrier, category, channel, status) DO UPDATE SET
                     messages = usage_daily.messages + excluded.messages,
                     billed_segments = usage_daily.billed_segments + excluded.billed_segments,
                     priced_segments = usage_daily.priced_segments + excluded.priced_segments,
                     amount = usage_daily.amount + excluded.amount",
                &[
                    &lines.iter().map(|l| l.account_id).collect::<Vec<_>>(),
                    &lines.iter().map(|l| l.day).collect::<Vec<_>>(),
                    &text(|l| &l.carrier),
                    &text(|l| &l.category),
                    &text(|l| &l.channel),
                    &text(|l| &l.status),
                    &number(|s| s.messages),
                    &number(|s| s.billed),
                    &number(|s| s.priced),
                    &number(|s| s.amount),
                ],
            )
            .await?;
        }
        if !drained.minutes.is_empty() {
            let (keys, counts): (Vec<(i64, i64)>, Vec<i64>) = drained.minutes.into_iter().unzip();
            let (accounts, minutes): (Vec<i64>, Vec<i64>) = keys.into_iter().unzip();
            self.exec(
                "INSERT INTO accepted_minutely (account_id, minute, messages)
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[])
                 ON CONFLICT (minute, account_id) DO UPDATE SET messages = accepted_minutely.messages + excluded.messages",
                &[&accounts, &minutes, &counts],
            )
            .await?;
        }
        Ok(())
    }

    /// The feed events, in one statement after the feed locks of their accounts (taken in
    /// id order): an account's sequence numbers then follow commit order, and its events
    /// keep the order they were made in.
    async fn write_events(&mut self) -> Result<()> {
        let events = std::mem::take(&mut self.events);
        if events.is_empty() {
            return Ok(());
        }
        let mut locks: Vec<i64> = events.iter().map(|e| feed_lock(e.account_id)).collect();
        locks.sort_unstable();
        locks.dedup();
        let sql = "SELECT count(pg_advisory_xact_lock(l))
                   FROM (SELECT l FROM unnest($1::bigint[]) WITH ORDINALITY AS u(l, i) ORDER BY i) s";
        self.exec(sql, &[&locks]).await?;
        fn report(e: &NewEvent) -> Option<&(String, &'static str)> {
            e.report.as_ref()
        }
        self.exec(
            "INSERT INTO feed (account_id, kind, ref_id, segment, created_at, stat, status)
             SELECT a, k, r, s, c, st, su
             FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::smallint[], $5::bigint[], $6::text[], $7::text[])
                  WITH ORDINALITY AS u(a, k, r, s, c, st, su, i)
             ORDER BY i",
            &[
                &events.iter().map(|e| e.account_id).collect::<Vec<_>>(),
                &events.iter().map(|e| e.kind).collect::<Vec<_>>(),
                &events.iter().map(|e| e.ref_id).collect::<Vec<_>>(),
                &events.iter().map(|e| e.segment).collect::<Vec<_>>(),
                &events.iter().map(|e| e.created_at.as_millis()).collect::<Vec<_>>(),
                &events.iter().map(|e| report(e).map(|r| r.0.as_str())).collect::<Vec<_>>(),
                &events.iter().map(|e| report(e).map(|r| r.1)).collect::<Vec<_>>(),
            ],
        )
        .await?;
        Ok(())
    }
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
