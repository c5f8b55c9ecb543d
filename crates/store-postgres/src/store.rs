//! [`PgStore`]: the store of record in cluster mode. Each concern's trait is implemented in a
//! file of its own (`users.rs`, ...); this file holds what they share.

use deadpool_postgres::{Object, Pool};
use hongyan_store::{Result, StoreError};
use tokio_postgres::error::SqlState;

use crate::{connect, migrate, PgError};

/// Hongyan's store on PostgreSQL.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects to `url` (in `schema`, for tests) and brings the schema up to date.
    pub async fn open(url: &str, schema: Option<&str>) -> Result<Self, PgError> {
        let pool = connect(url, schema).await?;
        migrate(&pool).await?;
        Ok(Self { pool })
    }

    /// The pool beneath, for the leases and for tests that look at the tables.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub(crate) async fn client(&self) -> Result<Object> {
        self.pool.get().await.map_err(|e| StoreError::Backend(format!("no connection to PostgreSQL: {e}")))
    }
}

/// A statement's error as the store's: a unique value taken is a conflict, anything else the
/// backend's own error.
pub(crate) fn backend(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) if db.code() == &SqlState::UNIQUE_VIOLATION => {
            StoreError::Conflict(db.detail().unwrap_or(db.message()).to_owned())
        }
        _ => StoreError::Backend(e.to_string()),
    }
}
