//! Reads of the totals and counts: a statement's lines, the counts by state, the sending
//! chart, an account's recent volume, and the frequency limit's look-up. Days are Beijing
//! days, as `hongyan_store::totals` counts them.

use hongyan_store::{
    Carrier, Category, MessageFilter, MessageId, MessageStatus, Money, Result, StatusCount, StoreError, Timestamp,
    Usage,
};

use crate::store::PgStore;

const BEIJING_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// The Beijing day a message id's time falls on.
fn day_of(id: MessageId) -> i64 {
    (id.timestamp().as_millis() + BEIJING_OFFSET_MS).div_euclid(DAY_MS)
}

fn carrier(s: &str) -> Result<Carrier> {
    Carrier::parse(s).ok_or_else(|| StoreError::Backend(format!("unknown carrier `{s}` in the totals")))
}

fn category(s: &str) -> Result<Category> {
    Category::from_stored(s).map_err(|_| StoreError::Backend(format!("unknown category `{s}` in the totals")))
}

impl PgStore {
    pub(crate) async fn segments_since_id(&self, account_id: i64, since: MessageId) -> Result<u64> {
        let sql = "SELECT coalesce(sum(segments), 0)::bigint FROM messages WHERE account_id = $1 AND id >= $2";
        let rows = self.rows_of(sql, &[&account_id, &(since.0 as i64)]).await?;
        Ok(rows.first().map_or(0, |r| r.get::<_, i64>(0) as u64))
    }

    /// A statement's lines over the whole Beijing days from `from` to `to`.
    pub(crate) async fn usage_lines(&self, account_id: i64, from: MessageId, to: MessageId) -> Result<Vec<Usage>> {
        let sql = "SELECT carrier, category, sum(messages)::bigint, sum(billed_segments)::bigint,
                          sum(CASE WHEN status = 'delivered' THEN messages ELSE 0 END)::bigint,
                          sum(priced_segments)::bigint, sum(amount)::bigint
                   FROM usage_daily WHERE account_id = $1 AND day >= $2 AND day < $3
                   GROUP BY carrier, category HAVING sum(messages) > 0 OR sum(billed_segments) > 0
                   ORDER BY carrier, category";
        let rows = self.rows_of(sql, &[&account_id, &day_of(from), &day_of(to)]).await?;
        rows.iter()
            .map(|r| {
                Ok(Usage {
                    carrier: carrier(r.get(0))?,
                    category: category(r.get(1))?,
                    messages: r.get::<_, i64>(2) as u64,
                    billed_segments: r.get::<_, i64>(3) as u64,
                    delivered: r.get::<_, i64>(4) as u64,
                    priced_segments: r.get::<_, i64>(5) as u64,
                    amount: Money(r.get(6)),
                })
            })
            .collect()
    }

    /// Counts by carrier, category and state over the whole Beijing days from `from`'s
    /// through `to`'s (`to` excluded when it starts a day).
    pub(crate) async fn counts_by_status(
        &self,
        account_id: Option<i64>,
        from: MessageId,
        to: MessageId,
    ) -> Result<Vec<StatusCount>> {
        let first = day_of(from);
        let end = if to.0 == 0 { first } else { day_of(MessageId(to.0 - 1)) + 1 };
        let sql = "SELECT carrier, category, status, sum(messages)::bigint FROM usage_daily
                   WHERE ($1::bigint IS NULL OR account_id = $1) AND day >= $2 AND day < $3
                   GROUP BY carrier, category, status HAVING sum(messages) > 0 ORDER BY carrier, category, status";
        let rows = self.rows_of(sql, &[&account_id, &first, &end]).await?;
        rows.iter()
            .map(|r| {
                let status: &str = r.get(2);
                Ok(StatusCount {
                    carrier: carrier(r.get(0))?,
                    category: category(r.get(1))?,
                    status: MessageStatus::parse(status)
                        .ok_or_else(|| StoreError::Backend(format!("unknown status `{status}` in the totals")))?,
                    messages: r.get::<_, i64>(3) as u64,
                })
            })
            .collect()
    }

    /// Messages accepted per slice of whole minutes, from the per-minute counts.
    pub(crate) async fn series(
        &self,
        account_id: Option<i64>,
        (from, to): (MessageId, MessageId),
        bucket_ms: i64,
    ) -> Result<Vec<(Timestamp, u64)>> {
        let bucket = (bucket_ms / 60_000).max(1);
        let minute = |id: MessageId| id.timestamp().as_millis().div_euclid(60_000);
        let end = if to.0 == 0 { minute(from) } else { minute(MessageId(to.0 - 1)) + 1 };
        let sql = "SELECT minute / $4 AS b, sum(messages)::bigint FROM accepted_minutely
                   WHERE minute >= $2 AND minute < $3 AND ($1::bigint IS NULL OR account_id = $1) GROUP BY b ORDER BY b";
        let rows = self.rows_of(sql, &[&account_id, &minute(from), &end, &bucket]).await?;
        Ok(rows
            .iter()
            .map(|r| (Timestamp::from_millis(r.get::<_, i64>(0) * bucket * 60_000), r.get::<_, i64>(1) as u64))
            .collect())
    }

    /// The frequency limit's look-up: by the recipient's hashes, newest key or older.
    pub(crate) async fn sent_to(
        &self,
        account_id: i64,
        to: &str,
        category: Category,
        since: MessageId,
    ) -> Result<Vec<Timestamp>> {
        let hashes = self.all_hashes(&[to.to_owned()])?;
        let sql = "SELECT accepted_at FROM messages
                   WHERE account_id = $1 AND to_hash = ANY($2) AND id >= $3 AND category = $4 ORDER BY id";
        let rows = self.rows_of(sql, &[&account_id, &hashes, &(since.0 as i64), &category.stored()]).await?;
        Ok(rows.iter().map(|r| Timestamp::from_millis(r.get(0))).collect())
    }

    /// How many messages match `f`, no more than its limit.
    pub(crate) async fn count(&self, f: &MessageFilter) -> Result<u64> {
        Ok(self.search(f, "1").await?.len() as u64)
    }
}
