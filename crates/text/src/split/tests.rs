//! Table-driven boundary tests for `split` (segmentation.md §1) and split→join properties.

use proptest::prelude::*;

use super::*;
use crate::{pack_user_data, Udh};

const U8: Concat = Concat::Udh8 { reference: 0x2A };
const U16: Concat = Concat::Udh16 { reference: 0x1234 };
const SAR: Concat = Concat::Sar { reference: 0x1234 };

/// Content bytes per segment (UDH stripped).
fn sizes(segments: &[Segment]) -> Vec<usize> {
    segments.iter().map(|s| s.payload.len() - header_len(s)).collect()
}

fn header_len(segment: &Segment) -> usize {
    if segment.udh {
        usize::from(segment.payload[0]) + 1
    } else {
        0
    }
}

fn join(segments: &[Segment], encoding: Encoding) -> String {
    let bytes: Vec<u8> = segments.iter().flat_map(|s| s.payload[header_len(s)..].to_vec()).collect();
    encoding.decode(&bytes)
}

#[test]
fn segment_counts_at_every_boundary() {
    let a = |n: usize| "a".repeat(n);
    let zi = |n: usize| "字".repeat(n);
    let cases: Vec<(&str, String, Encoding, Concat, usize)> = vec![
        ("gsm7 160", a(160), Encoding::Gsm7, U8, 1),
        ("gsm7 161", a(161), Encoding::Gsm7, U8, 2),
        ("gsm7 153x2", a(306), Encoding::Gsm7, U8, 2),
        ("gsm7 153x2+1", a(307), Encoding::Gsm7, U8, 3),
        ("gsm7 153x3", a(459), Encoding::Gsm7, U8, 3),
        ("gsm7 152x2 udh16", a(304), Encoding::Gsm7, U16, 2),
        ("gsm7 152x2+1 udh16", a(305), Encoding::Gsm7, U16, 3),
        ("gsm7 80 euro = 160 septets", "€".repeat(80), Encoding::Gsm7, U8, 1),
        ("gsm7 81 euro = 162 septets", "€".repeat(81), Encoding::Gsm7, U8, 2),
        ("ucs2 70", zi(70), Encoding::Ucs2, U8, 1),
        ("ucs2 71", zi(71), Encoding::Ucs2, U8, 2),
        ("ucs2 67x2", zi(134), Encoding::Ucs2, U8, 2),
        ("ucs2 67x2+1", zi(135), Encoding::Ucs2, U8, 3),
        ("ucs2 67x3", zi(201), Encoding::Ucs2, U8, 3),
        ("ucs2 66x2 udh16", zi(132), Encoding::Ucs2, U16, 2),
        ("ucs2 66x2+1 udh16", zi(133), Encoding::Ucs2, U16, 3),
        ("ucs2 66x2 sar", zi(132), Encoding::Ucs2, SAR, 2),
        ("ucs2 66x2+1 sar", zi(133), Encoding::Ucs2, SAR, 3),
        ("ucs2 35 emoji = 70 units", "😀".repeat(35), Encoding::Ucs2, U8, 1),
        ("ucs2 36 emoji = 72 units", "😀".repeat(36), Encoding::Ucs2, U8, 2),
        ("8-bit 140", a(140), Encoding::Latin1, U8, 1),
        ("8-bit 141", a(141), Encoding::Latin1, U8, 2),
        ("8-bit 134x2", a(268), Encoding::Latin1, U8, 2),
        ("8-bit 134x2+1", a(269), Encoding::Latin1, U8, 3),
        ("8-bit 133x2 udh16", a(266), Encoding::Latin1, U16, 2),
        ("8-bit 133x2+1 udh16", a(267), Encoding::Latin1, U16, 3),
        ("ascii 140", a(140), Encoding::Ascii, U8, 1),
        ("ascii 141", a(141), Encoding::Ascii, U8, 2),
        ("gbk 70 hanzi", zi(70), Encoding::Gbk, U8, 1),
        ("gbk 71 hanzi", zi(71), Encoding::Gbk, U8, 2),
        ("gbk 67x2 hanzi", zi(134), Encoding::Gbk, U8, 2),
        ("gbk 67x2+1 hanzi", zi(135), Encoding::Gbk, U8, 3),
        ("gbk 140 ascii", a(140), Encoding::Gbk, U8, 1),
        ("payload long", zi(1000), Encoding::Ucs2, Concat::Payload, 1),
        ("empty", String::new(), Encoding::Gsm7, U8, 1),
    ];
    for (name, text, encoding, concat, expected) in cases {
        let segments = split(&text, encoding, concat).unwrap();
        assert_eq!(segments.len(), expected, "{name}");
        assert_eq!(count(&text, encoding, concat), Ok(expected), "{name}");
        assert_eq!(join(&segments, encoding), text, "{name}");
    }
}

