//! [`FeedStore`] on PostgreSQL: each account's feed of reports and replies, its readers'
//! positions, and callback pushing.
//!
//! An account's events are appended under its advisory lock at the end of the transaction
//! that makes them (`writing.rs`), so within an account the sequence follows commit order:
//! a reader that acknowledged an event has seen every earlier one of its account, whichever
//! node wrote them.

use hongyan_store::{
    BoxFuture, Callback, Carrier, FeedConsumer, FeedEvent, FeedFilter, FeedItem, FeedKind, FeedStore, MessageId,
    MessageStatus, MoRecord, NewMo, PushAttempt, PushFailure, PushTarget, Result, SegmentReport, Timestamp,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::{backend, PgStore};
use crate::writing::{feed_lock, NewEvent, Writing};

/// The columns [`PgStore::event`] reads, then the account; `raw` is the raw report or NULL.
fn event_sql(raw: &str, filter: &str) -> String {
    format!(
        "SELECT f.seq, f.kind, f.segment,
                m.id, m.to_number, m.segments, coalesce(f.status, m.status), coalesce(f.stat, s.report_stat), s.done_at,
                coalesce(f.created_at, s.reported_at),
                o.id, o.account_id, o.channel, o.from_number, o.to_number, o.extension, o.content, o.unsubscribed,
                o.received_at, m.callback_url, f.account_id, {raw}
         FROM feed f
         LEFT JOIN messages m ON f.kind = 'report' AND m.id = f.ref_id
         LEFT JOIN segments s ON f.kind = 'report' AND s.message_id = f.ref_id AND s.number = f.segment
         LEFT JOIN mo_messages o ON f.kind = 'mo' AND o.id = f.ref_id
         WHERE {filter}"
    )
}

impl PgStore {
    fn event(&self, r: &Row) -> Result<FeedEvent> {
        let kind: &str = r.get(1);
        let item = if kind == FeedKind::Mo.as_str() {
            FeedItem::Mo(MoRecord {
                id: r.get(10),
                account_id: r.get(11),
                channel: r.get(12),
                from: self.open_text("from", r.get(13))?.unwrap_or_default(),
                to: r.get(14),
                extension: r.get(15),
                text: self.open_text("content", r.get(16))?.unwrap_or_default(),
                unsubscribed: r.get(17),
                received_at: Timestamp::from_millis(r.get(18)),
            })
        } else {
            let status: String = r.get(6);
            FeedItem::Report(SegmentReport {
                message_id: MessageId(r.get::<_, i64>(3) as u64),
                to: self.open_text("to", r.get(4))?.unwrap_or_default(),
                segment: r.get::<_, i16>(2) as u8,
                segments: r.get::<_, i16>(5) as u8,
                stat: r.get(7),
                done_at: r.get::<_, Option<i64>>(8).map(Timestamp::from_millis),
                reported_at: Timestamp::from_millis(r.get(9)),
                status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Submitted),
                raw: self.open_text("raw", r.get(21))?,
            })
        };
        Ok(FeedEvent { seq: r.get::<_, i64>(0) as u64, item, callback_url: r.get(19) })
    }

    async fn cursor(&self, account_id: i64, consumer: FeedConsumer) -> Result<u64> {
        let sql = "SELECT acked FROM feed_cursors WHERE account_id = $1 AND consumer = $2";
        let rows = self.rows_of(sql, &[&account_id, &consumer.as_str()]).await?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0) as u64))
    }

    async fn events(&self, account_id: i64, consumer: FeedConsumer, limit: usize) -> Result<Vec<FeedEvent>> {
        let after = self.cursor(account_id, consumer).await?;
        match consumer {
            FeedConsumer::Smpp => return self.final_events(account_id, "smpp", after, limit).await,
            FeedConsumer::Cmpp => return self.final_events(account_id, "cmpp", after, limit).await,
            _ => {}
        }
        let sql = event_sql(
            "NULL::bytea",
            "f.account_id = $1 AND f.kind = $2 AND f.seq > $3 AND ($4 OR NOT f.push_only) ORDER BY f.seq LIMIT $5",
        );
        let of_kind = async |kind: FeedKind, push: bool| -> Result<Vec<FeedEvent>> {
            let args: [&(dyn ToSql + Sync); 5] = [&account_id, &kind.as_str(), &(after as i64), &push, &(limit as i64)];
            self.rows_of(&sql, &args).await?.iter().map(|r| self.event(r)).collect()
        };
        match consumer.kind() {
            Some(kind) => of_kind(kind, false).await,
            // The pusher takes reports and replies (and what was put back for it alone), in
            // the feed's order.
            None => {
                let mut events = of_kind(FeedKind::Report, true).await?;
                events.extend(of_kind(FeedKind::Mo, true).await?);
                events.sort_unstable_by_key(|e| e.seq);
                events.truncate(limit);
                Ok(events)
            }
        }
    }

    async fn history(&self, f: &FeedFilter) -> Result<Vec<(i64, FeedEvent)>> {
        let Some(kind) = f.kind.filter(|k| *k != FeedKind::Final) else { return Ok(Vec::new()) };
        let hashes = f.from_number.as_ref().map(|n| self.all_hashes(std::slice::from_ref(n))).transpose()?;
        let sql = event_sql(
            "s.report_raw",
            "f.kind = $10 AND NOT f.push_only AND ($1::bigint IS NULL OR f.account_id = $1)
               AND ($2::bigint IS NULL OR f.created_at >= $2) AND ($3::bigint IS NULL OR f.created_at < $3)
               AND ($4::text IS NULL OR f.stat = $4) AND f.seq < $5
               AND ($7::text IS NULL OR m.carrier = $7) AND ($8::text IS NULL OR s.channel = $8)
               AND ($9::bytea[] IS NULL OR o.from_hash = ANY($9))
             ORDER BY f.seq DESC LIMIT $6",
        );
        let before = f.before_seq.map_or(i64::MAX, |s| s as i64);
        let millis = |t: Option<Timestamp>| t.map(Timestamp::as_millis);
        let (from, to, carrier) = (millis(f.from), millis(f.to), f.carrier.map(Carrier::as_str));
        let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
        let args: [&(dyn ToSql + Sync); 10] =
            [&f.account_id, &from, &to, &f.stat, &before, &limit, &carrier, &f.channel, &hashes, &kind.as_str()];
        let rows = self.rows_of(&sql, &args).await?;
        rows.iter().map(|r| Ok((r.get::<_, i64>(20), self.event(r)?))).collect()
    }

    async fn mo(&self, w: &mut Writing<'_>, mo: &NewMo) -> Result<MoRecord> {
        let unsubscribed = mo.unsubscribes();
        let (from, hash) = (self.seal_text("from", Some(&mo.from))?, self.current_hash(&mo.from)?);
        let text = self.seal_text("content", Some(&mo.text))?;
        let row = w
            .row(
                "INSERT INTO mo_messages (account_id, channel, from_number, from_hash, to_number, extension, content,
                                          unsubscribed, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    &mo.account_id,
                    &mo.channel,
                    &from,
                    &hash,
                    &mo.to,
                    &mo.extension,
                    &text,
                    &unsubscribed,
                    &mo.received_at.as_millis(),
                ],
            )
            .await?;
        let id: i64 = row.map_or(0, |r| r.get(0));
        if let Some(account_id) = mo.account_id {
            w.append(NewEvent {
                account_id,
                kind: "mo",
                ref_id: id,
                segment: 0,
                created_at: mo.received_at,
                report: None,
            });
            if let Some(word) = &mo.unsubscribe {
                let extra: [&(dyn ToSql + Sync); 2] = [word, &mo.received_at.as_millis()];
                let unsubscribe = crate::numbers::UNSUBSCRIBE;
                self.add_number_in(&w.tx, "unsubscribes", (account_id, &mo.from), unsubscribe, &extra).await?;
            }
        }
        Ok(mo.recorded(id))
    }

    /// Moves a reader's position up to `seq`, never past the feed's end.
    async fn ack(&self, account_id: i64, consumer: FeedConsumer, seq: u64) -> Result<u64> {
        let sql = "INSERT INTO feed_cursors (account_id, consumer, acked)
                   VALUES ($1, $2, least($3, coalesce((SELECT max(seq) FROM feed), 0)))
                   ON CONFLICT (account_id, consumer) DO UPDATE SET acked = greatest(feed_cursors.acked, excluded.acked)
                   RETURNING acked";
        let rows = self.rows_of(sql, &[&account_id, &consumer.as_str(), &(seq as i64)]).await?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0) as u64))
    }

    async fn targets(&self, now: Timestamp, limit: usize) -> Result<Vec<PushTarget>> {
        let sql = "SELECT a.id, a.callback_url, a.callback_secret, coalesce(p.attempts, 0), p.failing_since
                   FROM accounts a
                   LEFT JOIN push_state p ON p.account_id = a.id
                   LEFT JOIN feed_cursors c ON c.account_id = a.id AND c.consumer = $1
                   WHERE a.callback_url IS NOT NULL AND a.callback_secret IS NOT NULL
                     AND (p.next_at IS NULL OR p.next_at <= $2)
                     AND EXISTS (SELECT 1 FROM feed f WHERE f.account_id = a.id AND f.seq > coalesce(c.acked, 0)
                                 AND f.kind IN ('report', 'mo'))
                   ORDER BY a.id LIMIT $3";
        let rows = self.rows_of(sql, &[&FeedConsumer::Push.as_str(), &now.as_millis(), &(limit as i64)]).await?;
        rows.iter()
            .map(|r| {
                Ok(PushTarget {
                    account_id: r.get(0),
                    callback: Callback {
                        url: r.get(1),
                        secret: self.open_text("secret", r.get(2))?.unwrap_or_default(),
                    },
                    attempts: r.get::<_, i32>(3) as u32,
                    failing_since: r.get::<_, Option<i64>>(4).map(Timestamp::from_millis),
                })
            })
            .collect()
    }

    async fn delivered(&self, account_id: i64, seq: u64) -> Result<()> {
        self.ack(account_id, FeedConsumer::Push, seq).await?;
        self.rows_of("DELETE FROM push_state WHERE account_id = $1", &[&account_id]).await.map(drop)
    }

    /// Attempts whose batch covers one of the message's report events (a batch starts at
    /// most 1,000 events before any event it holds).
    async fn attempts_for(&self, message_id: MessageId) -> Result<Vec<PushAttempt>> {
        let sql = "SELECT DISTINCT a.id, a.account_id, a.first_seq, a.last_seq, a.url, a.at, a.error
                   FROM feed f JOIN push_attempts a ON a.account_id = f.account_id
                        AND a.first_seq BETWEEN f.seq - 1000 AND f.seq AND a.last_seq >= f.seq
                   WHERE f.kind = 'report' AND f.ref_id = $1 ORDER BY a.id";
        let rows = self.rows_of(sql, &[&(message_id.0 as i64)]).await?;
        Ok(rows
            .iter()
            .map(|r| PushAttempt {
                account_id: r.get(1),
                seqs: (r.get::<_, i64>(2) as u64, r.get::<_, i64>(3) as u64),
                url: r.get(4),
                at: Timestamp::from_millis(r.get(5)),
                error: r.get(6),
            })
            .collect())
    }

    async fn failures(&self, account_id: Option<i64>) -> Result<Vec<PushFailure>> {
        let sql = "SELECT id, account_id, first_seq, last_seq, error, failed_at, resent_at FROM push_failures
                   WHERE $1::bigint IS NULL OR account_id = $1 ORDER BY id DESC LIMIT 1000";
        let rows = self.rows_of(sql, &[&account_id]).await?;
        Ok(rows
            .iter()
            .map(|r| PushFailure {
                id: r.get(0),
                account_id: r.get(1),
                seqs: (r.get::<_, i64>(2) as u64, r.get::<_, i64>(3) as u64),
                error: r.get(4),
                failed_at: Timestamp::from_millis(r.get(5)),
                resent_at: r.get::<_, Option<i64>>(6).map(Timestamp::from_millis),
            })
            .collect())
    }

    /// Puts a given-up batch's events at the end of its account's feed again, for the pusher.
    async fn resend(&self, id: i64, now: Timestamp) -> Result<bool> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let marked = tx
            .query(
                "UPDATE push_failures SET resent_at = $2 WHERE id = $1 AND resent_at IS NULL
                 RETURNING account_id, first_seq, last_seq",
                &[&id, &now.as_millis()],
            )
            .await
            .map_err(backend)?;
        let Some(r) = marked.first() else { return Ok(false) };
        let (account_id, first, last): (i64, i64, i64) = (r.get(0), r.get(1), r.get(2));
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&feed_lock(account_id)]).await.map_err(backend)?;
        tx.execute(
            "INSERT INTO feed (account_id, kind, ref_id, segment, created_at, push_only, stat, status)
             SELECT account_id, kind, ref_id, segment, created_at, true, stat, status FROM feed
             WHERE account_id = $1 AND seq BETWEEN $2 AND $3 AND kind IN ('report', 'mo') ORDER BY seq",
            &[&account_id, &first, &last],
        )
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }
}

