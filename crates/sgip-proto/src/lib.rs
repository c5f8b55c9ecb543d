//! SGIP 1.2, China Unicom's SP ⇄ SMG protocol: PDUs and sans-I/O sessions.
//!
//! What it owns:
//! - The wire vocabulary as open newtypes, so values we do not know survive a round trip:
//!   [`CommandId`], [`ResultCode`] (every *_Resp), [`ErrorCode`] (Report), [`LoginType`],
//!   [`MessageCoding`], [`FeeType`], [`ReportFlag`], [`ReportType`], [`ReportState`],
//!   [`UserCondition`].
//! - [`Sequence`], the 12-byte node id / `mmddhhmmss` time / counter triple that is SGIP's only
//!   message key, and [`mmddhhmmss`].
//! - [`pdu`]: one module per command (Bind, Unbind, Submit, Deliver, Report, UserRpt, Trace)
//!   and the Result + Reserve body all their responses share ([`pdu::Resp`]).
//! - [`Frame`] and [`Pdu`]: one whole frame (20-byte header + body), decoded exactly. Commands
//!   an SP never handles (the GNS and SMG-management commands, CHECKUSER, vendor ids) stay
//!   [`Pdu::Unknown`] and re-encode byte for byte.
//! - [`session`]: [`ClientSession`] (the side that sends Bind) and [`ServerSession`] (the side
//!   that accepts it) as plain values: bytes in through `handle_input`, time in through
//!   `handle_timeout`, output out through `poll_transmit`, `poll_event` and `poll_timeout`.
//!   They do Bind, the window, retransmission, the server's idle rule and Unbind. In SGIP
//!   both run on an SP: it binds to the SMG to submit (Login Type 1) and runs a listener the
//!   SMG binds to for MO and reports (Login Type 2), so either session can send and receive
//!   every request once bound.
//!
//! What it does not do:
//! - No sockets, no tokio, no clock reads: every `now` is an argument, and so is the
//!   `mmddhhmmss` time that goes into each new sequence number.
//! - No text: message content is bytes. UCS-2/GBK and long-message segmentation (TP_udhi +
//!   UDH) live in the `text` crate.
//! - No business decisions: which accounts exist, what to answer a Submit, whether to
//!   throttle, and what to do with a Report belong to the caller. A session never answers an
//!   inbound Deliver, Report or Submit by itself, because only the caller knows when it is
//!   safely stored.
#![warn(missing_docs)]

mod codes;
mod frame;
pub mod pdu;
mod sequence;
pub mod session;
#[cfg(test)]
mod testutil;

pub use codes::{
    CommandId, ErrorCode, FeeType, LoginType, MessageCoding, ReportFlag, ReportState, ReportType, ResultCode,
    UserCondition,
};
pub use frame::{Frame, FrameDecodeError, Pdu};
pub use hongyan_wire::{DecodeError, FrameError};
pub use sequence::{mmddhhmmss, Sequence};
pub use session::{
    ClientEvent, ClientSession, Request, SendError, ServerEvent, ServerSession, SessionConfig, SessionError,
};

/// Size of the header every SGIP frame starts with: Message Length, Command ID, Sequence
/// Number (12).
pub const HEADER_LEN: usize = 20;
