//! GBK, CMPP `Msg_Fmt = 15`, through `encoding_rs` (the WHATWG GBK encoder: GB 2312 and GBK
//! double-byte characters, ASCII as single bytes, `€` as the single byte 0x80).
//!
//! Decoding uses the WHATWG GBK decoder, which also accepts GB 18030 four-byte sequences; bad
//! bytes become U+FFFD.

use encoding_rs::{EncoderResult, GBK};

use crate::{Encoding, TextError};

/// GBK bytes for `text`, or the first character GBK lacks (emoji, most non-Chinese scripts).
pub(crate) fn encode(text: &str) -> Result<Vec<u8>, TextError> {
    let mut encoder = GBK.new_encoder();
    // GBK needs at most 2 bytes for a character that UTF-8 writes in 2 or more.
    let mut out = vec![0u8; text.len() + 16];
    let mut read = 0;
    let mut written = 0;
    loop {
        let (result, r, w) = encoder.encode_from_utf8_without_replacement(&text[read..], &mut out[written..], true);
        read += r;
        written += w;
        match result {
            EncoderResult::InputEmpty => break,
            EncoderResult::OutputFull => out.resize(out.len() * 2, 0),
            EncoderResult::Unmappable(ch) => {
                let index = text[..read].chars().count() - 1;
                return Err(TextError::Unencodable { encoding: Encoding::Gbk, ch, index });
            }
        }
    }
    out.truncate(written);
    Ok(out)
}

/// Text for GBK bytes; malformed sequences become U+FFFD.
pub(crate) fn decode(bytes: &[u8]) -> String {
    GBK.decode_without_bom_handling(bytes).0.into_owned()
}

/// Length of the character starting at `at` in bytes this encoder wrote: a lead byte
/// 0x81–0xFE starts a double-byte character, anything else stands alone.
pub(crate) fn unit_len(bytes: &[u8], at: usize) -> usize {
    if (0x81..=0xFE).contains(&bytes[at]) && at + 1 < bytes.len() {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_bytes() {
        let cases: &[(&str, &[u8])] = &[
            ("中", &[0xD6, 0xD0]),
            ("国", &[0xB9, 0xFA]),
            ("您", &[0xC4, 0xFA]),
            ("A1", &[0x41, 0x31]),
            ("€", &[0x80]),
            ("【", &[0xA1, 0xBE]),
            ("", &[]),
        ];
        for &(text, bytes) in cases {
            assert_eq!(encode(text).unwrap(), bytes, "{text:?}");
            assert_eq!(decode(bytes), text, "{bytes:02X?}");
        }
    }

    #[test]
    fn verification_code_round_trips() {
        let text = "您的验证码是123456";
        let bytes = encode(text).unwrap();
        assert_eq!(bytes.len(), 6 * 2 + 6);
        assert_eq!(&bytes[..2], &[0xC4, 0xFA]);
        assert_eq!(&bytes[12..], b"123456");
        assert_eq!(decode(&bytes), text);
    }

    #[test]
    fn long_text_round_trips() {
        let text = "中".repeat(5000);
        assert_eq!(decode(&encode(&text).unwrap()), text);
    }

    #[test]
    fn characters_outside_gbk_are_refused() {
        for (text, ch, index) in [("验证😀", '😀', 2), ("ok\u{0E01}", '\u{0E01}', 2)] {
            assert_eq!(encode(text), Err(TextError::Unencodable { encoding: Encoding::Gbk, ch, index }));
        }
    }

    #[test]
    fn bad_bytes_become_replacement() {
        assert_eq!(decode(&[0xD6]), "\u{FFFD}");
        assert_eq!(decode(&[0xFF, 0x41]), "\u{FFFD}A");
    }

    #[test]
    fn double_byte_characters_are_one_unit() {
        let bytes = encode("a中").unwrap();
        assert_eq!(unit_len(&bytes, 0), 1);
        assert_eq!(unit_len(&bytes, 1), 2);
    }
}
