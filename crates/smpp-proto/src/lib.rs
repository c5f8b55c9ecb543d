//! SMPP 3.4, the international ESME ⇄ SMSC protocol: PDUs, TLVs, receipt text and sans-I/O
//! sessions.
//!
//! What it owns:
//! - The wire vocabulary as open newtypes, so values we do not know survive a round trip:
//!   [`CommandId`], [`CommandStatus`] (`CommandStatus::ESME_RTHROTTLED`, …), [`DataCoding`],
//!   [`Ton`], [`Npi`], [`MessageState`], [`TlvTag`], and the bit-field bytes [`EsmClass`] and
//!   [`RegisteredDelivery`].
//! - [`pdu`]: one module per command (the three binds and outbind, submit_sm, submit_multi,
//!   deliver_sm, data_sm, query_sm, cancel_sm, replace_sm, alert_notification and the
//!   responses; enquire_link, unbind and generic_nack are header only).
//! - [`Tlvs`]: the optional parameters of a PDU, every one kept in order, known or not, so a
//!   vendor TLV re-encodes byte for byte.
//! - [`Frame`] and [`Pdu`]: one whole frame (16-byte header + body), decoded exactly. Command
//!   ids we do not know stay [`Pdu::Unknown`] and re-encode byte for byte.
//! - [`DeliveryReceipt`]: the `id:… sub:… dlvrd:… … stat:… err:… text:…` receipt text.
//! - [`session`]: the client side ([`EsmeSession`]) and the SMSC side ([`SmscSession`]) as
//!   plain values: bytes in through `handle_input`, time in through `handle_timeout`, output
//!   out through `poll_transmit`, `poll_event` and `poll_timeout`. They do bind, the window,
//!   response time-outs and retransmission, enquire_link, unbind, generic_nack and the bind
//!   state rules.
//!
//! What it does not do:
//! - No sockets, no tokio, no clock reads: every `now` is an argument.
//! - No text: short_message is bytes. GSM 7-bit, UCS2 and segmentation live in the `text`
//!   crate; this crate only carries the UDHI bit and the sar_* TLVs.
//! - No business decisions: which accounts may bind, which message_id to assign, whether to
//!   throttle, and what to do with a deliver_sm belong to the caller. The sessions never
//!   acknowledge a deliver_sm or data_sm by themselves, because only the caller knows when it
//!   is safely stored.
#![warn(missing_docs)]

mod codes;
mod frame;
pub mod pdu;
mod receipt;
pub mod session;
mod status;
#[cfg(test)]
mod testutil;
mod tlv;

pub use codes::{CommandId, DataCoding, EsmClass, MessageState, Npi, RegisteredDelivery, Ton};
pub use frame::{Frame, FrameDecodeError, Pdu};
pub use hongyan_wire::{DecodeError, FrameError};
pub use pdu::{Address, EncodeError};
pub use receipt::{DeliveryReceipt, ReceiptError};
pub use session::{EsmeEvent, EsmeSession, SendError, SessionConfig, SessionError, SmscEvent, SmscSession};
pub use status::CommandStatus;
pub use tlv::{Sar, Tlv, TlvTag, Tlvs};

/// Size of the header every SMPP frame starts with: command_length, command_id,
/// command_status, sequence_number.
pub const HEADER_LEN: usize = 16;
