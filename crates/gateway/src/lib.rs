//! Hongyan's protocol edges: the carrier links.
//!
//! What it owns: the *shared link engine* that every carrier protocol uses, and one adapter
//! per protocol.
//! - [`run_channel`] (`channel.rs`): a channel is N connections to one gateway sharing one
//!   backlog and one rate limit (`rate.rs`). A feeder moves the engine's dispatch queue into
//!   the backlog, cut into segments by the protocol's rules. The backlog has one lane per
//!   category (`lanes.rs`): verification codes overtake notices, which overtake marketing.
//! - `link.rs`: one connection's life, protocol-agnostic: connect, log in, fill the window from
//!   the backlog at the channel's rate, write what the session wants sent, act on its events,
//!   keep alive, reconnect with jittered back-off (`backoff.rs`), drain on shutdown. Throttling
//!   answers pause the link and put the segment back; time-outs and broken links put
//!   unanswered segments back; nothing is dropped.
//! - `adapter.rs`: the [`adapter::Adapter`] trait a protocol implements over its sans-I/O
//!   session, and the protocol-neutral events it reports.
//! - `cmpp/`, `smgp/`, `sgip/`, `smpp/`: one adapter per protocol (`adapter.rs`) and its PDU ↔ domain mapping
//!   (`map.rs`, the only place where the two meet).
//!
//! What it does not do: decide anything about a message (engine), parse bytes (the proto
//! crates), or know whether the peer is a real gateway or a simulator (it only says so in logs).
#![warn(missing_docs)]

pub mod adapter;
mod backoff;
mod channel;
pub mod cmpp;
mod error;
mod gates;
mod lanes;
mod link;
mod rate;
mod raw;
pub mod sgip;
pub mod smgp;
pub mod smpp;

pub use channel::{run_channel, run_channel_gated, ChannelConfig, ProtocolConfig};
pub use error::{Cause, LinkError};
pub use gates::LinkGates;