#[test]
fn at_most_255_segments() {
    let cases: Vec<(String, Encoding, Concat)> = vec![
        ("a".repeat(153 * 255), Encoding::Gsm7, U8),
        ("a".repeat(152 * 255), Encoding::Gsm7, U16),
        ("字".repeat(67 * 255), Encoding::Ucs2, U8),
        ("字".repeat(66 * 255), Encoding::Ucs2, SAR),
        ("a".repeat(134 * 255), Encoding::Latin1, U8),
        ("字".repeat(67 * 255), Encoding::Gbk, U8),
    ];
    for (text, encoding, concat) in cases {
        let segments = split(&text, encoding, concat).unwrap();
        assert_eq!(segments.len(), 255, "{encoding} {concat:?}");
        assert_eq!(segments[254].number, 255);
        assert!(segments.iter().all(|s| s.total == 255));
        let longer = format!("{text}a");
        assert_eq!(split(&longer, encoding, concat), Err(TextError::TooManySegments { needed: 256 }), "{encoding}");
        assert_eq!(count(&longer, encoding, concat), Err(TextError::TooManySegments { needed: 256 }));
    }
}

#[test]
fn payload_is_one_segment_up_to_65535_octets() {
    let fits = split_bytes(&vec![0x41; MAX_PAYLOAD_OCTETS], Concat::Payload).unwrap();
    assert_eq!(fits.len(), 1);
    assert_eq!((fits[0].number, fits[0].total, fits[0].udh), (1, 1, false));
    assert_eq!(split_bytes(&vec![0x41; 65_536], Concat::Payload), Err(TextError::PayloadTooLong { octets: 65_536 }));
    assert_eq!(
        split(&"字".repeat(32_768), Encoding::Ucs2, Concat::Payload),
        Err(TextError::PayloadTooLong { octets: 65_536 })
    );
}

#[test]
fn udh_bytes_in_every_segment() {
    let segments = split(&"a".repeat(400), Encoding::Gsm7, U8).unwrap();
    for (i, s) in segments.iter().enumerate() {
        assert_eq!(&s.payload[..6], &[0x05, 0x00, 0x03, 0x2A, 0x03, i as u8 + 1]);
        assert!(s.udh);
        assert_eq!((s.number, s.total, s.reference), (i as u8 + 1, 3, 0x2A));
    }
    let segments = split(&"a".repeat(400), Encoding::Gsm7, U16).unwrap();
    for (i, s) in segments.iter().enumerate() {
        assert_eq!(&s.payload[..7], &[0x06, 0x08, 0x04, 0x12, 0x34, 0x03, i as u8 + 1]);
        let (udh, _) = Udh::parse(&s.payload).unwrap();
        let info = udh.concat().unwrap();
        assert_eq!((info.reference, info.total, info.number, info.wide), (0x1234, 3, i as u8 + 1, true));
    }
}

#[test]
fn single_segment_and_sar_carry_no_udh() {
    let segments = split("您好", Encoding::Ucs2, U8).unwrap();
    let expected = Segment { number: 1, total: 1, reference: 0x2A, udh: false, payload: vec![0x60, 0xA8, 0x59, 0x7D] };
    assert_eq!(segments, vec![expected]);
    let segments = split(&"字".repeat(100), Encoding::Ucs2, SAR).unwrap();
    assert_eq!(sizes(&segments), [132, 68]);
    for (i, s) in segments.iter().enumerate() {
        assert_eq!((s.number, s.total, s.reference, s.udh), (i as u8 + 1, 2, 0x1234, false));
    }
}

#[test]
fn cuts_never_split_a_unit() {
    let zi = |n: usize| "字".repeat(n);
    let cases: Vec<(&str, String, Encoding, Concat, Vec<usize>)> = vec![
        // 66 units then an emoji: the pair would straddle the 67-unit cut.
        ("emoji at 67", format!("{}😀{}", zi(66), zi(10)), Encoding::Ucs2, U8, vec![132, 24]),
        ("emoji ends at 67", format!("{}😀{}", zi(65), zi(10)), Encoding::Ucs2, U8, vec![134, 20]),
        ("emoji at 66 udh16", format!("{}😀{}", zi(65), zi(10)), Encoding::Ucs2, U16, vec![130, 24]),
        ("escape at 153", format!("{}€{}", "a".repeat(152), "b".repeat(10)), Encoding::Gsm7, U8, vec![152, 12]),
        ("escape ends at 153", format!("{}€{}", "a".repeat(151), "b".repeat(10)), Encoding::Gsm7, U8, vec![153, 10]),
        ("escape at 152 udh16", format!("{}^{}", "a".repeat(151), "b".repeat(10)), Encoding::Gsm7, U16, vec![151, 12]),
        ("81 euros", "€".repeat(81), Encoding::Gsm7, U8, vec![152, 10]),
        ("8-bit 134 then 135", "a".repeat(270), Encoding::Latin1, U8, vec![134, 134, 2]),
        ("8-bit 133 udh16", "a".repeat(270), Encoding::Latin1, U16, vec![133, 133, 4]),
        ("gsm7 153 then 154", "a".repeat(310), Encoding::Gsm7, U8, vec![153, 153, 4]),
        ("ucs2 67 then 68", "字".repeat(140), Encoding::Ucs2, U8, vec![134, 134, 12]),
        ("gbk hanzi at 134", format!("a{}", zi(70)), Encoding::Gbk, U8, vec![133, 8]),
        ("gbk hanzi at 133 udh16", zi(70) + "a", Encoding::Gbk, U16, vec![132, 9]),
    ];
    for (name, text, encoding, concat, expected) in cases {
        let segments = split(&text, encoding, concat).unwrap();
        assert_eq!(sizes(&segments), expected, "{name}");
        assert_eq!(join(&segments, encoding), text, "{name}");
        for s in &segments {
            assert!(!encoding.decode(&s.payload[header_len(s)..]).contains('\u{FFFD}'), "{name}");
        }
    }
}

