//! CMPP 2.0 / 3.0, China Mobile's SP ⇄ ISMG protocol: PDUs and sans-I/O sessions.
//!
//! What it owns:
//! - The wire vocabulary as open newtypes, so values we do not know survive a round trip:
//!   [`Version`], [`CommandId`], [`MsgFmt`], [`SubmitResult`].
//! - The login digests [`authenticator_source`] and [`authenticator_ismg`], and the 64-bit
//!   [`msg_id`] layout.
//! - [`pdu`]: one module per command (CONNECT, SUBMIT, DELIVER with its status-report body,
//!   ACTIVE_TEST, TERMINATE, QUERY, CANCEL and their responses). Each body has a 2.0 and a 3.0
//!   layout; the negotiated [`Version`] picks one on every encode and decode.
//! - [`Frame`] and [`Pdu`]: one whole frame (12-byte header + body), decoded exactly. Commands
//!   an SP never handles (FWD, the GNS route commands, vendor ids) stay [`Pdu::Unknown`] and
//!   re-encode byte for byte.
//! - [`session`]: the SP side ([`ClientSession`]) and the ISMG side ([`ServerSession`]) as
//!   plain values: bytes in through `handle_input`, time in through `handle_timeout`, output out
//!   through `poll_transmit`, `poll_event` and `poll_timeout`. They do login, the sliding window,
//!   retransmission, keep-alive and TERMINATE.
//!
//! What it does not do:
//! - No sockets, no tokio, no clock reads: every `now` is an argument, and the CONNECT timestamp
//!   (MMDDHHMMSS, Beijing time) is an integer the caller computes.
//! - No text: message content is bytes. UCS-2/GBK and long-message segmentation live in the
//!   `text` crate.
//! - No business decisions: which SP accounts exist, which Msg_Id to assign, whether to throttle
//!   and what to do with a report belong to the caller. The session never acknowledges a DELIVER
//!   by itself, because only the caller knows when the report is safely stored.
#![warn(missing_docs)]

mod auth;
mod codes;
mod frame;
pub mod msg_id;
pub mod pdu;
pub mod session;
#[cfg(test)]
mod testutil;

pub use auth::{authenticator_ismg, authenticator_source};
pub use codes::{CommandId, MsgFmt, SubmitResult, Version};
pub use frame::{Frame, FrameDecodeError, Pdu};
pub use hongyan_wire::{DecodeError, FrameError};
pub use session::{ClientEvent, ClientSession, ServerEvent, ServerSession, SessionConfig, SessionError, SubmitError};

/// Size of the header every CMPP frame starts with: Total_Length, Command_Id, Sequence_Id.
pub const HEADER_LEN: usize = 12;
