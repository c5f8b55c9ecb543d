//! [`NumberStore`] on PostgreSQL: the blacklists, marketing unsubscribes, portability, and the
//! accounts a reply's extension code belongs to.
//!
//! A number is sealed before it is bound and found by its keyed hash. New rows carry the hash
//! under the current key (slot 0); a look-up asks for the hashes under every key of the ring
//! (`= ANY`), so rows written before a key rotation are still found, and adding a number
//! first drops its rows under older keys so it keeps one entry.

use hongyan_seal::INDEX_SLOTS;
use hongyan_store::{BlacklistEntry, BoxFuture, Carrier, NumberStore, Result, StoreError, Timestamp};
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use crate::store::{backend, PgStore};

/// The global blacklist's account id.
const GLOBAL: i64 = 0;
/// Numbers per look-up: a bulk request is a few queries, not one per number.
const CHUNK: usize = 500;
const NUMBER: &str = "number";
/// An unsubscribe, after [`PgStore::add_number`]'s first three values: the word and when.
pub(crate) const UNSUBSCRIBE: &str = "INSERT INTO unsubscribes (account_id, number, number_hash, keyword, created_at)
                                      VALUES ($1, $2, $3, $4, $5) ON CONFLICT (number_hash, account_id) DO NOTHING";

impl PgStore {
    /// The hash new rows carry for `number`.
    pub(crate) fn current_hash(&self, number: &str) -> Result<Vec<u8>> {
        let ring = self.ring()?;
        ring.index(number, 0).map(|h| h.to_vec()).ok_or_else(|| StoreError::Backend("the key ring is empty".into()))
    }

    /// Every hash `number` may be stored under: one per (key, algorithm) pair of the ring.
    pub(crate) fn all_hashes(&self, numbers: &[String]) -> Result<Vec<Vec<u8>>> {
        let ring = self.ring()?;
        Ok(numbers.iter().flat_map(|n| (0..INDEX_SLOTS).map_while(|s| ring.index(n, s).map(|h| h.to_vec()))).collect())
    }

    fn blacklist_row(&self, r: &Row) -> Result<BlacklistEntry> {
        let account: i64 = r.get(0);
        Ok(BlacklistEntry {
            account_id: (account != GLOBAL).then_some(account),
            number: self.open_text(NUMBER, r.get(1))?.unwrap_or_default(),
            reason: r.get(2),
            created_at: Timestamp::from_millis(r.get(3)),
        })
    }

    /// Seals `number` and writes it into `table` for `account_id` by `insert` (whose `$1` is
    /// the account, `$2` the sealed number, `$3` its hash, then `extra`), after dropping its
    /// rows under older keys.
    async fn add_number(
        &self,
        table: &str,
        account_id: i64,
        number: &str,
        insert: &str,
        extra: &[&(dyn ToSql + Sync)],
    ) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        self.add_number_in(&tx, table, (account_id, number), insert, extra).await?;
        tx.commit().await.map_err(backend)
    }

    /// [`PgStore::add_number`] within the transaction `tx`.
    pub(crate) async fn add_number_in(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        table: &str,
        (account_id, number): (i64, &str),
        insert: &str,
        extra: &[&(dyn ToSql + Sync)],
    ) -> Result<()> {
        let (sealed, hash) = (self.seal_text(NUMBER, Some(number))?, self.current_hash(number)?);
        let older: Vec<Vec<u8>> = self.all_hashes(&[number.to_owned()])?.into_iter().filter(|h| *h != hash).collect();
        let drop_older = format!("DELETE FROM {table} WHERE account_id = $1 AND number_hash = ANY($2)");
        tx.execute(&drop_older, &[&account_id, &older]).await.map_err(backend)?;
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&account_id, &sealed, &hash];
        args.extend_from_slice(extra);
        tx.execute(insert, &args).await.map_err(backend)?;
        Ok(())
    }

    async fn list_of(&self, account_id: i64) -> Result<Vec<BlacklistEntry>> {
        let sql = "SELECT account_id, number, reason, created_at FROM blacklist WHERE account_id = $1";
        let rows = self.client().await?.query(sql, &[&account_id]).await.map_err(backend)?;
        // Sealed numbers sort as noise in SQL; the list is short, so it is ordered here.
        let mut list = rows.iter().map(|r| self.blacklist_row(r)).collect::<Result<Vec<_>>>()?;
        list.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(list)
    }

    async fn stopping(&self, account_id: i64, numbers: Vec<String>) -> Result<Vec<BlacklistEntry>> {
        let client = self.client().await?;
        let sql = "SELECT account_id, number, reason, created_at FROM blacklist
                   WHERE account_id IN (0, $1) AND number_hash = ANY($2)";
        let mut out = Vec::new();
        for chunk in numbers.chunks(CHUNK) {
            let hashes = self.all_hashes(chunk)?;
            for r in client.query(sql, &[&account_id, &hashes]).await.map_err(backend)? {
                out.push(self.blacklist_row(&r)?);
            }
        }
        Ok(out)
    }

    async fn unsubscribed_of(&self, account_id: i64, numbers: Vec<String>) -> Result<Vec<String>> {
        let client = self.client().await?;
        let sql = "SELECT number FROM unsubscribes WHERE account_id = $1 AND number_hash = ANY($2)";
        let mut out = Vec::new();
        for chunk in numbers.chunks(CHUNK) {
            for r in client.query(sql, &[&account_id, &self.all_hashes(chunk)?]).await.map_err(backend)? {
                out.extend(self.open_text(NUMBER, r.get(0))?);
            }
        }
        Ok(out)
    }

    async fn ported_of(&self, numbers: Vec<String>) -> Result<Vec<(String, Carrier)>> {
        let client = self.client().await?;
        let mut out = Vec::new();
        for chunk in numbers.chunks(CHUNK) {
            let rows = client
                .query("SELECT number, carrier FROM ported_numbers WHERE number = ANY($1)", &[&chunk])
                .await
                .map_err(backend)?;
            // An unknown carrier name cannot come from our own import; skip rather than fail.
            out.extend(rows.iter().filter_map(|r| Some((r.get(0), Carrier::parse(r.get(1))?))));
        }
        Ok(out)
    }

    async fn import(&self, entries: Vec<(String, Carrier)>, now: Timestamp) -> Result<usize> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(backend)?;
        let stmt = tx
            .prepare(
                "INSERT INTO ported_numbers (number, carrier, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (number) DO UPDATE SET carrier = excluded.carrier, updated_at = excluded.updated_at",
            )
            .await
            .map_err(backend)?;
        for (number, carrier) in &entries {
            tx.execute(&stmt, &[number, &carrier.as_str(), &now.as_millis()]).await.map_err(backend)?;
        }
        tx.commit().await.map_err(backend)?;
        Ok(entries.len())
    }
}

