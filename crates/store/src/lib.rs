//! The storage contract of Hongyan. One trait per concern —
//! [`AccountStore`], [`ContentStore`], [`NumberStore`], [`MessageStore`], [`FeedStore`],
//! [`UserStore`], [`OperationsStore`] — and [`Store`], which is all of them plus the store's
//! own life (closing, a full disk). The records it speaks (accounts, messages, reports, ...)
//! are `hongyan_types::records`, re-exported here, so that layers which only read them need
//! not depend on the contract. Code holds an `Arc<dyn Store>`; a method of any concern
//! is callable on it directly (a trait object has its supertraits' methods), while a concrete
//! backend type needs the traits in scope: `use hongyan_store::prelude::*`.
//!
//! What it owns: the operations the engine, the API and the CLI need (accounts and keys,
//! message insert as one group commit, submit outcomes, report correlation, look-ups) and the
//! guarantees each one gives. Every backend (`store-sqlite` today, `store-postgres` next)
//! implements the same traits and passes the same story test in `store-tests`.
//!
//! What it does not own: SQL, connections, migrations (each backend keeps its own), or any
//! business rule beyond keeping a message's status consistent with its segments.
//!
//! Methods return boxed futures rather than using `async fn` in the trait so that handlers can
//! hold an `Arc<dyn Store>` without a proc-macro crate.
#![warn(missing_docs)]

pub mod rules;
pub mod totals;
mod traits;

use std::future::Future;
use std::pin::Pin;

pub use hongyan_types::records::*;
pub use hongyan_types::{
    Carrier, Category, Cidr, MessageId, MessageStatus, Money, PriceRule, PriceTable, RttHistogram, Timestamp,
};
pub use traits::*;

/// Every trait of the contract, for `use hongyan_store::prelude::*`.
pub mod prelude {
    pub use crate::traits::{
        AccountStore, ContentStore, FeedStore, MessageStore, NumberStore, OperationsStore, UserStore,
    };
    pub use crate::Store;
}

/// A boxed, sendable future, the return type of every [`Store`] method.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What went wrong in a backend. Details are for logs; the API answers 500 or 503.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The backend reported an error.
    #[error("storage backend error: {0}")]
    Backend(String),
    /// A unique value (account name, key id) is already taken.
    #[error("already exists: {0}")]
    Conflict(String),
    /// The store is shutting down and takes no more writes.
    #[error("the store is closed")]
    Closed,
    /// The store cannot be reached now (its database is away, or every connection is busy past
    /// the wait); nothing of the write was kept. It answers again once the database does.
    #[error("the store cannot be reached: {0}")]
    Unavailable(String),
    /// The disk (or the store's configured ceiling) has no room for the write; nothing of it
    /// was kept. Writes work again once space is freed, without a restart.
    #[error("storage is full: {0}")]
    Full(String),
}

/// Shorthand for store results.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Durable state of the platform: every concern's trait, and the store's own life. All methods
/// are safe to call from many tasks at once. Callers bring the traits they use into scope,
/// usually all of them with `use hongyan_store::prelude::*`.
pub trait Store:
    AccountStore
    + ContentStore
    + NumberStore
    + MessageStore
    + FeedStore
    + UserStore
    + OperationsStore
    + Send
    + Sync
    + 'static
{
    /// Finishes queued writes and makes them durable; later writes fail with `Closed`.
    fn close(&self) -> BoxFuture<'_, Result<()>>;

    /// Whether the last write that needed room found none (and no write has succeeded since).
    /// Readiness fails while it is true; backends without the notion answer `false`.
    fn is_full(&self) -> bool {
        false
    }

    /// Free bytes where the store keeps its data, when the backend can tell (an alert warns
    /// before the disk fills).
    fn free_bytes(&self) -> Option<u64> {
        None
    }
}
