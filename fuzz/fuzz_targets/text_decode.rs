//! Every public decoder of `hongyan-text` on arbitrary bytes: never panics, and where a round
//! trip holds it is asserted.
//! - `Encoding::decode` for all five encodings (and `decode_ucs2`): `can_encode` agrees with
//!   `encode`; decode(encode(decode(x))) == decode(x) whenever the text is encodable; and
//!   encode(decode(x)) == x where x is canonical: any Latin-1, ASCII bytes, well-formed
//!   UTF-16BE, escape-free septets. The decoded text then goes through `split` with every
//!   concatenation kind and back through `Udh::parse` and the `Reassembler`, which must give
//!   back the encoded bytes (`split_bytes` the same on the raw input).
//! - Septets: `unpack_septets` → `pack_septets` gives back the input but for the unused high
//!   bits of the last octet, and pack → unpack gives back the septets; `unpack_user_data` →
//!   `pack_user_data` → `unpack_user_data` with `user_data_septets` is the identity.
//! - `Udh::parse`: `to_bytes` gives back the header bytes exactly; a concatenation element
//!   survives `ConcatInfo::from_element` → `to_element`.
//! - `Reassembler`: parts read from the input (key, number, arrival time) never come out
//!   twice, come out in number order and complete, and nothing is dropped: every part not
//!   handed back is a repeat of one that was.
#![no_main]

use std::collections::HashSet;
use std::time::{Duration, Instant};

use hongyan_text::{
    billing_len, count, count_segments, decode_ucs2, pack_septets, pack_user_data, split, split_bytes, split_ucs2,
    unpack_septets, unpack_user_data, user_data_septets, Concat, ConcatInfo, Encoding, PartKey, Reassembler, Segment,
    Udh, MAX_SEGMENTS,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    encodings(data);
    septets(data);
    udh(data);
    reassembly(data);
    let reference = data.first().copied().unwrap_or(0);
    if let Ok(segments) = split_bytes(data, Concat::Udh16 { reference: u16::from(reference) << 8 | 0x5A }) {
        assert_eq!(reassemble(&segments), data, "split_bytes → UDH parse → reassembly gives back the input");
    }
});

/// Whether encode(decode(x)) must be x itself.
fn canonical(encoding: Encoding, data: &[u8]) -> bool {
    match encoding {
        Encoding::Latin1 => true,
        Encoding::Ascii => data.is_ascii(),
        Encoding::Ucs2 => {
            data.len() % 2 == 0
                && char::decode_utf16(data.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]))).all(|r| r.is_ok())
        }
        Encoding::Gsm7 => data.iter().all(|&b| b < 0x80 && b != 0x1B),
        Encoding::Gbk => false,
    }
}

fn encodings(data: &[u8]) {
    let reference = data.first().copied().unwrap_or(0);
    for encoding in Encoding::ALL {
        let text = encoding.decode(data);
        let _ = (encoding.to_string(), encoding.limits(), Encoding::choose(&text));
        let encoded = encoding.encode(&text);
        assert_eq!(encoding.can_encode(&text), encoded.is_ok(), "{encoding}: can_encode agrees with encode");
        let Ok(bytes) = encoded else {
            assert!(!canonical(encoding, data), "{encoding}: canonical input decodes to encodable text");
            continue;
        };
        assert_eq!(encoding.decode(&bytes), text, "{encoding}: decode(encode(decode(x))) == decode(x)");
        if canonical(encoding, data) {
            assert_eq!(bytes, data, "{encoding}: encode(decode(x)) == x for canonical input");
        }
        for concat in [
            Concat::Udh8 { reference },
            Concat::Udh16 { reference: u16::from(reference) << 8 | 1 },
            Concat::Sar { reference: u16::from(reference) },
            Concat::Payload,
        ] {
            let segments = split(&text, encoding, concat);
            assert_eq!(
                count(&text, encoding, concat),
                segments.as_ref().map(Vec::len).map_err(Clone::clone),
                "{encoding} {concat:?}: count agrees with split"
            );
            let Ok(segments) = segments else { continue };
            check_sizes(&segments, encoding, concat);
            assert_eq!(reassemble(&segments), bytes, "{encoding} {concat:?}: split → reassembly gives the encoding");
        }
    }

    let text = decode_ucs2(data);
    assert_eq!(text, Encoding::Ucs2.decode(data), "decode_ucs2 is Encoding::Ucs2.decode");
    assert_eq!(billing_len(&text), text.encode_utf16().count());
    let segments = count_segments(&text);
    if segments <= MAX_SEGMENTS {
        let parts = split_ucs2(&text, reference);
        assert_eq!(parts.len(), segments, "count_segments agrees with split_ucs2");
        let ucs2 = Encoding::Ucs2.encode(&text).expect("UCS-2 carries every text");
        assert_eq!(reassemble(&parts), ucs2, "split_ucs2 → reassembly gives the UTF-16BE bytes");
    }
}

