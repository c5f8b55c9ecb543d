//! Incidents: a channel down or failing, found by the platform, or a fault reported by the
//! bureau's staff (故障申告); each with the two clocks the service terms set — fixed within
//! 4 hours of its start, its cause and result reported within 1 hour of the fix.

use crate::Timestamp;

/// How an incident was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentKind {
    /// No link of a channel up for longer than the threshold.
    ChannelDown,
    /// A channel's carrier refused more than the threshold share of submits.
    FailureRate,
    /// Reported by a person.
    Reported,
}

impl IncidentKind {
    /// Stored and shown as.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChannelDown => "channel_down",
            Self::FailureRate => "failure_rate",
            Self::Reported => "reported",
        }
    }

    /// The inverse of [`IncidentKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ChannelDown, Self::FailureRate, Self::Reported].into_iter().find(|k| k.as_str() == s)
    }
}

/// An incident to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncident {
    /// How it was opened.
    pub kind: IncidentKind,
    /// The channel it concerns, when one.
    pub channel: Option<String>,
    /// What was seen (sealed at rest: a reporter may name a number).
    pub symptom: String,
    /// When it began.
    pub opened_at: Timestamp,
    /// `system`, or who reported it.
    pub opened_by: String,
    /// The interface account of a reporter, when one reported it.
    pub account_id: Option<i64>,
}

/// An incident as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    /// Store-assigned id.
    pub id: i64,
    /// What was opened.
    pub opened: NewIncident,
    /// When service was restored (the link came back, or an operator said so).
    pub fixed_at: Option<Timestamp>,
    /// Why it happened.
    pub cause: Option<String>,
    /// What was done.
    pub actions: Option<String>,
    /// What came of it.
    pub result: Option<String>,
    /// When cause and result were both on record: the report's time.
    pub reported_at: Option<Timestamp>,
}

/// Fields to set on an incident; `None` leaves one as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentPatch {
    /// Restored at.
    pub fixed_at: Option<Timestamp>,
    /// Why it happened.
    pub cause: Option<String>,
    /// What was done.
    pub actions: Option<String>,
    /// What came of it.
    pub result: Option<String>,
    /// Reported at.
    pub reported_at: Option<Timestamp>,
}

/// Which incidents to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentFilter {
    /// Opened at or after.
    pub from: Option<Timestamp>,
    /// Opened before.
    pub to: Option<Timestamp>,
    /// Only those not fixed yet.
    pub open_only: bool,
    /// Only those this account reported.
    pub account_id: Option<i64>,
    /// Only this channel's.
    pub channel: Option<String>,
    /// At most this many.
    pub limit: usize,
}

/// An alert as kept: raised while its condition holds, resolved when it stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertRecord {
    /// Store-assigned id.
    pub id: i64,
    /// The rule, e.g. `channel_down`.
    pub rule: String,
    /// What it is about: a channel, a carrier, an account, `store`.
    pub subject: String,
    /// What was seen when it was raised.
    pub message: String,
    /// When it was raised.
    pub started_at: Timestamp,
    /// When it was last sent.
    pub last_sent_at: Timestamp,
    /// How many times it was sent.
    pub sends: u32,
    /// When its condition ended.
    pub resolved_at: Option<Timestamp>,
}