impl FeedStore for PgStore {
    fn record_mo(&self, mo: NewMo) -> BoxFuture<'_, Result<MoRecord>> {
        Box::pin(async move {
            let mut client = self.client().await?;
            let mut w = Writing::begin(&mut client).await?;
            let record = self.mo(&mut w, &mo).await?;
            w.commit().await?;
            Ok(record)
        })
    }

    fn feed(&self, account_id: i64, consumer: FeedConsumer, limit: usize) -> BoxFuture<'_, Result<Vec<FeedEvent>>> {
        Box::pin(self.events(account_id, consumer, limit))
    }

    fn feed_history(&self, filter: FeedFilter) -> BoxFuture<'_, Result<Vec<(i64, FeedEvent)>>> {
        Box::pin(async move { self.history(&filter).await })
    }

    fn ack_feed(&self, account_id: i64, consumer: FeedConsumer, seq: u64) -> BoxFuture<'_, Result<u64>> {
        Box::pin(self.ack(account_id, consumer, seq))
    }

    fn push_targets(&self, now: Timestamp, limit: usize) -> BoxFuture<'_, Result<Vec<PushTarget>>> {
        Box::pin(self.targets(now, limit))
    }

    fn push_delivered(&self, account_id: i64, seq: u64) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.delivered(account_id, seq))
    }

    fn push_retry_later(
        &self,
        account_id: i64,
        attempts: u32,
        failing_since: Timestamp,
        next_at: Timestamp,
        error: String,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "INSERT INTO push_state (account_id, attempts, next_at, failing_since, last_error)
                       VALUES ($1, $2, $3, $4, $5)
                       ON CONFLICT (account_id) DO UPDATE SET attempts = excluded.attempts, next_at = excluded.next_at,
                           failing_since = excluded.failing_since, last_error = excluded.last_error";
            let args: [&(dyn ToSql + Sync); 5] =
                [&account_id, &(attempts as i32), &next_at.as_millis(), &failing_since.as_millis(), &error];
            self.rows_of(sql, &args).await.map(drop)
        })
    }

    fn push_give_up(
        &self,
        account_id: i64,
        seqs: (u64, u64),
        error: String,
        now: Timestamp,
    ) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "INSERT INTO push_failures (account_id, first_seq, last_seq, error, failed_at) VALUES ($1, $2, $3, $4, $5)";
            let args: [&(dyn ToSql + Sync); 5] =
                [&account_id, &(seqs.0 as i64), &(seqs.1 as i64), &error, &now.as_millis()];
            self.rows_of(sql, &args).await?;
            self.delivered(account_id, seqs.1).await
        })
    }

    fn record_push_attempt(&self, a: PushAttempt) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let sql = "INSERT INTO push_attempts (account_id, first_seq, last_seq, url, at, error) VALUES ($1, $2, $3, $4, $5, $6)";
            let args: [&(dyn ToSql + Sync); 6] =
                [&a.account_id, &(a.seqs.0 as i64), &(a.seqs.1 as i64), &a.url, &a.at.as_millis(), &a.error];
            self.rows_of(sql, &args).await.map(drop)
        })
    }

    fn push_attempts_for(&self, message_id: MessageId) -> BoxFuture<'_, Result<Vec<PushAttempt>>> {
        Box::pin(self.attempts_for(message_id))
    }

    fn push_failures(&self, account_id: Option<i64>) -> BoxFuture<'_, Result<Vec<PushFailure>>> {
        Box::pin(self.failures(account_id))
    }

    fn resend_push_failure(&self, id: i64, now: Timestamp) -> BoxFuture<'_, Result<bool>> {
        Box::pin(self.resend(id, now))
    }
}
