//! Accounts, messages and the other plain records the store keeps and every layer reads.

use crate::{Carrier, Category, Cidr, MessageId, MessageStatus, Money, PriceTable, Timestamp};

/// An interface account (tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Store-assigned id.
    pub id: i64,
    /// Unique name, e.g. `etax`.
    pub name: String,
    /// `false` once disabled; its keys stop working.
    pub enabled: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// After this its keys and logins stop working.
    pub expires_at: Option<Timestamp>,
    /// Soft deletion: the records stay, nothing works.
    pub deleted_at: Option<Timestamp>,
}

impl Account {
    /// Whether its credentials work at `now`: enabled, not expired, not deleted.
    pub fn usable(&self, now: Timestamp) -> bool {
        self.enabled && self.deleted_at.is_none() && self.expires_at.is_none_or(|t| now < t)
    }
}

/// What an administrator changes about an account; `None` leaves it as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountPatch {
    /// Enable or disable.
    pub enabled: Option<bool>,
    /// Set (`Some(Some(t))`) or clear (`Some(None)`) the expiry.
    pub expires_at: Option<Option<Timestamp>>,
}

/// An API credential. The secret itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Public identifier sent by clients.
    pub key_id: String,
    /// Owner.
    pub account_id: i64,
    /// SHA-256 of the secret.
    pub secret_hash: Vec<u8>,
    /// When it was created.
    pub created_at: Timestamp,
    /// Revoked keys stop working at once.
    pub revoked_at: Option<Timestamp>,
    /// When it last authenticated a request (kept to the minute).
    pub last_used_at: Option<Timestamp>,
}

/// A key together with its account, as authentication needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyWithAccount {
    /// The key.
    pub key: ApiKey,
    /// Its account.
    pub account: Account,
}

/// A message to store at accept time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Engine-assigned id.
    pub id: MessageId,
    /// Sender account.
    pub account_id: i64,
    /// 11-digit national number.
    pub to: String,
    /// Carrier it was routed to.
    pub carrier: Carrier,
    /// Category.
    pub category: Category,
    /// Full text as it will be sent; shared by the messages of a request that all carry the
    /// same text (one copy for 100,000).
    pub content: std::sync::Arc<str>,
    /// Number of segments the text takes.
    pub segments: u8,
    /// Channel chosen by routing.
    pub channel: String,
    /// Extension code appended to the channel's source number (from the signature).
    pub source_ext: String,
    /// Acceptance time.
    pub accepted_at: Timestamp,
    /// Not to be submitted before this time (scheduled sending, marketing quiet hours).
    pub send_at: Option<Timestamp>,
    /// The request's own callback URL (an account right); its reports go there.
    pub callback_url: Option<String>,
    /// Who sent it and how; shared by every message of a request (one copy for 100,000).
    pub provenance: std::sync::Arc<Provenance>,
    /// Its price per billed segment, fixed when it was accepted (`None`: no price applied).
    pub unit_price: Option<Money>,
}

/// Who sent a message and how: recorded at accept, shown in its detail, searched by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The principal: `key:<key id>`, `user:<console user>`, `smpp:<system_id>`,
    /// `cmpp:<SP id>`; empty for messages stored before it was recorded.
    pub sender: String,
    /// The interface it came through: `http`, `bulk`, `smpp`, `cmpp`, `console`.
    pub interface: String,
    /// The client's address.
    pub client_addr: String,
    /// The request's client reference.
    pub client_ref: Option<String>,
    /// The template it was rendered from.
    pub template_id: Option<i64>,
}

/// The carrier's answer to one segment's submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitOutcome {
    /// Message.
    pub message_id: MessageId,
    /// 1-based segment number.
    pub segment: u8,
    /// Carrier message id (CMPP Msg_Id as decimal), present when accepted.
    pub carrier_msg_id: Option<String>,
    /// Protocol result code (0 = accepted).
    pub result: u32,
    /// Human-readable error when refused.
    pub error: Option<String>,
    /// When the answer arrived.
    pub at: Timestamp,
}

