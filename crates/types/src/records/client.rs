//! Client systems connected over SMPP or CMPP: their logins, the parts of long messages they
//! are sending, and what they are owed back (one receipt per part id they were given).

use crate::{MessageId, MessageStatus, Timestamp};

/// A protocol login of an interface account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientLogin {
    /// `smpp` or `cmpp`.
    pub protocol: String,
    /// SMPP system_id, CMPP SP_Id.
    pub login: String,
    /// The account it acts for.
    pub account_id: i64,
    /// SMPP password, CMPP shared secret.
    pub secret: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// The name of the category its submits take when they name none; `None`: notification.
    pub default_category: Option<String>,
}

/// One part of a long message, acknowledged to the client and kept until the message is whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientPart {
    /// The account.
    pub account_id: i64,
    /// `smpp` or `cmpp`.
    pub protocol: String,
    /// What ties the parts together (addresses and the concatenation reference).
    pub group_key: String,
    /// 1-based part number.
    pub part: u8,
    /// How many parts the client announced.
    pub total: u8,
    /// The id the client was given for this part.
    pub client_msg_id: String,
    /// The client's source address.
    pub source: String,
    /// The recipient as the client wrote it.
    pub to: String,
    /// The category name the message goes under.
    pub category: String,
    /// Whether the client asked for a receipt.
    pub receipt: bool,
    /// This part's text.
    pub text: String,
    /// When it arrived.
    pub received_at: Timestamp,
    /// Who sent it (`smpp:<system_id>`, `cmpp:<SP id>`).
    pub sender: String,
    /// From which address.
    pub client_addr: String,
}

/// A long message of a client system refused as a whole after parts of it were acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRefusal {
    /// The account.
    pub account_id: i64,
    /// `smpp` or `cmpp`.
    pub protocol: String,
    /// The group whose kept parts go (already gone when the refusal came with a stored answer).
    pub group_key: String,
    /// The acknowledged part ids that are owed a REJECTD receipt.
    pub part_ids: Vec<String>,
    /// The client's source address, for the receipts.
    pub source: String,
    /// The recipient as the client wrote it.
    pub to: String,
    /// Whether the client asked for receipts; without, only the parts go.
    pub receipt: bool,
    /// Why it was refused (for the log and the console, not the client).
    pub error: String,
    /// When its first part arrived.
    pub accepted_at: Timestamp,
    /// When it was refused.
    pub refused_at: Timestamp,
}

/// Where an accepted message came from, when a client system sent it over SMPP or CMPP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOrigin {
    /// `smpp` or `cmpp`.
    pub protocol: String,
    /// The ids the client was given, by part number (1-based).
    pub part_ids: Vec<String>,
    /// The client's source address, for the receipts.
    pub source: String,
    /// Whether receipts are owed.
    pub receipt: bool,
    /// The kept parts this message replaces: `(account_id, group_key)`, deleted with it.
    pub group: Option<(i64, String)>,
}

/// A message of a client system reaching its final state: one receipt per part id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalReport {
    /// The message.
    pub message_id: MessageId,
    /// Its recipient.
    pub to: String,
    /// Its final status.
    pub status: MessageStatus,
    /// The carrier's error or status text, when it failed.
    pub error: Option<String>,
    /// When it was accepted.
    pub accepted_at: Timestamp,
    /// When it reached this state.
    pub completed_at: Option<Timestamp>,
    /// The client's source address.
    pub source: String,
    /// The ids the client was given, by part number.
    pub part_ids: Vec<String>,
    /// The first characters of the text, for the receipt's `text:` field.
    pub text_start: String,
}
