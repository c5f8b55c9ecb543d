//! GSM 03.38 / TS 23.038 7-bit default alphabet and its extension table (segmentation.md §6).
//!
//! Septets are kept unpacked, one per byte (0x00–0x7F), the form Chinese gateways take;
//! packing lives in `septet.rs`. An extension character is the pair `0x1B code` and counts as
//! two septets; the splitter treats the pair as one unit so it is never cut.

use crate::{Encoding, TextError};

/// The escape septet: the next septet is looked up in the extension table.
pub(crate) const ESC: u8 = 0x1B;

/// Shown for bytes that are no septet (≥ 0x80) and for a lone escape at the end.
const REPLACEMENT: char = '\u{FFFD}';

/// The default alphabet, indexed by septet. Index 0x1B is the escape and never decoded from
/// here (it holds a placeholder and is skipped when encoding).
// Sixteen to a row, as in the spec's table (segmentation.md §6), so it can be checked by eye.
#[rustfmt::skip]
const BASIC: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', // 0x00
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', REPLACEMENT, 'Æ', 'æ', 'ß', 'É', // 0x10
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', // 0x20
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', // 0x30
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', // 0x40
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', // 0x50
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', // 0x60
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', // 0x70
];

/// The extension table: the septet after [`ESC`] and the character it stands for.
const EXTENSION: [(u8, char); 10] = [
    (0x0A, '\u{0C}'), // form feed
    (0x14, '^'),
    (0x28, '{'),
    (0x29, '}'),
    (0x2F, '\\'),
    (0x3C, '['),
    (0x3D, '~'),
    (0x3E, ']'),
    (0x40, '|'),
    (0x65, '€'),
];

/// The septet for `ch` in the default alphabet.
pub(crate) fn basic_code(ch: char) -> Option<u8> {
    // Letters and digits sit where ASCII has them; skip the table scan for them.
    if ch.is_ascii_alphanumeric() {
        return Some(ch as u8);
    }
    let position = BASIC.iter().position(|&c| c == ch)?;
    // The escape slot holds a placeholder, not a character.
    (position != usize::from(ESC)).then_some(position as u8)
}

/// The septet that follows [`ESC`] for `ch` in the extension table.
pub(crate) fn extension_code(ch: char) -> Option<u8> {
    EXTENSION.iter().find(|&&(_, c)| c == ch).map(|&(code, _)| code)
}

/// Septets `ch` takes: 1 (default alphabet), 2 (extension table) or `None`.
pub(crate) fn septets_for(ch: char) -> Option<usize> {
    if basic_code(ch).is_some() {
        Some(1)
    } else {
        extension_code(ch).map(|_| 2)
    }
}

/// True when every character is in the default alphabet or the extension table.
pub(crate) fn can_encode(text: &str) -> bool {
    text.chars().all(|ch| septets_for(ch).is_some())
}

/// Unpacked septets for `text`; an extension character becomes `0x1B code`.
pub(crate) fn encode(text: &str) -> Result<Vec<u8>, TextError> {
    let mut out = Vec::with_capacity(text.len());
    for (index, ch) in text.chars().enumerate() {
        if let Some(code) = basic_code(ch) {
            out.push(code);
        } else if let Some(code) = extension_code(ch) {
            out.extend([ESC, code]);
        } else {
            return Err(TextError::Unencodable { encoding: Encoding::Gsm7, ch, index });
        }
    }
    Ok(out)
}

/// Text for unpacked septets. Following TS 23.038: an escape before a code the extension table
/// lacks shows the default-alphabet character, and `1B 1B` shows a space. A byte ≥ 0x80 and
/// a lone escape at the end become U+FFFD.
pub(crate) fn decode(septets: &[u8]) -> String {
    let mut out = String::with_capacity(septets.len());
    let mut bytes = septets.iter().copied();
    while let Some(byte) = bytes.next() {
        let ch = if byte == ESC { bytes.next().map_or(REPLACEMENT, escaped) } else { basic_char(byte) };
        out.push(ch);
    }
    out
}

