//! Message categories: they choose the signature, the priority lane and the limits.

use std::fmt;

/// What a message is for. The list is closed for now; issue 4 makes it configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// 验证码: one-time codes; highest priority.
    Verification,
    /// 通知: notices to taxpayers.
    Notification,
    /// 推广: marketing; lowest priority, quiet hours apply.
    Marketing,
}

/// A category name that is not in the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category `{0}` (expected verification, notification or marketing)")]
pub struct UnknownCategory(pub String);

impl Category {
    /// Every category, in priority order.
    pub const ALL: [Self; 3] = [Self::Verification, Self::Notification, Self::Marketing];

    /// The name used in the API and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::Notification => "notification",
            Self::Marketing => "marketing",
        }
    }

    /// Parses the API/store name.
    pub fn parse(s: &str) -> Result<Self, UnknownCategory> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| UnknownCategory(s.to_owned()))
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknowns_are_named() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Ok(c));
        }
        let err = Category::parse("promo").unwrap_err();
        assert!(err.to_string().contains("promo"));
    }
}
