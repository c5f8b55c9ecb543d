//! SMS text: how long a message is, how it is cut into segments, how segments look on the wire.
//!
//! What it owns today: UCS-2 (UTF-16BE) encoding, the Chinese counting rule (70 code units for
//! one message, 67 per segment of a long one, see `segmentation.md` §4), and splitting into
//! segments that each carry an 8-bit-reference concatenation UDH (`05 00 03 ref total seq`),
//! never cutting a surrogate pair in half.
//!
//! What it does not do yet (issue 3): GSM 7-bit, GBK, 16-bit-reference UDH, SMPP sar_* and
//! reassembly of incoming long messages. It never decides which encoding a carrier wants; the
//! gateway does.
#![warn(missing_docs)]

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
/// where a surrogate pair would straddle a cut).
pub fn count_segments(text: &str) -> usize {
    let units: Vec<u16> = text.encode_utf16().collect();
    cut_points(&units).len().max(1)
}

/// One segment ready for a carrier: the bytes to send (UDH included when `udh` is true) and
/// its place in the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// 1-based position.
    pub number: u8,
    /// Number of segments of the message.
    pub total: u8,
    /// True when `payload` begins with a concatenation UDH (set TP-UDHI / esm_class 0x40).
    pub udh: bool,
    /// UCS-2 bytes, UDH first when present.
    pub payload: Vec<u8>,
}

/// Splits `text` into UCS-2 segments. A single segment carries no UDH; a long message gets
/// `05 00 03 reference total number` in front of every part.
pub fn split_ucs2(text: &str, reference: u8) -> Vec<Segment> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let ranges = cut_points(&units);
    let total = ranges.len();
    if total <= 1 {
        return vec![Segment { number: 1, total: 1, udh: false, payload: to_be_bytes(&units) }];
    }
    ranges
        .into_iter()
        .enumerate()
        .map(|(i, (start, end))| {
            let mut payload = vec![0x05, 0x00, 0x03, reference, total as u8, (i + 1) as u8];
            payload.extend(to_be_bytes(&units[start..end]));
            Segment { number: (i + 1) as u8, total: total as u8, udh: true, payload }
        })
        .collect()
}

/// Decodes UCS-2/UTF-16BE bytes; unpaired surrogates and an odd trailing byte become U+FFFD.
pub fn decode_ucs2(bytes: &[u8]) -> String {
    let units = bytes.chunks(2).map(|c| if c.len() == 2 { u16::from_be_bytes([c[0], c[1]]) } else { 0xFFFD });
    char::decode_utf16(units).map(|r| r.unwrap_or('\u{FFFD}')).collect()
}

fn to_be_bytes(units: &[u16]) -> Vec<u8> {
    units.iter().flat_map(|u| u.to_be_bytes()).collect()
}

/// Half-open ranges of code units per segment.
fn cut_points(units: &[u16]) -> Vec<(usize, usize)> {
    if units.len() <= UCS2_SINGLE {
        return vec![(0, units.len())];
    }
    let mut out = Vec::new();
    let mut start = 0;
    while start < units.len() {
        let mut end = (start + UCS2_PER_SEGMENT).min(units.len());
        // Never end a segment on a high surrogate: its pair would land in the next one.
        if end < units.len() && (0xD800..0xDC00).contains(&units[end - 1]) {
            end -= 1;
        }
        out.push((start, end));
        start = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_follow_the_70_67_rule() {
        assert_eq!(count_segments(""), 1);
        assert_eq!(count_segments(&"字".repeat(70)), 1);
        assert_eq!(count_segments(&"字".repeat(71)), 2);
        assert_eq!(count_segments(&"字".repeat(134)), 2);
        assert_eq!(count_segments(&"字".repeat(135)), 3);
        assert_eq!(count_segments(&"a".repeat(150)), 3);
        assert_eq!(count_segments(&"a".repeat(160)), 3);
    }

    #[test]
    fn emoji_count_two() {
        assert_eq!(billing_len("😀"), 2);
        assert_eq!(billing_len("验证码"), 3);
    }

    #[test]
    fn single_segment_has_no_udh() {
        let segs = split_ucs2("您好", 7);
        assert_eq!(segs, vec![Segment { number: 1, total: 1, udh: false, payload: vec![0x60, 0xA8, 0x59, 0x7D] }]);
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
        // 66 units of CJK then an emoji: the pair would straddle the 67-unit cut.
        let text = format!("{}😀{}", "字".repeat(66), "字".repeat(10));
        let segs = split_ucs2(&text, 1);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].payload.len(), 6 + 66 * 2);
        assert_eq!(decode_ucs2(&segs[1].payload[6..]), format!("😀{}", "字".repeat(10)));
    }
}
