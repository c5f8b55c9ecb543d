//! The decoders of encryption at rest and of billing input, on arbitrary bytes:
//! - a sealed value read back from the database (`KeyRing::open`): never panics, and never
//!   opens unless it is exactly what was sealed — a forgery, or a real blob with any byte
//!   changed, under another label, is refused;
//! - a key file or variable (`KeyRing::parse`): never panics; a ring it accepts has 1 to 3
//!   distinct keys, the newest first, and opens what it seals;
//! - a price (`Money::parse_price`) and a statement period (`period`): never panic; an accepted
//!   price prints back to itself and is within bounds.
#![no_main]

use std::sync::OnceLock;

use hongyan_engine::statement::period;
use hongyan_seal::{new_entry, Algorithm, KeyRing};
use hongyan_types::{Money, MAX_PRICE};
use libfuzzer_sys::fuzz_target;

fn rings() -> &'static [KeyRing; 2] {
    static RINGS: OnceLock<[KeyRing; 2]> = OnceLock::new();
    RINGS.get_or_init(|| {
        let entries = format!("{}{}", new_entry(1), new_entry(2));
        [Algorithm::Aes256Gcm, Algorithm::Sm4Gcm].map(|a| KeyRing::parse(&entries, a).expect("two fresh keys"))
    })
}

fuzz_target!(|data: &[u8]| {
    let (first, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
    let ring = &rings()[usize::from(first & 1)];
    // Arbitrary bytes as a stored blob: nothing the fuzzer writes can be a genuine seal.
    assert!(ring.open("to", rest).is_err(), "a blob nobody sealed opened");
    // A genuine blob: it opens, and changing any one byte (as chosen by the input) breaks it.
    let sealed = ring.seal("content", rest);
    assert_eq!(ring.open("content", &sealed).expect("opens"), rest);
    assert!(ring.open("to", &sealed).is_err(), "opened under another label");
    let mut altered = sealed.clone();
    let i = usize::from(first) % altered.len();
    altered[i] ^= 1 | (first >> 1);
    assert!(ring.open("content", &altered).is_err(), "byte {i} changed and still opened");

    let text = String::from_utf8_lossy(rest);
    if let Ok(parsed) = KeyRing::parse(&text, Algorithm::Aes256Gcm) {
        let ids = parsed.ids();
        assert!((1..=3).contains(&ids.len()) && ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
        assert_eq!(parsed.open("x", &parsed.seal("x", b"13800138000")).expect("opens"), b"13800138000");
    }
    if let Ok(price) = Money::parse_price(&text) {
        assert!(price.0 >= 0 && price <= MAX_PRICE);
        assert_eq!(Money::parse_price(&price.to_string()), Ok(price), "{text:?}");
    }
    let (from, to) = text.split_once(' ').unwrap_or((&text, &text));
    if let Ok((start, until)) = period(from, to) {
        assert!(start < until);
    }
});
