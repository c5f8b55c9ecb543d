//! The crate's error type.

use std::fmt;

use crate::Encoding;

/// What can go wrong when encoding, splitting or parsing a user data header.
///
/// Written by hand rather than with `thiserror` to keep this crate free of proc-macro crates.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextError {
    /// The text holds a character the encoding cannot carry.
    Unencodable {
        /// The encoding that was asked for.
        encoding: Encoding,
        /// The first character it cannot carry.
        ch: char,
        /// Its position in the text, counted in characters from 0.
        index: usize,
    },
    /// The message needs more segments than the 255 a concatenation header can count.
    TooManySegments {
        /// How many it would need.
        needed: usize,
    },
    /// The message is longer than one SMPP `message_payload` TLV can hold.
    PayloadTooLong {
        /// Its length in encoded octets.
        octets: usize,
    },
    /// User data flagged as carrying a UDH has no room for one: empty, or the UDHL points past
    /// the end of the data.
    UdhTruncated {
        /// Header length announced by the UDHL octet (0 when the data is empty).
        declared: usize,
        /// Octets available after the UDHL octet.
        available: usize,
    },
    /// An information element runs past the end of the header that holds it.
    UdhElementOverrun {
        /// The element's identifier.
        iei: u8,
        /// Offset of the element within the header (after the UDHL octet).
        offset: usize,
    },
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unencodable { encoding, ch, index } => {
                write!(f, "{encoding} cannot carry {ch:?} (U+{:04X}) at character {index}", u32::from(*ch))
            }
            Self::TooManySegments { needed } => {
                write!(f, "message needs {needed} segments; at most {} are possible", crate::MAX_SEGMENTS)
            }
            Self::PayloadTooLong { octets } => {
                write!(f, "message is {octets} octets; message_payload holds at most {}", crate::MAX_PAYLOAD_OCTETS)
            }
            Self::UdhTruncated { declared, available } => {
                write!(f, "user data header announces {declared} octets but {available} follow")
            }
            Self::UdhElementOverrun { iei, offset } => {
                write!(f, "information element 0x{iei:02X} at offset {offset} runs past the header")
            }
        }
    }
}

impl std::error::Error for TextError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_problem() {
        let cases = [
            (TextError::Unencodable { encoding: Encoding::Gsm7, ch: '中', index: 3 }, "(U+4E2D) at character 3"),
            (TextError::TooManySegments { needed: 256 }, "256 segments"),
            (TextError::PayloadTooLong { octets: 70_000 }, "70000 octets"),
            (TextError::UdhTruncated { declared: 5, available: 2 }, "5 octets but 2"),
            (TextError::UdhElementOverrun { iei: 8, offset: 0 }, "0x08 at offset 0"),
        ];
        for (err, needle) in cases {
            assert!(err.to_string().contains(needle), "{err}");
        }
    }
}
