//! Packing GSM 7-bit septets into octets, for peers (mostly SMPP) that want packed user data
//! (segmentation.md §6 "Packing", §1 fill bits).
//!
//! Septets are packed little end first: septet 1 in bits 0–6 of octet 1, the low bit of septet
//! 2 in bit 7, and so on; 8 septets take 7 octets. After an octet-aligned UDH, fill bits pad
//! to the next septet boundary so that the text starts on one (6-octet UDH: 1 fill bit).

/// Packs unpacked septets (one per byte; the high bit is ignored) into octets.
pub fn pack_septets(septets: &[u8]) -> Vec<u8> {
    pack_at(septets, 0)
}

/// Unpacks `count` septets from packed octets; fewer when the octets hold fewer.
///
/// Pass the septet count from the PDU (TP-UDL) when there is one: 7 septets fill 7 octets up
/// to 7 spare bits, which `octets.len() * 8 / 7` would read as a trailing `@`.
pub fn unpack_septets(octets: &[u8], count: usize) -> Vec<u8> {
    unpack_at(octets, 0, count)
}

/// Packs one segment's payload as [`split`](crate::split) returns it for GSM 7-bit (UDH, if
/// `udh`, then one septet per byte): the UDH is copied as is, fill bits follow it, then the
/// packed septets.
pub fn pack_user_data(payload: &[u8], udh: bool) -> Vec<u8> {
    let header = header_len(payload, udh);
    let mut out = payload[..header].to_vec();
    out.extend(pack_at(&payload[header..], fill_bits(header)));
    out
}

/// TP-UDL for [`pack_user_data`]'s output, in septets: the header and its fill bits rounded to
/// septets, plus the text's septets.
pub fn user_data_septets(payload: &[u8], udh: bool) -> usize {
    let header = header_len(payload, udh);
    (header * 8 + fill_bits(header)) / 7 + (payload.len() - header)
}

/// The inverse of [`pack_user_data`]: `udl` is the TP-UDL in septets, header included.
/// Returns the UDH (if `udh`) followed by one septet per byte. Never panics on bad input.
pub fn unpack_user_data(user_data: &[u8], udh: bool, udl: usize) -> Vec<u8> {
    let header = header_len(user_data, udh);
    let fill = fill_bits(header);
    let text_septets = udl.saturating_sub((header * 8 + fill) / 7);
    let mut out = user_data[..header].to_vec();
    out.extend(unpack_at(&user_data[header..], fill, text_septets));
    out
}

/// Octets of the UDH including the UDHL octet, clamped to what is there.
fn header_len(user_data: &[u8], udh: bool) -> usize {
    match user_data.first() {
        Some(&udhl) if udh => (usize::from(udhl) + 1).min(user_data.len()),
        _ => 0,
    }
}

/// Bits between an octet-aligned header of `header` octets and the next septet boundary.
fn fill_bits(header: usize) -> usize {
    (7 - header * 8 % 7) % 7
}

fn pack_at(septets: &[u8], fill: usize) -> Vec<u8> {
    let mut out = vec![0u8; (fill + septets.len() * 7).div_ceil(8)];
    for (i, &septet) in septets.iter().enumerate() {
        let bit = fill + i * 7;
        let shifted = u16::from(septet & 0x7F) << (bit % 8);
        out[bit / 8] |= shifted as u8;
        if let Some(next) = out.get_mut(bit / 8 + 1) {
            *next |= (shifted >> 8) as u8;
        }
    }
    out
}

