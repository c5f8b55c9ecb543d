//! The Chinese counting and billing rule (segmentation.md §4) and the UCS-2 shortcuts the
//! engine and the CMPP gateway use.
//!
//! Length is counted in UTF-16 code units (an emoji counts 2); up to 70 is one message, longer
//! ones are cut at 67 units without separating a surrogate pair. This equals a UCS-2
//! [`split`](crate::split) with an 8-bit-reference UDH.

use crate::split::{build, cut};
use crate::{ucs2, Concat, Encoding, Segment};

/// UTF-16 code units that fit one UCS-2 message without a UDH.
pub const UCS2_SINGLE: usize = 70;
/// UTF-16 code units per segment of a long UCS-2 message (140 octets less a 6-octet UDH).
pub const UCS2_PER_SEGMENT: usize = 67;
/// The most segments one message may have (the UDH counts them in one octet).
pub const MAX_SEGMENTS: usize = 255;

/// Length as carriers and bills count it: UTF-16 code units (an emoji counts 2).
pub fn billing_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// How many segments `text` takes when sent as UCS-2 (≤ 70 → 1, else ⌈len / 67⌉, adjusted
/// where a surrogate pair would straddle a cut). Not capped at 255: the caller limits length.
pub fn count_segments(text: &str) -> usize {
    ucs2_ranges(&ucs2::encode(text)).len()
}

/// Splits `text` into UCS-2 segments. A single segment carries no UDH; a long message gets
/// `05 00 03 reference total number` in front of every part.
///
/// Infallible for the CMPP gateway's sake: text over 255 segments (17 085 units) is cut after
/// the 255th segment. Callers limit length first (the engine allows 500 units); new code
/// should use [`split`](crate::split), which returns an error instead.
pub fn split_ucs2(text: &str, reference: u8) -> Vec<Segment> {
    let bytes = ucs2::encode(text);
    let mut ranges = ucs2_ranges(&bytes);
    ranges.truncate(MAX_SEGMENTS);
    build(&bytes, ranges, Concat::Udh8 { reference })
}

/// Decodes UCS-2/UTF-16BE bytes; unpaired surrogates and an odd trailing byte become U+FFFD.
pub fn decode_ucs2(bytes: &[u8]) -> String {
    ucs2::decode(bytes)
}

fn ucs2_ranges(bytes: &[u8]) -> Vec<std::ops::Range<usize>> {
    cut(bytes, Encoding::Ucs2, UCS2_SINGLE * 2, UCS2_PER_SEGMENT * 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_the_70_67_rule() {
        let cases = [
            (String::new(), 1),
            ("字".repeat(70), 1),
            ("字".repeat(71), 2),
            ("字".repeat(134), 2),
            ("字".repeat(135), 3),
            ("a".repeat(150), 3), // vendor example: 67 + 67 + 16
            ("a".repeat(160), 3), // 67 + 67 + 26
            ("😀".repeat(35), 1),
            ("😀".repeat(36), 2),
            ("字".repeat(67 * 300), 300),
        ];
        for (text, expected) in cases {
            assert_eq!(count_segments(&text), expected, "{} units", billing_len(&text));
        }
    }

    #[test]
    fn emoji_count_two() {
        assert_eq!(billing_len("😀"), 2);
        assert_eq!(billing_len("验证码"), 3);
        assert_eq!(billing_len("【签名】您好"), 6);
    }

    #[test]
    fn split_ucs2_matches_split() {
        for n in [0, 1, 70, 71, 134, 135, 500] {
            let text = format!("{}😀", "税".repeat(n));
            let expected = crate::split(&text, Encoding::Ucs2, Concat::Udh8 { reference: 9 }).unwrap();
            assert_eq!(split_ucs2(&text, 9), expected, "{n}");
            assert_eq!(count_segments(&text), expected.len(), "{n}");
        }
    }

    #[test]
    fn single_segment_has_no_udh() {
        let segs = split_ucs2("您好", 7);
        let expected = Segment { number: 1, total: 1, reference: 7, udh: false, payload: vec![0x60, 0xA8, 0x59, 0x7D] };
        assert_eq!(segs, vec![expected]);
    }

    #[test]
    fn long_message_segments_carry_udh_and_rejoin() {
        let text = "税".repeat(150);
        let segs = split_ucs2(&text, 0x2A);
        assert_eq!(segs.len(), 3);
        for (i, s) in segs.iter().enumerate() {
            assert_eq!(&s.payload[..6], &[0x05, 0x00, 0x03, 0x2A, 3, (i + 1) as u8]);
            assert!(s.payload.len() <= 140);
        }
        let joined: String = segs.iter().map(|s| decode_ucs2(&s.payload[6..])).collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn surrogate_pairs_are_never_split() {
        let text = format!("{}😀{}", "字".repeat(66), "字".repeat(10));
        let segs = split_ucs2(&text, 1);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].payload.len(), 6 + 66 * 2);
        assert_eq!(decode_ucs2(&segs[1].payload[6..]), format!("😀{}", "字".repeat(10)));
    }

    #[test]
    fn over_255_segments_is_cut_after_the_255th() {
        let segs = split_ucs2(&"字".repeat(67 * 256), 1);
        assert_eq!(segs.len(), 255);
        assert!(segs.iter().all(|s| s.total == 255));
    }
}
