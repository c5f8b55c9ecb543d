//! [`PgStore`]: the store of record in cluster mode. Each concern's trait is implemented in a
//! file of its own (`users.rs`, ...); this file holds what they share.

use deadpool_postgres::{Object, Pool};
use hongyan_seal::{KeyRing, SealError};
use hongyan_store::{Result, StoreError};
use tokio_postgres::error::SqlState;

use crate::{connect, migrate, PgError};

/// Hongyan's store on PostgreSQL.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// The data keys that seal numbers and texts, as on SQLite; `None` for tools that never
    /// touch sealed data (a sealed read or write then fails with the reason).
    ring: Option<KeyRing>,
    /// This node's name: the messages it accepts are its to send (`adopt.rs`).
    pub(crate) node: std::sync::Arc<str>,
    /// Where the database is (address, test schema): for a connection of its own (`wake.rs`).
    pub(crate) address: std::sync::Arc<(String, Option<String>)>,
    /// Months whose message partitions exist (`partitions.rs`).
    pub(crate) months: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<i64>>>,
    /// Small requests waiting to be written together (`messages/group.rs`).
    pub(crate) groups: std::sync::Arc<crate::messages::Groups>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (in `schema`, for tests), brings the schema up to date, and seals
    /// with `ring`.
    pub async fn open(url: &str, schema: Option<&str>, ring: Option<KeyRing>) -> Result<Self, PgError> {
        let pool = connect(url, schema).await?;
        migrate(&pool).await?;
        let address = std::sync::Arc::new((url.to_owned(), schema.map(str::to_owned)));
        let store =
            Self { pool, ring, node: "".into(), months: Default::default(), address, groups: Default::default() };
        store
            .prepare_months(hongyan_store::Timestamp::from_system(std::time::SystemTime::now()))
            .await
            .map_err(|e| PgError::Unavailable(format!("making this month's partitions: {e}")))?;
        Ok(store)
    }

    /// The store as node `name` of a cluster uses it: the messages it accepts are its to
    /// send, and the work a restart resumes is its own (`""`, the default, for one node alone).
    pub fn with_node(mut self, name: &str) -> Self {
        self.node = name.into();
        self
    }

    /// The pool beneath, for the leases and for tests that look at the tables.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub(crate) fn ring(&self) -> Result<&KeyRing> {
        self.ring.as_ref().ok_or_else(|| StoreError::Backend(SealError::NoKeys.to_string()))
    }

    /// `text` sealed under `label` (`None` stays `None`). Every call draws a new nonce.
    pub(crate) fn seal_text(&self, label: &str, text: Option<&str>) -> Result<Option<Vec<u8>>> {
        text.map(|t| Ok(self.ring()?.seal(label, t.as_bytes()))).transpose()
    }

    /// The text of a value [`PgStore::seal_text`] sealed.
    pub(crate) fn open_text(&self, label: &str, blob: Option<Vec<u8>>) -> Result<Option<String>> {
        let Some(blob) = blob else { return Ok(None) };
        let plain = self.ring()?.open(label, &blob).map_err(|e| StoreError::Backend(format!("{label}: {e}")))?;
        String::from_utf8(plain).map(Some).map_err(|_| StoreError::Backend(format!("{label}: not UTF-8")))
    }

    pub(crate) async fn client(&self) -> Result<Object> {
        if self.pool.is_closed() {
            return Err(StoreError::Closed);
        }
        self.pool.get().await.map_err(|e| StoreError::Unavailable(format!("no connection to PostgreSQL: {e}")))
    }
}

/// How the error of a transaction that PostgreSQL cancelled (a deadlock, a serialization
/// conflict) begins: running it again will do (`writing::retrying`).
pub(crate) const RETRYABLE: &str = "cancelled, may be retried";

/// A statement's error as the store's: a unique value taken is a conflict, anything else the
/// backend's own error.
pub(crate) fn backend(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) if db.code() == &SqlState::UNIQUE_VIOLATION => {
            StoreError::Conflict(db.detail().unwrap_or(db.message()).to_owned())
        }
        Some(db)
            if db.code() == &SqlState::T_R_DEADLOCK_DETECTED || db.code() == &SqlState::T_R_SERIALIZATION_FAILURE =>
        {
            StoreError::Backend(format!("{RETRYABLE}: {}", db.message()))
        }
        _ => StoreError::Backend(e.to_string()),
    }
}

/// Every write commits before it answers, so closing has nothing to finish: the pool stops
/// handing out connections and later calls fail with [`StoreError::Closed`].
impl hongyan_store::Store for PgStore {
    fn close(&self) -> hongyan_store::BoxFuture<'_, Result<()>> {
        self.pool.close();
        Box::pin(async { Ok(()) })
    }
}
