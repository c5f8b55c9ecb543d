//! The one-byte-per-character encodings: ASCII (CMPP `Msg_Fmt = 0`) and Latin-1, which also
//! carries 8-bit binary data (each byte maps to the character with the same code).

use crate::{Encoding, TextError};

/// One byte per character for every character below `limit` (0x80 ASCII, 0x100 Latin-1).
pub(crate) fn encode(text: &str, encoding: Encoding, limit: u32) -> Result<Vec<u8>, TextError> {
    text.chars()
        .enumerate()
        .map(
            |(index, ch)| {
                if u32::from(ch) < limit {
                    Ok(ch as u8)
                } else {
                    Err(TextError::Unencodable { encoding, ch, index })
                }
            },
        )
        .collect()
}

/// ASCII text; bytes ≥ 0x80 become U+FFFD.
pub(crate) fn decode_ascii(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| if b.is_ascii() { char::from(b) } else { char::REPLACEMENT_CHARACTER }).collect()
}

/// Latin-1 text: every byte is the character with the same code.
pub(crate) fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(encode("A~\u{7F}", Encoding::Ascii, 0x80).unwrap(), [0x41, 0x7E, 0x7F]);
        assert_eq!(
            encode("Aé", Encoding::Ascii, 0x80),
            Err(TextError::Unencodable { encoding: Encoding::Ascii, ch: 'é', index: 1 })
        );
        assert_eq!(encode("Aéÿ", Encoding::Latin1, 0x100).unwrap(), [0x41, 0xE9, 0xFF]);
        assert_eq!(
            encode("€", Encoding::Latin1, 0x100),
            Err(TextError::Unencodable { encoding: Encoding::Latin1, ch: '€', index: 0 })
        );
    }

    #[test]
    fn decoding() {
        assert_eq!(decode_ascii(&[0x41, 0x80]), "A\u{FFFD}");
        assert_eq!(decode_latin1(&[0x41, 0xE9, 0x00]), "Aé\u{0}");
    }
}
