//! The plain records the store keeps and every layer above it reads: accounts and their rights,
//! messages, reports and the feed, client systems' parts, incidents, link-quality minutes,
//! console users and the audit log. Plain data: no behaviour beyond what a record says of
//! itself (whether an account is usable now, a minute's sums).

mod client;
mod feed;
mod incident;
mod model;
mod quality;
mod users;

pub use client::*;
pub use feed::*;
pub use incident::*;
pub use model::*;
pub use quality::*;
pub use users::*;
