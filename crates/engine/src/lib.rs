//! Hongyan's business core: everything between "a client asked" and "a carrier answered",
//! expressed in domain terms only. It never sees a PDU and never opens a socket.
//!
//! Layout:
//! - [`Engine`] (`engine.rs`): the shared handle the API, the gateways and the CLI hold.
//! - `accept`: validate a send request, normalise and route every number, split, and store
//!   the whole request in one group commit before answering.
//! - `dispatch`: one in-memory queue per channel feeding its gateway; the store is the durable
//!   queue, so a restart refills these from [`hongyan_store::MessageStore::pending_dispatch`].
//! - `correlate`: submit outcomes and status reports coming back from gateways.
//! - [`bulk`]: CSV bulk lists read and checked before sending (numbers, value columns).
//! - [`admin`]: administrative changes (accounts, keys, reviews, users): role, change, audit.
//! - [`auth`]: API keys (generation, hashing, verification with a short-lived cache).
//! - `limits`: account rate and quotas, per-number frequency limits, the blacklist.
//! - `mo`: replies from handsets; unsubscribes ("TD") stop an account's marketing.
//! - [`template`]: approved templates with `${name}` variables, rendered per request.
//! - `schedule`: scheduled sending and marketing quiet hours (held, not refused).
//! - `words`: the sensitive-word list (replaceable while running).
//! - `sign`: the category's signature added to every message, checked against what the
//!   content already carries.
//! - [`Clock`]: time is injected so tests control it.
//!
//! What it does not do: HTTP (the `api` crate), protocol sessions (`gateway`), SQL (`store-*`).
#![warn(missing_docs)]

mod accept;
pub mod acceptance;
pub mod admin;
pub mod alerts;
pub mod auth;
pub mod bulk;
mod cache;
mod clients;
mod clock;
mod correlate;
pub mod csv;
mod dispatch;
mod engine;
pub mod events;
pub mod incidents;
mod limits;
pub mod login_guard;
pub mod metrics;
mod mo;
pub mod monitor;
pub mod quality;
mod reads;
mod replay;
pub mod retention;
pub mod rights;
mod route;
mod schedule;
pub mod sign;
pub mod signed;
pub mod statement;
pub mod template;
mod unrecorded;
pub mod users;
mod words;

pub use accept::{
    AcceptError, NumberResult, SendOutcome, SendRequest, TemplateRef, MAX_CONTENT_UNITS, MAX_PERSONALISED,
    MAX_RECIPIENTS,
};
pub use clients::{ClientCaller, ClientSubmit, ClientSubmitOutcome, PART_WAIT_MS};
pub use clock::{Clock, SystemClock, TokioClock};
pub use dispatch::{DispatchReceiver, Outbound};
pub use engine::{ChannelSpec, Engine, EngineError};
pub use limits::DEFAULT_VERIFICATION_LIMITS;
pub use mo::{unsubscribe_word, MoIn, MoOutcome};
pub use schedule::MAX_SCHEDULE_AHEAD_MS;
pub use words::AddTemplateError;

#[cfg(test)]
mod tests;
