//! Sans-I/O SMGP sessions: [`ClientSession`] (we are the SP) and [`ServerSession`] (we are
//! the SMGW: the carrier simulator).
//!
//! Both are plain values driven the same way:
//! - bytes from the socket go into `handle_input(data, now)`, partial frames are buffered;
//! - `poll_transmit()` yields one encoded frame at a time to write;
//! - `poll_event()` yields what the application must act on;
//! - `poll_timeout()` says when to call `handle_timeout(now)` next.
//!
//! Once `is_closed()` is true no more input is taken; drain `poll_transmit()` (it may still
//! hold a final answer such as Exit_Resp or a refused Login_Resp) and `poll_event()`, then
//! drop the connection. Requests still unanswered when the session closes are handed back as
//! `SubmitTimedOut` / `QueryTimedOut` / `DeliverTimedOut` events, so nothing in the window is
//! lost.

mod client;
mod link;
mod server;
#[cfg(test)]
mod tests;
mod window;

pub use client::{ClientEvent, ClientSession};
pub use server::{ServerEvent, ServerSession};

use crate::pdu::EncodeError;
use crate::{LoginMode, Version};
use hongyan_wire::FrameError;
use std::time::Duration;

/// Settings shared by both session kinds. The defaults are the spec's (smgp.md §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// ClientVersion we send (client) or ServerVersion we announce (server): 0x30.
    pub version: Version,
    /// W: most requests (Submit/Query or Deliver) we keep outstanding; the spec recommends 16.
    pub window: usize,
    /// C: send Active_Test after this long with nothing received (3 min).
    pub keepalive_idle: Duration,
    /// T: a request unanswered this long is re-sent (60 s).
    pub response_timeout: Duration,
    /// N: sends of one request (Active_Test, Submit, Deliver, Query) before giving up (3).
    pub max_attempts: u32,
    /// Largest PacketLength accepted; a bigger one closes the link before anything is
    /// buffered for it. 4096 fits a Submit to 100 recipients (126 + 2100 + 255) with room
    /// for TLVs.
    pub max_frame_len: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            version: Version::V30,
            window: 16,
            keepalive_idle: Duration::from_secs(180),
            response_timeout: Duration::from_secs(60),
            max_attempts: 3,
            max_frame_len: 4096,
        }
    }
}

/// Why `handle_input` gave up on the link. The session is closed when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The peer's PacketLength cannot be trusted (under the header or over `max_frame_len`).
    #[error("untrusted frame length: {0}")]
    Frame(#[from] FrameError),
}

/// Why a Submit or Query (client) or a Deliver (server) was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// The session is not (or no longer) logged in.
    #[error("the session is not logged in")]
    NotConnected,
    /// `window` requests are already outstanding; wait for a response.
    #[error("the window of outstanding requests is full")]
    WindowFull,
    /// The link's LoginMode does not carry this direction (a Submit on a receive-only link,
    /// a Deliver on a send-only one).
    #[error("the link's LoginMode ({0}) does not allow this direction")]
    LoginMode(LoginMode),
    /// A field does not fit its wire size.
    #[error(transparent)]
    Invalid(#[from] EncodeError),
}