fn unpack_at(octets: &[u8], fill: usize, count: usize) -> Vec<u8> {
    let available = (octets.len() * 8).saturating_sub(fill) / 7;
    (0..count.min(available))
        .map(|i| {
            let bit = fill + i * 7;
            let low = u16::from(octets[bit / 8]);
            let high = u16::from(octets.get(bit / 8 + 1).copied().unwrap_or(0));
            ((high << 8 | low) >> (bit % 8)) as u8 & 0x7F
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Encoding;

    fn septets(text: &str) -> Vec<u8> {
        Encoding::Gsm7.encode(text).unwrap()
    }

    #[test]
    fn known_vectors() {
        let cases: &[(&str, &[u8])] = &[
            ("hellohello", &[0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]),
            ("hello", &[0xE8, 0x32, 0x9B, 0xFD, 0x06]),
            // 8 septets fill exactly 7 octets.
            ("12345678", &[0x31, 0xD9, 0x8C, 0x56, 0xB3, 0xDD, 0x70]),
            ("", &[]),
        ];
        for &(text, packed) in cases {
            assert_eq!(pack_septets(&septets(text)), packed, "{text:?}");
            assert_eq!(unpack_septets(packed, text.len()), septets(text), "{text:?}");
        }
    }

    #[test]
    fn octet_counts() {
        for (n, octets) in [(1, 1), (7, 7), (8, 7), (9, 8), (153, 134), (160, 140)] {
            assert_eq!(pack_septets(&vec![0x7F; n]).len(), octets, "{n} septets");
        }
    }

    #[test]
    fn count_resolves_the_trailing_padding() {
        let packed = pack_septets(&septets("1234567"));
        assert_eq!(packed.len(), 7);
        assert_eq!(unpack_septets(&packed, 7), septets("1234567"));
        // Without the count the 7 spare bits read as '@'.
        assert_eq!(unpack_septets(&packed, usize::MAX), septets("1234567@"));
    }

    #[test]
    fn udh_is_followed_by_fill_bits() {
        let udh8 = [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01];
        let mut payload = udh8.to_vec();
        payload.extend(septets("hello"));
        let packed = pack_user_data(&payload, true);
        assert_eq!(&packed[..6], &udh8);
        // 1 fill bit: the text starts at bit 1 of octet 6.
        let mut expected = pack_septets(&septets("hello"));
        expected = shift_left_one(&expected, 5);
        assert_eq!(&packed[6..], &expected[..]);
        assert_eq!(user_data_septets(&payload, true), 7 + 5);
        assert_eq!(unpack_user_data(&packed, true, 12), payload);
    }

    fn shift_left_one(octets: &[u8], septet_count: usize) -> Vec<u8> {
        let mut out = vec![0u8; (1 + septet_count * 7).div_ceil(8)];
        for (i, &b) in octets.iter().enumerate() {
            out[i] |= b << 1;
            if let Some(next) = out.get_mut(i + 1) {
                *next |= b >> 7;
            }
        }
        out
    }

    #[test]
    fn sixteen_bit_udh_needs_no_fill() {
        let udh16 = [0x06, 0x08, 0x04, 0x01, 0x02, 0x02, 0x01];
        let mut payload = udh16.to_vec();
        payload.extend(vec![0x41; 152]);
        let packed = pack_user_data(&payload, true);
        assert_eq!(packed.len(), 140);
        assert_eq!(&packed[7..], &pack_septets(&[0x41; 152])[..]);
        assert_eq!(user_data_septets(&payload, true), 160);
        assert_eq!(unpack_user_data(&packed, true, 160), payload);
    }

    #[test]
    fn full_segments_fill_140_octets() {
        let mut payload = vec![0x05, 0x00, 0x03, 0x01, 0x02, 0x01];
        payload.extend(vec![0x41; 153]);
        assert_eq!(pack_user_data(&payload, true).len(), 140);
        assert_eq!(user_data_septets(&payload, true), 160);
        assert_eq!(pack_user_data(&[0x41; 160], false).len(), 140);
    }

    #[test]
    fn bad_input_does_not_panic() {
        assert_eq!(unpack_user_data(&[], true, 10), Vec::<u8>::new());
        assert_eq!(unpack_user_data(&[0x09, 0x00], true, 10), vec![0x09, 0x00]);
        // A header with no text still takes its fill bits: UDL 2 septets, 2 octets.
        assert_eq!(pack_user_data(&[0x09], true), vec![0x09, 0x00]);
        assert_eq!(unpack_septets(&[0xFF], 5), vec![0x7F]);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::{split, Concat, Encoding};

    proptest! {
        #[test]
        fn packing_round_trips(septets in prop::collection::vec(0u8..0x80, 0..400)) {
            let packed = pack_septets(&septets);
            prop_assert_eq!(packed.len(), (septets.len() * 7).div_ceil(8));
            prop_assert_eq!(unpack_septets(&packed, septets.len()), septets);
        }

        #[test]
        fn packed_segments_round_trip(text in "[ -_a-z€{}]{0,400}", reference in any::<u16>(), wide in any::<bool>()) {
            let concat = if wide { Concat::Udh16 { reference } } else { Concat::Udh8 { reference: reference as u8 } };
            for s in split(&text, Encoding::Gsm7, concat).unwrap() {
                let packed = pack_user_data(&s.payload, s.udh);
                prop_assert!(packed.len() <= 140);
                let udl = user_data_septets(&s.payload, s.udh);
                prop_assert!(udl <= 160);
                prop_assert_eq!(unpack_user_data(&packed, s.udh, udl), s.payload);
            }
        }

        #[test]
        fn unpacking_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200), udh in any::<bool>(), udl in 0usize..400) {
            let _ = unpack_user_data(&bytes, udh, udl);
            let _ = unpack_septets(&bytes, udl);
        }
    }
}