/// A status report as received from a carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportIn {
    /// Channel it came in on.
    pub channel: String,
    /// The carrier message id it refers to.
    pub carrier_msg_id: String,
    /// Status text, e.g. `DELIVRD`.
    pub stat: String,
    /// The carrier's done time, when it sent a parsable one.
    pub done_at: Option<Timestamp>,
    /// When we received it.
    pub received_at: Timestamp,
    /// Every field of the report as received, for the message detail.
    pub raw: String,
}

/// What a report matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportMatch {
    /// It belongs to this message; its status is now `status`.
    Matched {
        /// The message.
        message_id: MessageId,
        /// Aggregate status after the report.
        status: MessageStatus,
    },
    /// Already applied before; nothing changed.
    Duplicate,
    /// No segment has this carrier message id yet: the report is kept and applied when the
    /// submit response with that id is recorded.
    Unmatched,
}

/// A message that still needs (some of its) segments submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMessage {
    /// The message as accepted.
    pub message: NewMessage,
    /// Segments the carrier already accepted; they must not be sent again.
    pub done_segments: Vec<u8>,
}

/// One segment's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentDetail {
    /// 1-based number.
    pub number: u8,
    /// Carrier message id.
    pub carrier_msg_id: Option<String>,
    /// Submit result code.
    pub submit_result: u32,
    /// When the carrier answered the submit.
    pub submitted_at: Timestamp,
    /// Report status text.
    pub report_stat: Option<String>,
    /// Carrier's done time.
    pub done_at: Option<Timestamp>,
    /// When the report reached us.
    pub reported_at: Option<Timestamp>,
    /// Raw report fields.
    pub report_raw: Option<String>,
}

/// Everything known about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageDetail {
    /// The message as accepted.
    pub message: NewMessage,
    /// Aggregate status.
    pub status: MessageStatus,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// When the last segment was accepted by the carrier.
    pub submitted_at: Option<Timestamp>,
    /// When it reached a final state.
    pub completed_at: Option<Timestamp>,
    /// Per-segment details (only segments already submitted).
    pub segments: Vec<SegmentDetail>,
}

/// Which messages to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// Only this account's messages (`None`: every account's, for administrators, operators
    /// and auditors only; tenant isolation is part of the query, not the caller).
    pub account_id: Option<i64>,
    /// Only to this 11-digit number.
    pub to: Option<String>,
    /// Only sent by this principal (`key:…`, `user:…`, `smpp:…`, `cmpp:…`).
    pub sender: Option<String>,
    /// Only with this client reference.
    pub client_ref: Option<String>,
    /// Only in this state.
    pub status: Option<MessageStatus>,
    /// Only to this network.
    pub carrier: Option<Carrier>,
    /// Only of this category.
    pub category: Option<Category>,
    /// Only through this channel.
    pub channel: Option<String>,
    /// Only rendered from this template.
    pub template_id: Option<i64>,
    /// Only accepted at or after.
    pub since: Option<Timestamp>,
    /// Only accepted before.
    pub until: Option<Timestamp>,
    /// Only ids below this one (cursor for the next page).
    pub before: Option<MessageId>,
    /// At most this many.
    pub limit: usize,
}

/// A request's client reference and the answer it got, kept for idempotency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The account.
    pub account_id: i64,
    /// The client's reference, unique per account.
    pub client_ref: String,
    /// The answer, encoded by the engine, kept for replays under the reference; `None` when
    /// the reference cannot come again (a client link's one-part submit, referenced by the id
    /// the platform has just given it): nothing is kept then but the origin.
    pub answer: Option<String>,
    /// A hash of the normalised request (computed by the engine), so a different request
    /// under the same reference is told apart.
    pub request_hash: Option<Vec<u8>>,
    /// When it was accepted.
    pub created_at: Timestamp,
    /// The client system's part ids, when it came over SMPP or CMPP; written with the
    /// (single) message of the batch, whose provenance must carry this request's reference
    /// (a store looks for owed receipts only on messages with a reference).
    pub origin: Option<super::ClientOrigin>,
}

/// What is kept with a used client reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRequest {
    /// The first answer, encoded by the engine.
    pub answer: String,
    /// The request's hash; `None` when it was recorded before hashes were kept.
    pub request_hash: Option<Vec<u8>>,
}

/// Where a signature goes approval-wise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureStatus {
    /// Waiting for an administrator.
    Pending,
    /// May be used.
    Approved,
    /// Refused.
    Rejected,
}

