//! Sans-I/O CMPP sessions: [`ClientSession`] (we are the SP) and [`ServerSession`] (we are the
//! ISMG: the carrier simulator, and our own CMPP server for downstream clients).
//!
//! Both are plain values driven the same way:
//! - bytes from the socket go into `handle_input(data, now)`, partial frames are buffered;
//! - `poll_transmit()` yields one encoded frame at a time to write;
//! - `poll_event()` yields what the application must act on;
//! - `poll_timeout()` says when to call `handle_timeout(now)` next.
//!
//! Once `is_closed()` is true no more input is taken; drain `poll_transmit()` (it may still
//! hold a final answer such as TERMINATE_RESP or a refused CONNECT_RESP) and `poll_event()`,
//! then drop the connection. Requests still unanswered when the session closes are handed
//! back as `SubmitTimedOut` / `DeliverTimedOut` events, so nothing in the window is lost.

mod client;
mod link;
mod server;
#[cfg(test)]
mod tests;
mod window;

pub use client::{ClientEvent, ClientSession};
pub use server::{ServerEvent, ServerSession};

use crate::pdu::EncodeError;
use crate::Version;
use hongyan_wire::FrameError;
use std::time::Duration;

/// Settings shared by both session kinds. The defaults are the spec's (cmpp.md §1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Version we ask for (client) or the highest we accept (server).
    pub version: Version,
    /// Most requests (SUBMIT or DELIVER) we keep outstanding; the spec recommends 16.
    pub window: usize,
    /// C: send ACTIVE_TEST after this long with nothing received (3 min).
    pub keepalive_idle: Duration,
    /// T: a request unanswered this long is re-sent (60 s).
    pub response_timeout: Duration,
    /// N: sends of one request (ACTIVE_TEST, SUBMIT, DELIVER) before giving up (3).
    pub max_attempts: u32,
    /// Largest Total_Length accepted; a bigger one closes the link before anything is
    /// buffered for it. 4096 fits a 3.0 SUBMIT to 100 recipients.
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
    /// The peer's Total_Length cannot be trusted (under the header or over `max_frame_len`).
    #[error("untrusted frame length: {0}")]
    Frame(#[from] FrameError),
}

/// Why a SUBMIT (client) or DELIVER (server) was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// The session is not (or no longer) logged in.
    #[error("the session is not connected")]
    NotConnected,
    /// `window` requests are already outstanding; wait for a response.
    #[error("the window of outstanding requests is full")]
    WindowFull,
    /// A field does not fit its wire size in the negotiated version.
    #[error(transparent)]
    Invalid(#[from] EncodeError),
}