fn basic_char(septet: u8) -> char {
    BASIC.get(usize::from(septet)).copied().unwrap_or(REPLACEMENT)
}

fn escaped(code: u8) -> char {
    if code == ESC {
        return ' ';
    }
    EXTENSION.iter().find(|&&(c, _)| c == code).map_or_else(|| basic_char(code), |&(_, ch)| ch)
}

/// Length of the unit starting at `at` in unpacked septets: an escape pair is one unit of 2.
pub(crate) fn unit_len(septets: &[u8], at: usize) -> usize {
    if septets[at] == ESC && at + 1 < septets.len() {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spot_checks_against_the_table() {
        let cases: &[(&str, &[u8])] = &[
            ("@", &[0x00]),
            ("£", &[0x01]),
            ("$", &[0x02]),
            ("\n", &[0x0A]),
            ("\r", &[0x0D]),
            ("Δ", &[0x10]),
            ("_", &[0x11]),
            ("É", &[0x1F]),
            (" ", &[0x20]),
            ("¤", &[0x24]),
            ("¡", &[0x40]),
            ("A", &[0x41]),
            ("§", &[0x5F]),
            ("¿", &[0x60]),
            ("à", &[0x7F]),
            ("€", &[0x1B, 0x65]),
            ("^", &[0x1B, 0x14]),
            ("{", &[0x1B, 0x28]),
            ("}", &[0x1B, 0x29]),
            ("\\", &[0x1B, 0x2F]),
            ("[", &[0x1B, 0x3C]),
            ("~", &[0x1B, 0x3D]),
            ("]", &[0x1B, 0x3E]),
            ("|", &[0x1B, 0x40]),
            ("\u{0C}", &[0x1B, 0x0A]),
        ];
        for &(text, septets) in cases {
            assert_eq!(encode(text).unwrap(), septets, "encode {text:?}");
            assert_eq!(decode(septets), text, "decode {septets:02X?}");
        }
    }

    #[test]
    fn ascii_characters_outside_the_alphabet_are_refused() {
        for (text, ch, index) in
            [("`", '`', 0), ("ab中", '中', 2), ("\u{1B}", '\u{1B}', 0), ("\u{FFFD}", '\u{FFFD}', 0)]
        {
            assert_eq!(encode(text), Err(TextError::Unencodable { encoding: Encoding::Gsm7, ch, index }));
            assert!(!can_encode(text));
        }
        assert!(can_encode("Hello {world} €5 [ok] ~|^\\ @$¤"));
    }

    #[test]
    fn every_table_entry_round_trips() {
        for septet in (0u8..0x80).filter(|&s| s != ESC) {
            let text = decode(&[septet]);
            assert_eq!(encode(&text).unwrap(), [septet], "septet {septet:02X}");
        }
        for (code, ch) in EXTENSION {
            assert_eq!(encode(&ch.to_string()).unwrap(), [ESC, code]);
        }
    }

    #[test]
    fn receiver_fallbacks() {
        let cases: &[(&[u8], &str)] = &[
            (&[0x1B, 0x41], "A"),         // not in the extension table: default alphabet
            (&[0x1B, 0x1B, 0x41], " A"),  // escape to another table: a space
            (&[0x41, 0x1B], "A\u{FFFD}"), // lone escape at the end
            (&[0x80, 0xFF], "\u{FFFD}\u{FFFD}"),
            (&[0x1B, 0x80], "\u{FFFD}"),
        ];
        for &(septets, text) in cases {
            assert_eq!(decode(septets), text, "{septets:02X?}");
        }
    }

    #[test]
    fn escape_pairs_are_one_unit() {
        let septets = [0x41, 0x1B, 0x65, 0x1B];
        assert_eq!(unit_len(&septets, 0), 1);
        assert_eq!(unit_len(&septets, 1), 2);
        assert_eq!(unit_len(&septets, 3), 1);
    }
}