impl SignatureStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected].into_iter().find(|v| v.as_str() == s)
    }
}

/// A signature (签名), the text between 【 and 】.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Store-assigned id.
    pub id: i64,
    /// Owner.
    pub account_id: i64,
    /// The text without brackets, e.g. `国家税务总局某省税务局`.
    pub text: String,
    /// Digits appended to the channel's source number; may be empty.
    pub extension: String,
    /// Approval state.
    pub status: SignatureStatus,
    /// When it was asked for.
    pub created_at: Timestamp,
}

/// An account's signing rules, as accept needs them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SigningRules {
    /// Approved default signature per category.
    pub defaults: Vec<(Category, Signature)>,
    /// Put the signature after the content instead of before it.
    pub suffix: bool,
    /// The account may send free text, not only templates.
    pub free_text: bool,
}

/// An account's sending limits. `None` rate or quota: no limit. `None` verification limit:
/// the platform default; `Some(0)`: no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountLimits {
    /// Messages a second.
    pub rate: Option<u32>,
    /// Billing segments a Beijing calendar day.
    pub daily_quota: Option<u64>,
    /// Billing segments a Beijing calendar month.
    pub monthly_quota: Option<u64>,
    /// Verification messages to one number per minute.
    pub verification_per_minute: Option<u32>,
    /// … per hour.
    pub verification_per_hour: Option<u32>,
    /// … per day.
    pub verification_per_day: Option<u32>,
}

/// A number that must not receive messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlacklistEntry {
    /// The account it applies to; `None` = every account.
    pub account_id: Option<i64>,
    /// 11-digit number.
    pub number: String,
    /// Why, e.g. `unsubscribed (TD)` or `complaint`.
    pub reason: String,
    /// When it was added.
    pub created_at: Timestamp,
}

/// A message template with `${name}` variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Store-assigned id.
    pub id: i64,
    /// Owner.
    pub account_id: i64,
    /// Unique per account.
    pub name: String,
    /// Text with `${variable}` placeholders.
    pub body: String,
    /// The category it is for.
    pub category: Category,
    /// Approval state (shared with signatures).
    pub status: SignatureStatus,
    /// When it was asked for.
    pub created_at: Timestamp,
}

/// What an interface account may do beyond its limits. `None` in a field means no
/// restriction of that kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rights {
    /// Interfaces it may use: `http`, `smpp`, `cmpp`.
    pub interfaces: Option<Vec<String>>,
    /// Operations: `send`, `query`, `reports`, `templates`.
    pub operations: Option<Vec<String>>,
    /// Category names it may send under.
    pub categories: Option<Vec<String>>,
    /// Source address ranges it may call from.
    pub ip_allow: Option<Vec<Cidr>>,
    /// What its segments cost, for statements; `None`: no prices set (volumes only).
    pub prices: Option<PriceTable>,
}

/// Sending volume of one carrier and category over a period: what a statement line counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage {
    /// The recipients' network.
    pub carrier: Carrier,
    /// The category, as requests name it.
    pub category: Category,
    /// Messages accepted in the period.
    pub messages: u64,
    /// Segments the carrier accepted: what is billed.
    pub billed_segments: u64,
    /// Messages delivered.
    pub delivered: u64,
    /// Billed segments that had a price when their message was accepted.
    pub priced_segments: u64,
    /// What the priced segments cost, each at its message's own price.
    pub amount: Money,
}

/// How many messages of one carrier and category are in one state (the console's overview).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusCount {
    /// The recipients' network.
    pub carrier: Carrier,
    /// The category.
    pub category: Category,
    /// The message state.
    pub status: MessageStatus,
    /// How many.
    pub messages: u64,
}

/// What accepting a request needs to know of its numbers (see `Store::number_facts`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberFacts {
    /// Numbers ported to another carrier, with that carrier.
    pub ported: Vec<(String, Carrier)>,
    /// Blacklist entries (the account's or the global list) that stop some of the numbers.
    pub blacklisted: Vec<BlacklistEntry>,
    /// Numbers that unsubscribed from the account's marketing (asked for marketing only).
    pub unsubscribed: Vec<String>,
}
