//! Monthly partitions of `messages` and `segments`.
//!
//! Message ids are time-ordered (the millisecond, shifted left by 20 bits), so a month of
//! messages is a range of ids and a partition of its own: searches within a period touch only
//! its months, and retention drops a month whole instead of deleting rows one by one.
//!
//! A month's partitions are made before its first message is written: at open for this
//! month and the next, and by an insert whose ids fall in a month not made yet. Making them
//! takes a short lock on both tables, in a transaction of its own under an advisory lock, so
//! nodes that start a month together make it once. An id before 2020 (a test's small ids, a
//! clock far off) goes to the default partition rather than a partition of its own.

use std::collections::HashSet;

use hongyan_store::{MessageId, Result, Timestamp};

use crate::store::{backend, PgStore};

/// Ids below this month's first (January 2020) stay in the default partition.
const FIRST_MONTH: i64 = 2020 * 12;
/// The advisory lock of partition making: "months" in ASCII.
const LOCK: i64 = 0x6d6f_6e74_6873;

/// The month (years × 12 + month − 1, UTC) of a time in ms since the epoch.
fn month_of(ms: i64) -> i64 {
    Timestamp::from_millis(ms).utc_month()
}

/// The first ms of a month given as by [`month_of`].
fn month_start(month: i64) -> i64 {
    Timestamp::utc_month_start(month).as_millis()
}

/// The ids of a month: from its first id to the next month's.
fn id_range(month: i64) -> (i64, i64) {
    let first = |m: i64| MessageId::floor(Timestamp::from_millis(month_start(m))).0 as i64;
    (first(month), first(month + 1))
}

impl PgStore {
    /// Makes the partitions of this month and the next.
    pub(crate) async fn prepare_months(&self, now: Timestamp) -> Result<()> {
        let month = month_of(now.as_millis());
        self.make_months(&[month, month + 1]).await
    }

    /// Makes the partitions the months of `ids` lack, before they are written (outside the
    /// transaction that writes them, which would otherwise hold a second connection). A month
    /// that cannot be made (its ids already sit in the default partition) stays there, with a
    /// warning: the rows are written all the same.
    pub(crate) async fn ensure_partitions(&self, ids: impl Iterator<Item = MessageId>) {
        let wanted: HashSet<i64> =
            ids.map(|id| month_of(id.timestamp().as_millis())).filter(|m| *m >= FIRST_MONTH).collect();
        let missing: Vec<i64> = {
            let made = self.months.lock().unwrap_or_else(|p| p.into_inner());
            wanted.into_iter().filter(|m| !made.contains(m)).collect()
        };
        if missing.is_empty() {
            return;
        }
        if let Err(e) = self.make_months(&missing).await {
            tracing::warn!(error = %e, ?missing, "could not make the month's partitions; its messages go to the default one");
            self.months.lock().unwrap_or_else(|p| p.into_inner()).extend(missing);
        }
    }

    async fn make_months(&self, months: &[i64]) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK]).await.map_err(backend)?;
        for &month in months.iter().filter(|m| **m >= FIRST_MONTH) {
            let (from, to) = id_range(month);
            let name = format!("y{:04}m{:02}", month.div_euclid(12), month.rem_euclid(12) + 1);
            for table in ["messages", "segments"] {
                let sql = format!(
                    "CREATE TABLE IF NOT EXISTS {table}_{name} PARTITION OF {table} FOR VALUES FROM ({from}) TO ({to})"
                );
                tx.batch_execute(&sql).await.map_err(backend)?;
            }
        }
        tx.commit().await.map_err(backend)?;
        self.months.lock().unwrap_or_else(|p| p.into_inner()).extend(months);
        Ok(())
    }
}

impl PgStore {
    /// Drops every month partition entirely before `before`, with the feed events and client
    /// part ids of its messages; how many messages it held.
    pub(crate) async fn drop_months(&self, before: MessageId) -> Result<usize> {
        let mut client = self.client().await?;
        let names = client
            .query(
                "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                 JOIN pg_class p ON p.oid = i.inhparent
                 WHERE p.relname = 'messages' AND p.relnamespace = c.relnamespace
                   AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
                   AND c.relname ~ '^messages_y[0-9]{4}m[0-9]{2}$'",
                &[],
            )
            .await
            .map_err(backend)?;
        let mut dropped = 0;
        for name in names.iter().map(|r| r.get::<_, String>(0)) {
            let Some(month) = parse_month(&name) else { continue };
            let (from, to) = id_range(month);
            if to > before.0 as i64 {
                continue;
            }
            let tx = client.transaction().await.map_err(backend)?;
            let n: i64 = tx.query_one(&format!("SELECT count(*) FROM {name}"), &[]).await.map_err(backend)?.get(0);
            tx.execute(
                "DELETE FROM feed WHERE kind IN ('report', 'final') AND ref_id >= $1 AND ref_id < $2",
                &[&from, &to],
            )
            .await
            .map_err(backend)?;
            tx.execute("DELETE FROM client_submits WHERE message_id >= $1 AND message_id < $2", &[&from, &to])
                .await
                .map_err(backend)?;
            let suffix = &name["messages_".len()..];
            tx.batch_execute(&format!("DROP TABLE segments_{suffix}; DROP TABLE messages_{suffix}"))
                .await
                .map_err(backend)?;
            tx.commit().await.map_err(backend)?;
            self.months.lock().unwrap_or_else(|p| p.into_inner()).remove(&month);
            tracing::info!(partition = %name, messages = n, "retention: dropped a month of messages whole");
            dropped += n as usize;
        }
        Ok(dropped)
    }
}

/// The month of a partition named `messages_yYYYYmMM`.
fn parse_month(name: &str) -> Option<i64> {
    let rest = name.strip_prefix("messages_y")?;
    let (year, month) = rest.split_once('m')?;
    let (year, month): (i64, i64) = (year.parse().ok()?, month.parse().ok()?);
    (1..=12).contains(&month).then_some(year * 12 + month - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_follow_the_calendar() {
        // 2026-12-08T00:00:00Z and the start of its month, 2026-12-01.
        let t = 1_796_688_000_000;
        let m = month_of(t);
        assert_eq!((m.div_euclid(12), m.rem_euclid(12) + 1), (2026, 12));
        assert_eq!(month_start(m), 1_796_083_200_000);
        assert_eq!(month_start(m + 1), 1_798_761_600_000, "2027-01-01");
        assert_eq!(month_of(month_start(m + 1) - 1), m, "the last ms of the month is in it");
        let (from, to) = id_range(m);
        assert!(from < to && MessageId(to as u64 - 1).timestamp().as_millis() < month_start(m + 1));
        assert_eq!(parse_month("messages_y2026m12"), Some(m));
        assert_eq!(parse_month("messages_default"), None);
    }
}
