//! UCS-2 as carriers use it: UTF-16BE without a BOM, characters above U+FFFF as surrogate
//! pairs (segmentation.md §5). Every `&str` can be encoded.

/// UTF-16BE bytes for `text`.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// Text for UTF-16BE bytes; unpaired surrogates and an odd trailing byte become U+FFFD.
pub(crate) fn decode(bytes: &[u8]) -> String {
    let units = bytes.chunks(2).map(|c| if let [hi, lo] = *c { u16::from_be_bytes([hi, lo]) } else { 0xFFFD });
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
}

/// Length in bytes of the unit starting at `at`: 4 for a surrogate pair, else 2 (1 for an odd
/// trailing byte), so that a cut never separates a pair.
pub(crate) fn unit_len(bytes: &[u8], at: usize) -> usize {
    let unit = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]));
    match (unit(at), unit(at + 2)) {
        (Some(0xD800..=0xDBFF), Some(0xDC00..=0xDFFF)) => 4,
        (Some(_), _) => 2,
        (None, _) => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_bytes() {
        let cases: &[(&str, &[u8])] =
            &[("您好", &[0x60, 0xA8, 0x59, 0x7D]), ("A", &[0x00, 0x41]), ("😀", &[0xD8, 0x3D, 0xDE, 0x00]), ("", &[])];
        for &(text, bytes) in cases {
            assert_eq!(encode(text), bytes, "{text:?}");
            assert_eq!(decode(bytes), text, "{bytes:02X?}");
        }
    }

    #[test]
    fn broken_input_becomes_replacement() {
        let cases: &[(&[u8], &str)] = &[
            (&[0x00], "\u{FFFD}"),
            (&[0x00, 0x41, 0x42], "A\u{FFFD}"),
            (&[0xD8, 0x3D], "\u{FFFD}"),
            (&[0xDE, 0x00, 0x00, 0x41], "\u{FFFD}A"),
            (&[0xD8, 0x3D, 0x00, 0x41], "\u{FFFD}A"),
        ];
        for &(bytes, text) in cases {
            assert_eq!(decode(bytes), text, "{bytes:02X?}");
        }
    }

    #[test]
    fn surrogate_pairs_are_one_unit() {
        let bytes = encode("a😀b");
        assert_eq!(unit_len(&bytes, 0), 2);
        assert_eq!(unit_len(&bytes, 2), 4);
        assert_eq!(unit_len(&bytes, 6), 2);
        assert_eq!(unit_len(&[0xD8, 0x3D], 0), 2);
        assert_eq!(unit_len(&[0x00], 0), 1);
    }
}
