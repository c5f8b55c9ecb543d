//! What a protocol adapter gives the shared link engine.

use std::time::Instant;

use hongyan_types::ReportIn;
use hongyan_types::{MessageId, Timestamp};
use hongyan_wire::field_text;

use crate::LinkError;

/// One segment waiting for (or in) a submit, already encoded for its protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Work {
    /// The message it belongs to.
    pub message_id: MessageId,
    /// 11-digit recipient.
    pub to: String,
    /// 1-based segment number.
    pub number: u8,
    /// Segments in the message.
    pub total: u8,
    /// True when `payload` starts with a concatenation UDH.
    pub udh: bool,
    /// Encoded content (UDH included when `udh`).
    pub payload: Vec<u8>,
    /// Priority lane: 0 (verification) is served first.
    pub lane: u8,
    /// Transient refusals so far.
    pub attempts: u8,
    /// Extension code appended to the channel's source number (from the signature).
    pub source_ext: String,
}

/// A reply (MO) in protocol-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mo {
    /// The handset, as the carrier wrote it.
    pub from: String,
    /// The number it was sent to: the channel's source number and the extension.
    pub to: String,
    /// Digits dialled after the channel's source number; `None` when the reply was sent to a
    /// number outside it.
    pub extension: Option<String>,
    /// Decoded text.
    pub text: String,
}

impl Mo {
    /// Builds a reply from PDU fields. The coding values are the same in CMPP, SGIP, SMGP and
    /// SMPP (0 ASCII or the SMSC default, 3 Latin-1, 8 UCS-2, 15 GBK); a UDH is skipped.
    pub(crate) fn from_pdu(from: &[u8], dest: &[u8], source: &str, coding: u8, udhi: bool, body: &[u8]) -> Self {
        let body = match (udhi, body.first()) {
            (true, Some(&len)) => body.get(1 + usize::from(len)..).unwrap_or_default(),
            _ => body,
        };
        let encoding = match coding {
            8 => hongyan_text::Encoding::Ucs2,
            15 => hongyan_text::Encoding::Gbk,
            3 | 4 => hongyan_text::Encoding::Latin1,
            _ => hongyan_text::Encoding::Ascii,
        };
        let dest = field_text(dest);
        let extension = dest.strip_prefix(source).map(str::to_owned);
        Self { from: field_text(from), to: dest, extension, text: encoding.decode(body) }
    }
}

impl Mo {
    /// The engine's view of it.
    pub(crate) fn arrived_on(self, channel: &str) -> hongyan_engine::MoIn {
        hongyan_engine::MoIn {
            channel: channel.to_owned(),
            from: self.from,
            to: self.to,
            extension: self.extension,
            text: self.text,
        }
    }
}

/// The carrier's answer to one submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitAnswer {
    /// Accepted; reports will refer to this id.
    Accepted {
        /// Carrier message id as text.
        carrier_msg_id: String,
    },
    /// The gateway asks us to slow down; the segment is fine and goes back to the queue.
    Throttled,
    /// Refused for good: bad number, bad content, no such service.
    Refused {
        /// Protocol result code.
        code: u32,
        /// What it means.
        text: String,
    },
    /// Refused for a reason that may pass (a system error at the gateway): retried with
    /// back-off, then moved to a backup channel, then failed with this error.
    Transient {
        /// Protocol result code.
        code: u32,
        /// What it means.
        text: String,
    },
}

/// Token for acknowledging an inbound request once it is stored.
pub type AckToken = u64;