/// Every segment fits what its carrier allows.
fn check_sizes(segments: &[Segment], encoding: Encoding, concat: Concat) {
    let limits = encoding.limits();
    let total = segments.len();
    assert!(total >= 1 && total <= MAX_SEGMENTS, "{total} segments");
    for (i, s) in segments.iter().enumerate() {
        assert_eq!((usize::from(s.number), usize::from(s.total)), (i + 1, total), "numbering");
        if matches!(concat, Concat::Payload) || total == 1 {
            assert!(!s.udh, "a single segment has no UDH");
            if total == 1 && !matches!(concat, Concat::Payload) {
                assert!(s.payload.len() <= limits.single, "single segment over {}", limits.single);
            }
            continue;
        }
        let (udh_len, room) = match concat {
            Concat::Udh8 { .. } => (6, limits.udh8),
            Concat::Udh16 { .. } => (7, limits.udh16),
            _ => (0, limits.udh16),
        };
        assert_eq!(s.udh, udh_len > 0, "UDH flag");
        assert!(s.payload.len() <= udh_len + room, "segment {} is {} bytes", s.number, s.payload.len());
    }
}

/// Parses each segment's UDH (when it has one), feeds a reassembler last part first, and
/// returns the joined bytes of the one message that must come out.
fn reassemble(segments: &[Segment]) -> Vec<u8> {
    let mut r = Reassembler::new(Duration::from_secs(300), 4);
    let now = Instant::now();
    let mut done = None;
    for s in segments.iter().rev() {
        let (number, total, reference, body) = if s.udh {
            let (udh, body) = Udh::parse(&s.payload).expect("our own UDH parses");
            let info = udh.concat().expect("our own UDH has a concatenation element");
            assert_eq!((info.number, info.total, info.reference), (s.number, s.total, s.reference));
            (info.number, info.total, info.reference, body.to_vec())
        } else {
            (s.number, s.total, s.reference, s.payload.clone())
        };
        let key = PartKey { originator: "8613800138000".into(), reference, total };
        assert!(done.is_none(), "the message completed before its last part");
        done = r.push(key, number, body, now);
    }
    assert_eq!(r.pending(), 0, "nothing left pending");
    done.expect("all parts pushed: the message is complete").joined()
}

fn septets(data: &[u8]) {
    let n = data.len() * 8 / 7;
    let septets = unpack_septets(data, n);
    assert_eq!(septets.len(), n, "octets hold len * 8 / 7 septets");
    assert!(septets.iter().all(|&s| s < 0x80), "septets are 7-bit");
    let packed = pack_septets(&septets);
    assert_eq!(packed.len(), data.len(), "the septets pack back into as many octets");
    if let Some((last, head)) = data.split_last() {
        let used = (n * 7) % 8;
        let mask = if used == 0 { 0xFF } else { (1u8 << used) - 1 };
        assert_eq!(&packed[..head.len()], head, "pack(unpack(x)) == x");
        assert_eq!(packed[head.len()], last & mask, "pack(unpack(x)) == x but the unused bits");
    }
    assert_eq!(unpack_septets(&packed, n), septets, "unpack(pack(s)) == s");

    let wanted = usize::from(data.first().copied().unwrap_or(0));
    assert_eq!(unpack_septets(data, wanted).len(), wanted.min(n), "a septet count is honoured up to what is there");
    let repacked = unpack_septets(&pack_septets(data), data.len());
    assert!(repacked.iter().zip(data).all(|(&s, &b)| s == b & 0x7F), "pack ignores the high bit");
    assert_eq!(repacked.len(), data.len());

    for udh in [false, true] {
        let unpacked = unpack_user_data(data, udh, n);
        let packed = pack_user_data(&unpacked, udh);
        let udl = user_data_septets(&unpacked, udh);
        let again = unpack_user_data(&packed, udh, udl);
        // A UDHL pointing past the end is clamped to the data; packing then adds fill bits
        // after the "header", which the clamp reads as header on the way back. No round trip
        // is promised for such a header.
        let header_fits = !udh || data.first().is_none_or(|&udhl| usize::from(udhl) < data.len());
        if header_fits {
            assert_eq!(again, unpacked, "unpack(pack(u)) == u (udh {udh})");
        }
    }
}

