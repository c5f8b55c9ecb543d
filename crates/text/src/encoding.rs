//! [`Encoding`]: which alphabet a message is written in, and what one segment of it holds.

use std::fmt;

use crate::{gbk, gsm7, single_byte, ucs2, TextError};

/// An alphabet a message can be sent in. Which one a carrier wants is the gateway's choice;
/// mapping to a protocol's `Msg_Fmt` / `data_coding` value is the gateway's too.
///
/// Exhaustive on purpose: a gateway that matches on it to pick a data coding should fail to
/// compile when an encoding is added, not fall into a default arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GSM 03.38 default alphabet plus extension table, unpacked: one septet per byte, an
    /// extension character as `0x1B code` (see [`pack_septets`](crate::pack_septets)).
    Gsm7,
    /// US-ASCII, one byte per character (CMPP `Msg_Fmt = 0`).
    Ascii,
    /// ISO 8859-1, one byte per character; also the carrier for 8-bit binary data.
    Latin1,
    /// UTF-16BE without BOM; characters above U+FFFF as surrogate pairs (§5).
    Ucs2,
    /// GBK (CMPP `Msg_Fmt = 15`): ASCII in one byte, Chinese in two.
    Gbk,
}

/// How many payload bytes one segment may carry, UDH not counted, in the form this crate
/// produces: septets for [`Encoding::Gsm7`] (one per byte), octets for the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A message that fits in one segment (no UDH).
    pub single: usize,
    /// Each segment of a long message with the 6-octet, 8-bit-reference UDH.
    pub udh8: usize,
    /// Each segment of a long message with the 7-octet, 16-bit-reference UDH.
    pub udh16: usize,
}

impl Encoding {
    /// Every encoding, for tests and tables.
    pub const ALL: [Self; 5] = [Self::Gsm7, Self::Ascii, Self::Latin1, Self::Ucs2, Self::Gbk];

    /// Bytes for `text`, or the first character this encoding cannot carry.
    pub fn encode(self, text: &str) -> Result<Vec<u8>, TextError> {
        match self {
            Self::Gsm7 => gsm7::encode(text),
            Self::Ascii => single_byte::encode(text, self, 0x80),
            Self::Latin1 => single_byte::encode(text, self, 0x100),
            Self::Ucs2 => Ok(ucs2::encode(text)),
            Self::Gbk => gbk::encode(text),
        }
    }

    /// Text for `bytes`. Lossy: what cannot be decoded becomes U+FFFD. Never panics.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Self::Gsm7 => gsm7::decode(bytes),
            Self::Ascii => single_byte::decode_ascii(bytes),
            Self::Latin1 => single_byte::decode_latin1(bytes),
            Self::Ucs2 => ucs2::decode(bytes),
            Self::Gbk => gbk::decode(bytes),
        }
    }

    /// True when [`encode`](Self::encode) would succeed.
    pub fn can_encode(self, text: &str) -> bool {
        match self {
            Self::Gsm7 => gsm7::can_encode(text),
            Self::Ascii => text.is_ascii(),
            Self::Latin1 => text.chars().all(|c| u32::from(c) < 0x100),
            Self::Ucs2 => true,
            Self::Gbk => gbk::encode(text).is_ok(),
        }
    }

    /// GSM 7-bit when every character is in the default alphabet or the extension table,
    /// else UCS-2. A helper for gateways that may send 7-bit; Chinese gateways normally take
    /// UCS-2 regardless (§3).
    pub fn choose(text: &str) -> Self {
        if gsm7::can_encode(text) {
            Self::Gsm7
        } else {
            Self::Ucs2
        }
    }

    /// Per-segment capacities (segmentation.md §1).
    ///
    /// ASCII and GBK count as 8-bit data (140 / 134 / 133 octets): CMPP's `Msg_Length` is at
    /// most 140 octets including the UDH, and how gateways size ASCII and GB long messages is
    /// unconfirmed (§3), so this is the choice that never overflows. A GBK Chinese character
    /// takes 2 octets, so pure Chinese text gets 70 / 67 / 66 characters, as in UCS-2.
    /// UCS-2 with the 7-octet UDH keeps 132 of the 133 octets (66 units, §1).
    pub fn limits(self) -> Limits {
        match self {
            Self::Gsm7 => Limits { single: 160, udh8: 153, udh16: 152 },
            Self::Ucs2 => Limits { single: 140, udh8: 134, udh16: 132 },
            Self::Ascii | Self::Latin1 | Self::Gbk => Limits { single: 140, udh8: 134, udh16: 133 },
        }
    }

    /// Length of the indivisible unit that starts at `at` in bytes this encoding produced:
    /// a GSM escape pair, a UTF-16 surrogate pair and a GBK double-byte character stay whole.
    pub(crate) fn unit_len(self, bytes: &[u8], at: usize) -> usize {
        match self {
            Self::Gsm7 => gsm7::unit_len(bytes, at),
            Self::Ucs2 => ucs2::unit_len(bytes, at),
            Self::Gbk => gbk::unit_len(bytes, at),
            Self::Ascii | Self::Latin1 => 1,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Gsm7 => "GSM 7-bit",
            Self::Ascii => "ASCII",
            Self::Latin1 => "Latin-1",
            Self::Ucs2 => "UCS-2",
            Self::Gbk => "GBK",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choose_prefers_gsm7_only_when_everything_fits() {
        let cases = [
            ("", Encoding::Gsm7),
            ("Your code is 1234", Encoding::Gsm7),
            ("Price: 5€ [promo] {x} ~ | ^ \\", Encoding::Gsm7),
            ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà", Encoding::Gsm7),
            ("back`tick", Encoding::Ucs2),
            ("您的验证码是123456", Encoding::Ucs2),
            ("ok 😀", Encoding::Ucs2),
            ("ç", Encoding::Ucs2),
        ];
        for (text, expected) in cases {
            assert_eq!(Encoding::choose(text), expected, "{text:?}");
        }
    }

    #[test]
    fn limits_follow_the_capacity_table() {
        let cases = [
            (Encoding::Gsm7, (160, 153, 152)),
            (Encoding::Ucs2, (140, 134, 132)),
            (Encoding::Latin1, (140, 134, 133)),
            (Encoding::Ascii, (140, 134, 133)),
            (Encoding::Gbk, (140, 134, 133)),
        ];
        for (encoding, (single, udh8, udh16)) in cases {
            assert_eq!(encoding.limits(), Limits { single, udh8, udh16 }, "{encoding}");
        }
    }

    #[test]
    fn can_encode_agrees_with_encode() {
        let texts = ["hello", "héllo", "€", "中文", "😀", "`", "\u{FF}", "\u{100}", "【签名】"];
        for encoding in Encoding::ALL {
            for text in texts {
                assert_eq!(encoding.can_encode(text), encoding.encode(text).is_ok(), "{encoding} {text:?}");
            }
        }
    }

    #[test]
    fn what_each_encoding_carries() {
        let cases = [
            (Encoding::Gsm7, "€", true),
            (Encoding::Ascii, "€", false),
            (Encoding::Latin1, "é", true),
            (Encoding::Gbk, "中", true),
            (Encoding::Gbk, "😀", false),
            (Encoding::Ucs2, "😀", true),
        ];
        for (encoding, text, ok) in cases {
            assert_eq!(encoding.can_encode(text), ok, "{encoding} {text:?}");
        }
    }

    #[test]
    fn decode_inverts_encode() {
        let text = "Hello 12345";
        for encoding in Encoding::ALL {
            assert_eq!(encoding.decode(&encoding.encode(text).unwrap()), text, "{encoding}");
        }
    }
}
