//! Hongyan's PostgreSQL store, for cluster mode: several nodes, one store of record.
//!
//! What it owns today:
//! - [`connect`]: a bounded pool of connections to one database (and, for tests, one schema of
//!   it), checked at once so a wrong address stops the start with the reason;
//! - [`migrate`]: the schema, applied once however many nodes start together;
//! - [`Leases`]: who holds each carrier link and each singleton job, renewed while the holder
//!   lives, taken over when it stops, and fenced by a generation number so a node that paused
//!   past its lease cannot act on it any more.
//!
//! - [`PgStore`]: every store trait of `hongyan-store`, passing the same story
//!   (`hongyan-store-tests`) as SQLite: accounts, content, numbers, messages from acceptance
//!   to their last report (`messages/`), each account's feed and callback pushing
//!   (`feed.rs`), client systems' long messages and receipts (`clients.rs`), users and the
//!   audit log, operations. Numbers and texts are sealed with the data keys in Rust before
//!   they are bound, so the database (and a dump of it) holds none in clear.
//!
//! Several nodes write at once. A write transaction (`writing.rs`) locks the message it
//! changes, takes a carrier id's lock before it looks for the answer or the report it pairs
//! with, and writes the statements' totals and the accounts' feed events at its end in a
//! fixed order; one that PostgreSQL cancels for a deadlock is run again. `messages` and
//! `segments` are partitioned by month of the message id (`partitions.rs`).
//!
//! What it does not own yet: handing work between nodes (claims and wake-ups), and running
//! the platform on it (`[cluster]` in the configuration).

mod accounts;
mod adopt;
mod clients;
mod content;
mod feed;
mod leases;
mod messages;
mod migrate;
mod numbers;
mod operations;
mod partitions;
mod store;
mod users;
mod wake;
mod writing;

pub use adopt::node_lease;
pub use deadpool_postgres::Pool;
pub use leases::{fence, Lease, Leases};
pub use migrate::migrate;
pub use store::PgStore;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod};
use tokio_postgres::NoTls;

/// Why the database could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The address could not be read.
    #[error("the PostgreSQL address is not valid: {0}")]
    Address(String),
    /// No connection could be had (the server is down, refuses us, or the pool is exhausted
    /// past its wait).
    #[error("no connection to PostgreSQL: {0}")]
    Unavailable(String),
    /// A statement failed.
    #[error("PostgreSQL: {0}")]
    Db(#[from] tokio_postgres::Error),
}

impl From<deadpool_postgres::PoolError> for PgError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

/// Most connections one node keeps open.
const POOL_SIZE: usize = 16;
/// How long a caller waits for a connection before the store answers "unavailable".
const WAIT: Duration = Duration::from_secs(5);

/// A pool of connections to the database at `url` (`postgres://user@host:port/db` or the
/// `key=value` form). With `schema`, every connection works in that schema (tests give each
/// run its own). One connection is made at once, so a wrong address or a server that is down
/// is reported here, not at the first message.
pub async fn connect(url: &str, schema: Option<&str>) -> Result<Pool, PgError> {
    let mut config: tokio_postgres::Config = url.parse().map_err(|e| PgError::Address(format!("{e}")))?;
    if let Some(schema) = schema {
        config.options(format!("-c search_path={schema}"));
    }
    config.connect_timeout(WAIT);
    let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let pool = Pool::builder(manager)
        .max_size(POOL_SIZE)
        .wait_timeout(Some(WAIT))
        .create_timeout(Some(WAIT))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
        .map_err(|e| PgError::Address(e.to_string()))?;
    drop(pool.get().await?);
    Ok(pool)
}
