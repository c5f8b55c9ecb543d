//! The feed: what an account's client is owed (segment reports and replies), in order, and how
//! far each way of telling it has got.

use crate::{Carrier, MessageId, MessageStatus, Timestamp};

/// What a feed row tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedKind {
    /// A segment's status report.
    Report,
    /// A reply from a handset.
    Mo,
    /// A client system's message reached its final state (receipts over SMPP or CMPP).
    Final,
}

impl FeedKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Mo => "mo",
            Self::Final => "final",
        }
    }
}

/// A reader of the feed; each keeps its own acknowledged position per account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedConsumer {
    /// `GET /api/v1/reports`: reports only.
    PullReports,
    /// `GET /api/v1/replies`: replies only.
    PullReplies,
    /// The callback pusher: reports and replies, in one order.
    Push,
    /// Receipts to the account's SMPP binds.
    Smpp,
    /// Receipts to the account's CMPP connections.
    Cmpp,
}

impl FeedConsumer {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PullReports => "pull:report",
            Self::PullReplies => "pull:mo",
            Self::Push => "push",
            Self::Smpp => "smpp",
            Self::Cmpp => "cmpp",
        }
    }

    /// The kind it reads; `None` for both.
    pub fn kind(self) -> Option<FeedKind> {
        match self {
            Self::PullReports => Some(FeedKind::Report),
            Self::PullReplies => Some(FeedKind::Mo),
            Self::Push => None,
            Self::Smpp | Self::Cmpp => Some(FeedKind::Final),
        }
    }
}

/// One thing owed to a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Position in the account's feed; acknowledge up to it.
    pub seq: u64,
    /// What it tells.
    pub item: FeedItem,
    /// The callback URL its request named, when it did (else the account's callback).
    pub callback_url: Option<String>,
}

/// The content of a feed event, as it stands when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedItem {
    /// A segment's report.
    Report(SegmentReport),
    /// A reply.
    Mo(MoRecord),
    /// A client system's message in its final state.
    Final(super::FinalReport),
}

/// One segment's report and the message it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentReport {
    /// The message.
    pub message_id: MessageId,
    /// Its recipient.
    pub to: String,
    /// 1-based segment number.
    pub segment: u8,
    /// How many segments the message has.
    pub segments: u8,
    /// Status text, e.g. `DELIVRD`, `UNDELIV`, `UNKNOWN` (no report in time).
    pub stat: String,
    /// The carrier's done time, when it sent one.
    pub done_at: Option<Timestamp>,
    /// When the report arrived (or the platform gave up waiting).
    pub reported_at: Timestamp,
    /// The message's aggregate status now.
    pub status: MessageStatus,
    /// The carrier's report as received (its fields as JSON), when there is one.
    pub raw: Option<String>,
}

/// A reply as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoRecord {
    /// Store-assigned id.
    pub id: i64,
    /// The account its extension code belongs to, when one does.
    pub account_id: Option<i64>,
    /// Channel it arrived on.
    pub channel: String,
    /// The handset.
    pub from: String,
    /// The number it was sent to (source number + extension).
    pub to: String,
    /// The digits after the channel's source number.
    pub extension: Option<String>,
    /// Decoded text.
    pub text: String,
    /// True when it unsubscribed the number from the account's marketing.
    pub unsubscribed: bool,
    /// When it arrived.
    pub received_at: Timestamp,
}

impl NewMo {
    /// Whether recording it unsubscribes its number: an unsubscribe word, and an account.
    pub fn unsubscribes(&self) -> bool {
        self.account_id.is_some() && self.unsubscribe.is_some()
    }

    /// The reply as stored under `id`.
    pub fn recorded(&self, id: i64) -> MoRecord {
        MoRecord {
            id,
            account_id: self.account_id,
            channel: self.channel.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            extension: self.extension.clone(),
            text: self.text.clone(),
            unsubscribed: self.unsubscribes(),
            received_at: self.received_at,
        }
    }
}

/// Where an account's reports are pushed, and the key that signs the requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Callback {
    /// `http://` or `https://` URL.
    pub url: String,
    /// HMAC-SHA256 key.
    pub secret: String,
}

/// An account with events past its push position, due for an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushTarget {
    /// The account.
    pub account_id: i64,
    /// Where to.
    pub callback: Callback,
    /// Failed attempts of the current series (0 when it is not failing).
    pub attempts: u32,
    /// When the current series started failing.
    pub failing_since: Option<Timestamp>,
}

/// A batch the pusher gave up on, after its retry period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushFailure {
    /// Store-assigned id (what a re-send names).
    pub id: i64,
    /// The account.
    pub account_id: i64,
    /// First and last feed position of the batch.
    pub seqs: (u64, u64),
    /// The last error.
    pub error: String,
    /// When it was given up.
    pub failed_at: Timestamp,
    /// When an administrator had it sent again.
    pub resent_at: Option<Timestamp>,
}

/// A reply to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMo {
    /// The account it is attributed to, if any.
    pub account_id: Option<i64>,
    /// Channel it arrived on.
    pub channel: String,
    /// The handset.
    pub from: String,
    /// The number it was sent to.
    pub to: String,
    /// The digits after the channel's source number.
    pub extension: Option<String>,
    /// Decoded text.
    pub text: String,
    /// The unsubscribe word, when it is one and the account is known: recorded together.
    pub unsubscribe: Option<String>,
    /// When it arrived.
    pub received_at: Timestamp,
}

/// Which past events to list (the console's report and reply history), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedFilter {
    /// Reports or replies (`Final` lists nothing).
    pub kind: Option<FeedKind>,
    /// One account, or every account.
    pub account_id: Option<i64>,
    /// Recorded at or after.
    pub from: Option<Timestamp>,
    /// Recorded before.
    pub to: Option<Timestamp>,
    /// Reports with exactly this stat (e.g. `DELIVRD`, `UNDELIV`, a carrier's error code).
    pub stat: Option<String>,
    /// Reports on messages to this network.
    pub carrier: Option<Carrier>,
    /// Reports that came over this channel.
    pub channel: Option<String>,
    /// Replies from this handset (11 digits; found by its keyed hash).
    pub from_number: Option<String>,
    /// Only events with a sequence number below this one (paging).
    pub before_seq: Option<u64>,
    /// At most this many.
    pub limit: usize,
}

/// One callback POST of a batch of an account's events, and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushAttempt {
    /// The account.
    pub account_id: i64,
    /// The batch's first and last event.
    pub seqs: (u64, u64),
    /// Where it was sent.
    pub url: String,
    /// When.
    pub at: Timestamp,
    /// `None`: the receiver took it; else why not.
    pub error: Option<String>,
}
