//! Mainland China mobile numbers: normalisation, validation, carrier.

use std::fmt;

use crate::segments::carrier_of;

/// A mobile network operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Carrier {
    /// 中国移动 (CMPP).
    ChinaMobile,
    /// 中国联通 (SGIP).
    ChinaUnicom,
    /// 中国电信 (SMGP).
    ChinaTelecom,
    /// 中国广电 (192).
    ChinaBroadnet,
}

impl Carrier {
    /// Every carrier.
    pub const ALL: [Self; 4] = [Self::ChinaMobile, Self::ChinaUnicom, Self::ChinaTelecom, Self::ChinaBroadnet];

    /// The name used in the API, the store and the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChinaMobile => "china_mobile",
            Self::ChinaUnicom => "china_unicom",
            Self::ChinaTelecom => "china_telecom",
            Self::ChinaBroadnet => "china_broadnet",
        }
    }

    /// Parses the API/store name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Carrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a usable mobile number. Messages are meant for API clients.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// Nothing but separators.
    #[error("the number is empty")]
    Empty,
    /// A character that is neither a digit nor an accepted separator.
    #[error("the number contains `{0}`; only digits, a leading +86, spaces and dashes are allowed")]
    BadCharacter(char),
    /// Not 11 digits after removing the country code.
    #[error("a mainland mobile number has 11 digits, this one has {0}")]
    WrongLength(usize),
    /// 11 digits, but not a mobile number.
    #[error("a mainland mobile number starts with 1")]
    NotMobile,
    /// The segment is not allocated to a carrier that takes SMS.
    #[error("number segment {0} is not allocated to a mobile carrier")]
    UnallocatedSegment(String),
}

/// A validated 11-digit mainland mobile number with the carrier its segment belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    national: String,
    carrier: Carrier,
}

impl PhoneNumber {
    /// Normalises `+86 138-0013-8000`, `8613800138000`, `0086…` and plain forms to
    /// `13800138000`, then checks length, leading digit and segment.
    pub fn parse(input: &str) -> Result<Self, NumberError> {
        let digits = strip(input)?;
        let national = match digits.len() {
            13 if digits.starts_with("86") => &digits[2..],
            15 if digits.starts_with("0086") => &digits[4..],
            _ => digits.as_str(),
        };
        if national.len() != 11 {
            return Err(NumberError::WrongLength(national.len()));
        }
        if !national.starts_with('1') {
            return Err(NumberError::NotMobile);
        }
        let carrier = carrier_of(national).ok_or_else(|| NumberError::UnallocatedSegment(national[..3].to_owned()))?;
        Ok(Self { national: national.to_owned(), carrier })
    }

    /// Rebuilds a number that was validated before (e.g. read back from the store) with the
    /// carrier it was routed to then; the portability table may differ from the segment.
    pub fn from_parts(national: String, carrier: Carrier) -> Self {
        Self { national, carrier }
    }

    /// The 11 digits.
    pub fn national(&self) -> &str {
        &self.national
    }

    /// The carrier of the number's segment.
    pub fn carrier(&self) -> Carrier {
        self.carrier
    }

    /// For logs: `138****8000`. Taxpayer numbers never appear whole in a log line.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.national[..3], &self.national[7..])
    }
}

/// Removes separators and a leading `+`; rejects anything else that is not a digit.
fn strip(input: &str) -> Result<String, NumberError> {
    let trimmed = input.trim();
    let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
    let mut out = String::with_capacity(body.len());
    for ch in body.chars() {
        match ch {
            '0'..='9' => out.push(ch),
            ' ' | '-' | '\u{3000}' => {}
            other => return Err(NumberError::BadCharacter(other)),
        }
    }
    if out.is_empty() {
        return Err(NumberError::Empty);
    }
    if trimmed.starts_with('+') && !out.starts_with("86") {
        // Only +86 is a mainland number.
        return Err(NumberError::NotMobile);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_common_forms() {
        for input in [
            "13800138000",
            "+8613800138000",
            "86 138 0013 8000",
            "+86-138-0013-8000",
            "008613800138000",
            " 13800138000 ",
        ] {
            let n = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(n.national(), "13800138000");
            assert_eq!(n.carrier(), Carrier::ChinaMobile);
        }
    }

    #[test]
    fn rejects_with_a_reason() {
        assert_eq!(PhoneNumber::parse(""), Err(NumberError::Empty));
        assert_eq!(PhoneNumber::parse("1380013800a"), Err(NumberError::BadCharacter('a')));
        assert_eq!(PhoneNumber::parse("1380013800"), Err(NumberError::WrongLength(10)));
        assert_eq!(PhoneNumber::parse("23800138000"), Err(NumberError::NotMobile));
        assert_eq!(PhoneNumber::parse("+4413800138000"), Err(NumberError::NotMobile));
        assert_eq!(PhoneNumber::parse("15400138000"), Err(NumberError::UnallocatedSegment("154".into())));
    }

    #[test]
    fn masks_for_logs() {
        assert_eq!(PhoneNumber::parse("13800138000").unwrap().masked(), "138****8000");
    }
}
