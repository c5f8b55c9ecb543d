//! The states a message moves through.

use std::fmt;

/// `accepted → queued → submitted → delivered | undelivered | expired | unknown`, with
/// `rejected` (at accept) and `failed` (could not be submitted) as ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Stored durably; not yet handed to a carrier.
    Accepted,
    /// Waiting in a channel's queue.
    Queued,
    /// The carrier accepted every segment; waiting for reports.
    Submitted,
    /// Every segment was delivered to the handset.
    Delivered,
    /// The carrier reported a failure for at least one segment.
    Undelivered,
    /// The validity period ran out before delivery.
    Expired,
    /// No report came within the report time-out.
    Unknown,
    /// Refused at accept; never stored as sendable.
    Rejected,
    /// Could not be submitted after retries.
    Failed,
}

impl MessageStatus {
    /// Every state.
    pub const ALL: [Self; 9] = [
        Self::Accepted,
        Self::Queued,
        Self::Submitted,
        Self::Delivered,
        Self::Undelivered,
        Self::Expired,
        Self::Unknown,
        Self::Rejected,
        Self::Failed,
    ];

    /// The name used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Queued => "queued",
            Self::Submitted => "submitted",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Expired => "expired",
            Self::Unknown => "unknown",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// True when nothing more will happen to the message.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Accepted | Self::Queued | Self::Submitted)
    }

    /// The final state a carrier report's status text stands for. Only `DELIVRD` is success;
    /// everything else, vendor codes included, is a failure of some kind.
    pub fn from_report_stat(stat: &str) -> Self {
        match stat {
            "DELIVRD" => Self::Delivered,
            "EXPIRED" => Self::Expired,
            "UNKNOWN" => Self::Unknown,
            _ => Self::Undelivered,
        }
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in MessageStatus::ALL {
            assert_eq!(MessageStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(MessageStatus::parse("sent"), None);
    }

    #[test]
    fn only_delivrd_is_success() {
        assert_eq!(MessageStatus::from_report_stat("DELIVRD"), MessageStatus::Delivered);
        assert_eq!(MessageStatus::from_report_stat("EXPIRED"), MessageStatus::Expired);
        assert_eq!(MessageStatus::from_report_stat("MB:0011"), MessageStatus::Undelivered);
        assert!(!MessageStatus::Submitted.is_final());
        assert!(MessageStatus::Delivered.is_final());
    }
}
