//! SMGP 3.0, China Telecom's SP ⇄ SMGW protocol: PDUs and sans-I/O sessions.
//!
//! What it owns:
//! - The wire vocabulary as open newtypes, so values we do not know survive a round trip:
//!   [`RequestId`], [`Status`], [`MsgFormat`], [`MsgType`], [`LoginMode`], [`Version`],
//!   [`TlvTag`].
//! - The login digests [`authenticator_client`] and [`authenticator_server`], and the 10-byte
//!   BCD [`MsgId`] with its text form.
//! - [`pdu`]: one module per command (Login, Submit, Deliver with its 122-byte
//!   [`pdu::StatusReport`], Active_Test, Exit, Query and their responses), and [`Tlvs`], the
//!   optional parameters of Submit and Deliver kept in wire order, unknown tags included.
//! - [`Frame`] and [`Pdu`]: one whole frame (12-byte header + body), decoded exactly.
//!   Commands an SP never handles (Forward, the GNS route and prepaid commands, vendor ids)
//!   stay [`Pdu::Unknown`] and re-encode byte for byte.
//! - [`session`]: the SP side ([`ClientSession`]) and the SMGW side ([`ServerSession`], used
//!   by the carrier simulator) as plain values: bytes in through `handle_input`, time in
//!   through `handle_timeout`, output out through `poll_transmit`, `poll_event` and
//!   `poll_timeout`. They do login, LoginMode, the sliding window, retransmission,
//!   keep-alive and Exit.
//!
//! What it does not do:
//! - No sockets, no tokio, no clock reads: every `now` is an argument, and the Login
//!   TimeStamp (MMDDHHMMSS, Beijing time) is an integer the caller computes.
//! - No text: message content is bytes. UCS-2/GB18030 and long-message segmentation live in
//!   the `text` crate; this crate only carries the TP_udhi/PkTotal/PkNumber TLVs.
//! - Only the 3.0 layout: the legacy 0x13 Submit without FixedFee is not decoded.
//! - No business decisions: which accounts exist, which MsgID to mint, whether to throttle,
//!   what to do with a report belong to the caller. The session never acknowledges a Deliver
//!   by itself, because only the caller knows when the message is safely stored.
#![warn(missing_docs)]

mod auth;
mod codes;
mod frame;
mod msg_id;
pub mod pdu;
pub mod session;
mod status;
#[cfg(test)]
mod testutil;
mod tlv;

pub use auth::{authenticator_client, authenticator_server};
pub use codes::{LoginMode, MsgFormat, MsgType, RequestId, Version};
pub use frame::{Frame, FrameDecodeError, Pdu};
pub use hongyan_wire::{DecodeError, FrameError};
pub use msg_id::{MsgId, MsgIdParts, ParseMsgIdError};
pub use session::{ClientEvent, ClientSession, ServerEvent, ServerSession, SessionConfig, SessionError, SubmitError};
pub use status::Status;
pub use tlv::{Tlv, TlvTag, Tlvs};

/// Size of the header every SMGP frame starts with: PacketLength, RequestID, SequenceID.
pub const HEADER_LEN: usize = 12;
