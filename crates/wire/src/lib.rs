//! Sans-I/O codec toolkit shared by Hongyan's protocol crates.
//!
//! What it owns:
//! - [`Reader`]: a cursor over one frame's bytes that decodes big-endian integers, fixed-size
//!   octet strings and C strings, and insists the frame is consumed to its exact length
//!   ([`Reader::finish`]).
//! - [`Writer`]: the mirror image for encoding.
//! - [`DecodeError`]: the one error type every protocol decoder returns.
//! - [`field_text`]: a fixed-width field as the text it holds.
//! - [`open_enum!`]: wire enumerations as open newtypes, for every protocol crate.
//! - [`length_prefixed`]: the "is a whole frame here yet?" check that all four carrier
//!   protocols share (a 4-byte big-endian total length at offset 0).
//! - [`RxBuffer`]: a connection's received bytes, handed out a whole frame at a time.
//! - [`gather`]: a session's queued frames joined for one write.
//! - [`Window`]: requests sent and not yet answered, with re-send and give-up on time-out.
//! - [`KeepAlive`]: when a logged-in link sends, re-sends or gives up its keep-alive probe.
//! - [`LinkCore`]: what a CMPP, SMGP or SMPP connection keeps whatever the protocol — buffers,
//!   sequence numbers, keep-alive; each session adds only how it encodes.
//! - [`LinkTally`]: what a session counts for the link-quality figures (re-sends, the
//!   keep-alive's round trip), taken by the link engine after each turn.
//!
//! - `testing` (feature `testing`): two sessions wired back to back for session tests.
//!
//! What it does not do: it knows no protocol, owns no buffer between calls, never reads a
//! socket or a clock. "Need more bytes" is `Ok(None)` from [`length_prefixed`], never an error.
#![warn(missing_docs)]

mod frame;
mod keepalive;
mod link;
mod open_enum;
mod reader;
mod rx;
mod tally;
#[cfg(feature = "testing")]
pub mod testing;
mod tx;
mod window;
mod writer;

pub use frame::{length_prefixed, FrameError};
pub use keepalive::{KeepAlive, KeepAliveDue};
pub use link::LinkCore;
pub use reader::{field_text, DecodeError, Reader};
pub use rx::RxBuffer;
pub use tally::LinkTally;
pub use tx::gather;
pub use window::{Expired, Window};
pub use writer::Writer;