fn udh(data: &[u8]) {
    let Ok((udh, body)) = Udh::parse(data) else { return };
    let header = &data[..data.len() - body.len()];
    assert_eq!(&data[header.len()..], body, "the body is what follows the header");
    assert_eq!(udh.to_bytes(), header, "a parsed UDH re-encodes byte for byte");
    for element in &udh.elements {
        if let Some(info) = ConcatInfo::from_element(element) {
            assert_eq!(&info.to_element(), element, "a concatenation element survives its info");
            assert_eq!(ConcatInfo::from_element(&info.to_element()), Some(info));
        }
    }
    let concat = udh.concat();
    if let Some(info) = concat {
        assert!(info.number >= 1 && info.number <= info.total, "receiver rules: {info:?}");
    }
    let rest = udh.without_concat();
    assert_eq!(rest.concat(), None, "without_concat has no concatenation");
    assert!(rest.elements.len() <= udh.elements.len());
}

/// Parts from the input, 4 bytes each: key (originator 0–3, reference 0–1, total 0–4), part
/// number 0–5, seconds since the previous part (0–127), and whether to poll for expired
/// messages first. Parts are told apart by their index.
fn reassembly(data: &[u8]) {
    let mut r: Reassembler<Vec<u8>> = Reassembler::new(Duration::from_secs(60), 3);
    let start = Instant::now();
    let mut now = start;
    let mut pushed: Vec<(PartKey, u8)> = Vec::new();
    let mut out: Vec<(usize, PartKey, u8)> = Vec::new();
    for (index, chunk) in data.chunks_exact(4).enumerate() {
        let key = PartKey {
            originator: format!("86138{}", chunk[0] & 3),
            reference: u16::from(chunk[0] >> 2 & 1),
            total: (chunk[0] >> 3) % 5,
        };
        let number = chunk[1] % 6;
        now += Duration::from_secs(u64::from(chunk[2] & 0x7F));
        if chunk[2] & 0x80 != 0 {
            take_expired(&mut r, now, &mut out);
        }
        let id = u16::try_from(index).expect("inputs are far below 256 KiB");
        pushed.push((key.clone(), number));
        if let Some(complete) = r.push(key.clone(), number, [number, (id >> 8) as u8, id as u8].to_vec(), now) {
            assert_eq!(complete.key, key, "the message completed is the part's");
            let single = key.total <= 1 || number == 0 || number > key.total;
            if single {
                assert_eq!(complete.parts.len(), 1, "a part outside concatenation is complete alone");
            } else {
                assert_eq!(complete.parts.len(), usize::from(key.total), "a complete message has all its parts");
            }
            for (i, part) in complete.parts.iter().enumerate() {
                if !single {
                    assert_eq!(usize::from(part[0]), i + 1, "parts come out in number order");
                }
                out.push((part_index(part), complete.key.clone(), part[0]));
            }
        }
        assert!(r.pending() <= 3, "at most max_pending messages wait");
        if let Some(at) = r.poll_timeout() {
            assert!(at >= start, "a deadline before the first part");
        }
    }
    take_expired(&mut r, now + Duration::from_secs(3600), &mut out);
    assert_eq!(r.pending(), 0, "everything expires eventually");
    assert_eq!(r.poll_timeout(), None, "nothing left to time out");

    let mut seen = HashSet::new();
    for (index, key, number) in &out {
        assert!(seen.insert(*index), "part {index} handed back twice");
        assert_eq!(&pushed[*index], &(key.clone(), *number), "part {index} handed back under another key");
    }
    let handed_back: HashSet<(PartKey, u8)> = out.iter().map(|(_, k, n)| (k.clone(), *n)).collect();
    for (index, part) in pushed.iter().enumerate() {
        assert!(
            seen.contains(&index) || handed_back.contains(part),
            "part {index} {part:?} was dropped without a repeat of it being handed back"
        );
    }
}

fn part_index(part: &[u8]) -> usize {
    usize::from(u16::from_be_bytes([part[1], part[2]]))
}

fn take_expired(r: &mut Reassembler<Vec<u8>>, now: Instant, out: &mut Vec<(usize, PartKey, u8)>) {
    for incomplete in r.poll_expired(now) {
        let numbers: Vec<u8> = incomplete.parts.iter().map(|(n, _)| *n).collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]), "given-up parts in number order: {numbers:?}");
        assert!(numbers.iter().all(|&n| n >= 1 && n <= incomplete.key.total), "numbers within the total");
        let missing = incomplete.missing();
        assert_eq!(missing.len() + numbers.len(), usize::from(incomplete.key.total), "missing + arrived = total");
        for (number, part) in &incomplete.parts {
            assert_eq!(part[0], *number, "a part is kept under its own number");
            out.push((part_index(part), incomplete.key.clone(), *number));
        }
    }
}
