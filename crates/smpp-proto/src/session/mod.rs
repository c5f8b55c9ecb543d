//! Sans-I/O SMPP sessions: [`EsmeSession`] (we are the client of an SMSC, or a client
//! system's simulator) and [`SmscSession`] (we are the SMSC: the carrier simulator, and our
//! own SMPP server for client systems).
//!
//! Both are plain values driven the same way:
//! - bytes from the socket go into `handle_input(data, now)`; partial frames are buffered;
//! - `poll_transmit()` yields one encoded frame at a time to write;
//! - `poll_event()` yields what the application must act on;
//! - `poll_timeout()` says when to call `handle_timeout(now)` next.
//!
//! Once `is_closed()` is true no more input is taken; drain `poll_transmit()` (it may still
//! hold a final answer such as unbind_resp or a refused bind_resp) and `poll_event()`, then
//! drop the connection. Requests still unanswered when the session closes are handed back as
//! `SubmitTimedOut` / `DeliverTimedOut` events, so nothing in the window is lost.
//!
//! Error answers follow the spec: a PDU whose body does not fit its command_length gets
//! generic_nack (ESME_RINVCMDLEN); a bad field gets the PDU's own response with the field's
//! status; an unknown command_id gets generic_nack (ESME_RINVCMDID); a PDU the bind state
//! does not allow gets its response with ESME_RINVBNDSTS. Each is also reported as a
//! `Malformed` event, and the link lives on. Only a command_length under 16 or over
//! `max_frame_len` closes the session, before anything is buffered for it.

mod esme;
mod events;
mod link;
mod smsc;
#[cfg(test)]
mod tests;
mod window;

pub use esme::EsmeSession;
pub use events::{EsmeEvent, SmscEvent};
pub use smsc::SmscSession;

use crate::pdu::{BindMode, EncodeError};
use hongyan_wire::FrameError;
use std::time::Duration;

/// Settings shared by both session kinds. The spec names the timers but leaves their
/// values to implementations; these defaults are common practice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Most requests (submit_sm, data_sm, … or deliver_sm) we keep outstanding.
    pub window: usize,
    /// enquire_link_timer: send enquire_link after this long with nothing received (30 s).
    pub enquire_link_interval: Duration,
    /// response_timer: a request unanswered this long is re-sent or given up on (30 s).
    /// It also bounds the wait for bind_resp and unbind_resp.
    pub response_timeout: Duration,
    /// Sends of one request (submit_sm, deliver_sm, enquire_link) before giving up (3).
    /// SMSCs do not deduplicate by sequence_number, so a re-send whose first copy did
    /// arrive (only its response was late) can duplicate the message; 1 turns re-sending off.
    pub max_attempts: u32,
    /// session_init_timer (SMSC side): a connection that has not bound this long after it
    /// was opened is closed (30 s).
    pub session_init_timeout: Duration,
    /// Largest command_length accepted; a bigger one closes the link before anything is
    /// buffered for it. 64 KiB fits a message_payload of any practical size.
    pub max_frame_len: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            window: 16,
            enquire_link_interval: Duration::from_secs(30),
            response_timeout: Duration::from_secs(30),
            max_attempts: 3,
            session_init_timeout: Duration::from_secs(30),
            max_frame_len: 64 * 1024,
        }
    }
}

/// Why `handle_input` gave up on the link. The session is closed when this is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The peer's command_length cannot be trusted (under 16 or over `max_frame_len`).
    #[error("untrusted frame length: {0}")]
    Frame(#[from] FrameError),
}

/// Why a request was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The session is not bound (not yet, or no longer, or unbinding).
    #[error("the session is not bound")]
    NotBound,
    /// The bind mode does not allow this PDU in this direction (e.g. submit_sm on a receiver).
    #[error("a {mode} bind does not allow this PDU")]
    WrongBindState {
        /// The mode the session is bound in.
        mode: BindMode,
    },
    /// A bind was already sent on this session.
    #[error("the session is already bound or binding")]
    AlreadyBound,
    /// `window` requests are already outstanding; wait for a response.
    #[error("the window of outstanding requests is full")]
    WindowFull,
    /// A field does not fit its wire size.
    #[error(transparent)]
    Invalid(#[from] EncodeError),
}