/// What happened on a link, in protocol-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEvent {
    /// Logged in.
    Up {
        /// Protocol and version, for the log.
        detail: String,
    },
    /// The gateway refused the login; the link is closed.
    LoginRefused {
        /// Why, for the log.
        detail: String,
    },
    /// A submit was answered.
    Answered {
        /// Key returned by [`Adapter::submit`].
        key: u64,
        /// The answer.
        answer: SubmitAnswer,
    },
    /// A submit got no answer after every retry (or the link closed first).
    TimedOut {
        /// Key returned by [`Adapter::submit`].
        key: u64,
    },
    /// A status report; acknowledge it with `ack` once stored.
    Report {
        /// Token for [`Adapter::ack`].
        ack: AckToken,
        /// The report, keyed by channel and carrier message id.
        report: ReportIn,
    },
    /// A reply from a handset; acknowledge it with `ack` once acted on.
    Mo {
        /// Token for [`Adapter::ack`].
        ack: AckToken,
        /// The reply.
        mo: Mo,
    },
    /// An inbound request that needs only an acknowledgement.
    Ignored {
        /// Token for [`Adapter::ack`].
        ack: AckToken,
        /// What it was, for the log.
        what: String,
    },
    /// The link cannot be used any more (keep-alive failed, protocol error).
    Dead {
        /// Why.
        reason: String,
    },
    /// Orderly end (TERMINATE/UNBIND/Exit from either side).
    Ended,
    /// Something malformed arrived; answered where the protocol allows; the link lives on.
    Malformed {
        /// What, for the log.
        error: String,
    },
}

/// A protocol's sans-I/O client session as the link engine drives it.
pub trait Adapter: Send {
    /// Starts the login on a fresh connection. `wall` is the wall-clock time for timestamps
    /// in login digests; `now` drives the session's timers.
    /// An error means the login cannot even be encoded (a configuration problem).
    fn start(&mut self, now: Instant, wall: Timestamp) -> Result<(), LinkError>;
    /// Bytes from the socket. An error means the stream cannot be trusted any more.
    fn handle_input(&mut self, data: &[u8], now: Instant) -> Result<(), LinkError>;
    /// Timers.
    fn handle_timeout(&mut self, now: Instant);
    /// Next frame to write.
    fn poll_transmit(&mut self) -> Option<Vec<u8>>;
    /// When `handle_timeout` is due.
    fn poll_timeout(&self) -> Option<Instant>;
    /// Next event; `wall` stamps reports with their receipt time.
    fn poll_event(&mut self, wall: Timestamp) -> Option<LinkEvent>;
    /// Logged in with room in the window.
    fn can_submit(&self) -> bool;
    /// Sends one segment; returns a key that identifies it in later events.
    fn submit(&mut self, now: Instant, wall: Timestamp, work: &Work) -> Result<u64, LinkError>;
    /// Acknowledges an inbound request once it is stored. `ok = false` forgets the token
    /// without answering, so the gateway sends the request again.
    fn ack(&mut self, token: AckToken, ok: bool);
    /// Starts the orderly end (TERMINATE/UNBIND/Exit).
    fn shutdown(&mut self, now: Instant);
    /// No more input will be taken.
    fn is_closed(&self) -> bool;
    /// What the session counted for the link-quality figures since the last call.
    fn take_tally(&mut self) -> hongyan_wire::LinkTally;
}

/// Cuts a message into the segments still to send. The UDH reference comes from the message
/// id, so segments re-sent after a restart carry the same reference as their siblings.
pub(crate) fn ucs2_segments(out: &hongyan_engine::Outbound) -> Vec<Work> {
    let m = &out.message;
    hongyan_text::split_ucs2(&m.content, (m.id.0 & 0xff) as u8)
        .into_iter()
        .filter(|s| !out.skip_segments.contains(&s.number))
        .map(|s| Work {
            message_id: m.id,
            to: m.to.clone(),
            number: s.number,
            total: s.total,
            udh: s.udh,
            payload: s.payload,
            lane: crate::lanes::lane(m.category),
            attempts: 0,
            source_ext: m.source_ext.clone(),
        })
        .collect()
}

/// The channel's source number with the message's extension code, cut to the field's size.
pub(crate) fn source_with_ext(source: &str, ext: &str, max: usize) -> Vec<u8> {
    let mut out = format!("{source}{ext}").into_bytes();
    out.truncate(max);
    out
}
