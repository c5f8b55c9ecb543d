//! SMS text: how long a message is, how it is cut into segments, how segments look on the wire,
//! and how incoming segments are put back together. Rules and numbers come from
//! `shared/protocols/segmentation.md`; section numbers below refer to it.
//!
//! # What it owns
//!
//! * [`Encoding`]: GSM 7-bit default alphabet with its extension table (§6), ASCII, Latin-1 /
//!   8-bit binary, UCS-2 (UTF-16BE, surrogate pairs allowed, §5) and GBK (CMPP `Msg_Fmt` 15):
//!   encode, decode (lossy, never panics), [`Encoding::can_encode`] and [`Encoding::choose`].
//!   GSM 7-bit is produced unpacked, one septet per byte, as Chinese gateways take it;
//!   [`pack_septets`] / [`unpack_septets`] and [`pack_user_data`] / [`unpack_user_data`] are
//!   for SMPP peers that want packed septets.
//! * [`split`]: cutting a message into [`Segment`]s with the capacities of §1, using an 8-bit
//!   or 16-bit reference UDH, SMPP `sar_*` TLVs or one SMPP `message_payload` ([`Concat`]).
//!   A cut never separates a surrogate pair, a GSM escape pair or a GBK double-byte character.
//! * [`Udh`]: parsing and building user data headers with the TS 23.040 receiver rules (§2).
//! * [`Reassembler`]: putting incoming (MO) long messages back together, with a timeout and a
//!   bound on pending messages; nothing is dropped silently.
//! * What may not be delivered at all ([`check_safe`]): control characters, bidi overrides
//!   and isolates, text with nothing visible.
//! * The Chinese billing count ([`billing_len`], [`count_segments`], §4: 70 / 67 UTF-16 units).
//!
//! # What it does not do
//!
//! * It never decides which encoding a carrier wants, nor maps an [`Encoding`] to a protocol's
//!   `Msg_Fmt` / `data_coding` value: the gateway does. [`Encoding::choose`] only answers
//!   "does GSM 7-bit suffice".
//! * No I/O and no clock reads: the reassembler takes `now: Instant` arguments.
//! * No national language shift tables (IEI 0x24 / 0x25): such headers parse and are kept, but
//!   text is encoded with the default alphabet only.
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, Instant};
//! use hongyan_text::{split, Concat, Encoding, PartKey, Reassembler, Udh};
//!
//! let text = "【鸿雁】您的验证码是123456，5分钟内有效。".repeat(4);
//! let encoding = Encoding::choose(&text); // UCS-2: not all of it is in the GSM alphabet
//! let segments = split(&text, encoding, Concat::Udh8 { reference: 0x2A })?;
//! assert_eq!(segments.len(), 2);
//! assert_eq!(&segments[0].payload[..6], &[0x05, 0x00, 0x03, 0x2A, 0x02, 0x01]);
//!
//! // The receiving side: parse each UDH and feed the reassembler, last part first.
//! let mut reassembler = Reassembler::new(Duration::from_secs(300), 1000);
//! let now = Instant::now();
//! let mut done = None;
//! for segment in segments.iter().rev() {
//!     let (udh, body) = Udh::parse(&segment.payload)?;
//!     let info = udh.concat().expect("a concatenation element");
//!     let key = PartKey { originator: "13800138000".into(), reference: info.reference, total: info.total };
//!     done = reassembler.push(key, info.number, body.to_vec(), now);
//! }
//! assert_eq!(encoding.decode(&done.expect("complete").joined()), text);
//! # Ok::<(), hongyan_text::TextError>(())
//! ```
//!
//! # Layout
//!
//! One concern per file: `encoding` (the enum and dispatch), `gsm7` (tables), `septet`
//! (packing), `ucs2`, `gbk`, `single_byte` (ASCII, Latin-1), `udh`, `split`, `count`
//! (billing rules), `reassembly`, `error`.
//!
//! Errors are a hand-written enum rather than `thiserror`: this crate keeps its dependency
//! tree free of proc-macro crates.
#![warn(missing_docs)]

mod count;
mod encoding;
mod error;
mod gbk;
mod gsm7;
mod reassembly;
mod safe;
mod septet;
mod single_byte;
mod split;
mod ucs2;
mod udh;

pub use count::{billing_len, count_segments, decode_ucs2, split_ucs2, MAX_SEGMENTS, UCS2_PER_SEGMENT, UCS2_SINGLE};
pub use encoding::{Encoding, Limits};
pub use error::TextError;
pub use reassembly::{Complete, GiveUpReason, Incomplete, PartKey, Reassembler};
pub use safe::{check_safe, unsafe_char, UnsafeText};
pub use septet::{pack_septets, pack_user_data, unpack_septets, unpack_user_data, user_data_septets};
pub use split::{count, split, split_bytes, Concat, Segment, MAX_PAYLOAD_OCTETS};
pub use udh::{concat_udh16, concat_udh8, ConcatInfo, Iei, InformationElement, Udh};
