//! The storage contract, one trait per concern; [`crate::Store`] is all of them.

mod accounts;
mod content;
mod feed;
mod messages;
mod numbers;
mod operations;
mod users;

pub use accounts::AccountStore;
pub use content::ContentStore;
pub use feed::FeedStore;
pub use messages::MessageStore;
pub use numbers::NumberStore;
pub use operations::OperationsStore;
pub use users::UserStore;