impl NumberStore for PgStore {
    fn blacklist_add(&self, e: BlacklistEntry) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            let insert = "INSERT INTO blacklist (account_id, number, number_hash, reason, created_at)
                          VALUES ($1, $2, $3, $4, $5)
                          ON CONFLICT (number_hash, account_id) DO UPDATE SET reason = excluded.reason";
            let account = e.account_id.unwrap_or(GLOBAL);
            self.add_number("blacklist", account, &e.number, insert, &[&e.reason, &e.created_at.as_millis()]).await
        })
    }

    fn blacklist_remove(&self, account_id: Option<i64>, number: &str) -> BoxFuture<'_, Result<bool>> {
        let number = number.to_owned();
        Box::pin(async move {
            let hashes = self.all_hashes(&[number])?;
            let sql = "DELETE FROM blacklist WHERE account_id = $1 AND number_hash = ANY($2)";
            let n =
                self.client().await?.execute(sql, &[&account_id.unwrap_or(GLOBAL), &hashes]).await.map_err(backend)?;
            Ok(n > 0)
        })
    }

    fn blacklist_list(&self, account_id: Option<i64>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>> {
        Box::pin(self.list_of(account_id.unwrap_or(GLOBAL)))
    }

    fn blacklisted(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<BlacklistEntry>>> {
        Box::pin(self.stopping(account_id, numbers))
    }

    fn unsubscribe(&self, account_id: i64, number: &str, keyword: &str, now: Timestamp) -> BoxFuture<'_, Result<()>> {
        let (number, keyword) = (number.to_owned(), keyword.to_owned());
        Box::pin(async move {
            self.add_number("unsubscribes", account_id, &number, UNSUBSCRIBE, &[&keyword, &now.as_millis()]).await
        })
    }

    fn unsubscribed(&self, account_id: i64, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<String>>> {
        Box::pin(self.unsubscribed_of(account_id, numbers))
    }

    fn accounts_with_extension(&self, extension: &str) -> BoxFuture<'_, Result<Vec<i64>>> {
        let extension = extension.to_owned();
        Box::pin(async move {
            let sql = "SELECT DISTINCT account_id FROM signatures WHERE extension = $1 AND status = 'approved'
                       ORDER BY account_id";
            Ok(self
                .client()
                .await?
                .query(sql, &[&extension])
                .await
                .map_err(backend)?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }

    fn import_ported(&self, entries: Vec<(String, Carrier)>, now: Timestamp) -> BoxFuture<'_, Result<usize>> {
        Box::pin(self.import(entries, now))
    }

    fn ported(&self, numbers: Vec<String>) -> BoxFuture<'_, Result<Vec<(String, Carrier)>>> {
        Box::pin(self.ported_of(numbers))
    }
}