#[test]
fn gsm7_segments_pack_into_140_octets() {
    for (text, concat) in [("a".repeat(1000), U8), ("a".repeat(1000), U16), ("€".repeat(500), U8)] {
        for s in split(&text, Encoding::Gsm7, concat).unwrap() {
            assert!(pack_user_data(&s.payload, s.udh).len() <= 140);
        }
    }
}

#[test]
fn unencodable_text_is_an_error() {
    assert_eq!(
        split("ok 😀", Encoding::Gbk, U8),
        Err(TextError::Unencodable { encoding: Encoding::Gbk, ch: '😀', index: 3 })
    );
    assert!(matches!(split("中", Encoding::Gsm7, U8), Err(TextError::Unencodable { .. })));
}

fn gsm7_chars() -> Vec<char> {
    let basic =
        (0u8..0x80).filter(|&s| s != 0x1B).flat_map(|s| Encoding::Gsm7.decode(&[s]).chars().collect::<Vec<_>>());
    basic.chain("\u{0C}^{}\\[~]|€".chars()).collect()
}

fn text_for(encoding: Encoding) -> BoxedStrategy<String> {
    let chars: BoxedStrategy<char> = match encoding {
        Encoding::Gsm7 => prop::sample::select(gsm7_chars()).boxed(),
        Encoding::Ascii => (0u8..0x80).prop_map(char::from).boxed(),
        Encoding::Latin1 => any::<u8>().prop_map(char::from).boxed(),
        Encoding::Ucs2 => any::<char>().boxed(),
        Encoding::Gbk => prop_oneof![
            (0u8..0x80).prop_map(char::from),
            (0x4E00u32..=0x9FA5).prop_map(|c| char::from_u32(c).unwrap()),
            Just('€'),
            Just('【'),
        ]
        .boxed(),
    };
    prop::collection::vec(chars, 0..500).prop_map(|v| v.into_iter().collect()).boxed()
}

fn concat_strategy() -> impl Strategy<Value = Concat> {
    prop_oneof![
        any::<u8>().prop_map(|reference| Concat::Udh8 { reference }),
        any::<u16>().prop_map(|reference| Concat::Udh16 { reference }),
        any::<u16>().prop_map(|reference| Concat::Sar { reference }),
        Just(Concat::Payload),
    ]
}

fn check_split_join(text: &str, encoding: Encoding, concat: Concat) -> Result<(), TestCaseError> {
    let segments = split(text, encoding, concat).unwrap();
    prop_assert_eq!(join(&segments, encoding), text);
    let total = segments.len();
    for (i, s) in segments.iter().enumerate() {
        prop_assert_eq!((usize::from(s.number), usize::from(s.total)), (i + 1, total));
        let limit = if total == 1 { encoding.limits().single } else { concat.part_limit(encoding).unwrap() };
        if concat != Concat::Payload {
            prop_assert!(s.payload.len() - header_len(s) <= limit);
        }
        prop_assert_eq!(s.udh, total > 1 && matches!(concat, Concat::Udh8 { .. } | Concat::Udh16 { .. }));
    }
    Ok(())
}

fn encoding_and_text() -> impl Strategy<Value = (Encoding, String)> {
    prop::sample::select(Encoding::ALL.to_vec()).prop_flat_map(|encoding| (Just(encoding), text_for(encoding)))
}

proptest! {
    #[test]
    fn split_then_join_gives_back_the_text((encoding, text) in encoding_and_text(), concat in concat_strategy()) {
        check_split_join(&text, encoding, concat)?;
    }

    #[test]
    fn decode_never_panics(
        encoding in prop::sample::select(Encoding::ALL.to_vec()),
        bytes in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let _ = encoding.decode(&bytes);
    }
}
