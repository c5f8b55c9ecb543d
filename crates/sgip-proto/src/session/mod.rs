//! Sans-I/O SGIP sessions: [`ClientSession`] (the side that sends Bind) and [`ServerSession`]
//! (the side that accepts it).
//!
//! In SGIP whoever has commands to send connects and binds: an SP binds to the SMG with Login
//! Type 1 to submit, and the SMG binds to the SP's own listener with Login Type 2 to send
//! Deliver, Report and UserRpt. Once bound, either session can therefore send every request
//! ([`Request`]) and receive every request; what a link is used for is the application's
//! choice (it can check [`ServerSession::login_type`]).
//!
//! Both are plain values driven the same way:
//! - bytes from the socket go into `handle_input(data, now)`, partial frames are buffered;
//! - `poll_transmit()` yields one encoded frame at a time to write;
//! - `poll_event()` yields what the application must act on;
//! - `poll_timeout()` says when to call `handle_timeout(now)` next.
//!
//! Once `is_closed()` is true no more input is taken; drain `poll_transmit()` (it may still
//! hold a final answer such as Unbind_Resp or a refused Bind_Resp) and `poll_event()`, then
//! drop the connection. If the connection drops first, call `close()`. Requests still
//! unanswered when the session closes are handed back as `TimedOut` events, so nothing in the
//! window is lost.
//!
//! # Sequence numbers
//!
//! Every request a session originates gets `Sequence { node_id: config.node_id, time,
//! counter }`. `time` is the `mmddhhmmss` value (see [`crate::mmddhhmmss`]) the caller passes
//! to the method that sends (`bind`, `send` and its shorthands, `unbind`): the crate never
//! reads a clock. The counter is the session's: it starts at `config.first_counter`, goes up
//! by one per request and wraps from `u32::MAX` to 0, as the spec says. A reconnect within
//! the same second would repeat a triple if it restarted at the same counter, so start the
//! next session of the same node at the last one's `next_counter()`.
//!
//! A retransmission reuses its request's sequence and bytes: the spec has a receiver discard a
//! same-sequence, same-content duplicate, so the message is not sent twice, and its Report
//! still names the one sequence. Inbound, a session does the same for its peer: a duplicate of
//! a request the application still holds is dropped, a duplicate of one it answered recently
//! gets the same answer again, and a reused sequence with different content is refused with
//! Result 9 (illegal sequence number).
//!
//! # Liveness
//!
//! SGIP has no keep-alive PDU. The server closes a link on which nothing arrived for
//! `idle_timeout` (60 s by default) with [`ServerEvent::IdleClosed`]. A client needs nothing
//! special: it unbinds when it has nothing more to send (or lets the server drop the idle
//! link, then calls [`ClientSession::close`]) and binds a new connection when work arrives.

mod client;
mod inbound;
mod link;
mod request;
mod server;
#[cfg(test)]
mod tests;
mod window;

pub use client::{ClientEvent, ClientSession};
pub use request::Request;
pub use server::{ServerEvent, ServerSession};

use crate::pdu::EncodeError;
use hongyan_wire::FrameError;
use std::time::Duration;

/// Settings shared by both session kinds. The defaults are the spec's (sgip.md §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Our node id, the first part of every sequence number we generate (an SP's is
    /// `3AAAAQQQQQ`, assigned by the operator).
    pub node_id: u32,
    /// Counter of the first request (see the module docs on sequence numbers).
    pub first_counter: u32,
    /// Most requests we keep unanswered. The spec allows 32 by default (configurable by the
    /// operator); 16 leaves the SMG headroom.
    pub window: usize,
    /// A request unanswered this long is re-sent (30 s, the spec's maximum by default).
    pub response_timeout: Duration,
    /// Sends of one request before it is handed back as `TimedOut` (3).
    pub max_attempts: u32,
    /// Server only: close a link on which nothing arrived for this long (60 s).
    pub idle_timeout: Duration,
    /// Largest Message Length accepted and sent; a bigger inbound one closes the link before
    /// anything is buffered for it. 4096 fits a Submit to 100 recipients (143 + 2100 + L),
    /// which the spec's "2 KB per message" would not.
    pub max_frame_len: u32,
    /// Inbound requests handed to the application and not yet answered; past this the peer
    /// gets Result 11 (node busy). 64 is twice the spec's default window.
    pub max_unanswered: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            node_id: 0,
            first_counter: 0,
            window: 16,
            response_timeout: Duration::from_secs(30),
            max_attempts: 3,
            idle_timeout: Duration::from_secs(60),
            max_frame_len: 4096,
            max_unanswered: 64,
        }
    }
}

/// Why `handle_input` gave up on the link. The session is closed when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The peer's Message Length cannot be trusted (under the header or over `max_frame_len`).
    #[error("untrusted frame length: {0}")]
    Frame(#[from] FrameError),
}

/// Why a request was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The session is not (or no longer) bound.
    #[error("the session is not bound")]
    NotBound,
    /// `window` requests are already unanswered; wait for a response.
    #[error("the window of unanswered requests is full")]
    WindowFull,
    /// A field does not fit its wire size, or a count is out of range.
    #[error(transparent)]
    Invalid(#[from] EncodeError),
    /// The encoded frame is over `max_frame_len`; the peer would drop the link.
    #[error("the frame would be {len} bytes, over the maximum of {max}")]
    TooLong {
        /// Encoded length.
        len: usize,
        /// Configured maximum.
        max: u32,
    },
}
