use super::*;

fn ring(entries: &str, algorithm: Algorithm) -> KeyRing {
    KeyRing::parse(entries, algorithm).unwrap()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Master key 0x00..0x1f as an entry with id `id`.
fn counting_entry(id: u32) -> String {
    let master: Vec<u8> = (0..32).collect();
    format!("{id}:{}", base64::engine::general_purpose::STANDARD.encode(master))
}

#[test]
fn sm4_gcm_matches_the_rfc_8998_vector() {
    // RFC 8998 appendix A.1; OpenSSL (via Python's cryptography) gives the same bytes.
    let cipher = Sm4Gcm::new_from_slice(&hex("0123456789ABCDEFFEDCBA9876543210")).unwrap();
    let plain = hex(&["AA", "BB", "CC", "DD", "EE", "FF", "EE", "AA"].map(|b| b.repeat(8)).concat());
    let aad = hex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2");
    let out = cipher
        .encrypt(Nonce::from_slice(&hex("00001234567800000000ABCD")), Payload { msg: &plain, aad: &aad })
        .unwrap();
    let expected = "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
                    D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D\
                    83DE3541E4C2B58177E065A9BF7B62EC";
    assert_eq!(out, hex(expected));
}

#[test]
fn sm3_and_its_hmac_match_openssl() {
    use sm3::Digest as _;
    // GB/T 32905 example 1, and Python's hmac.new(b"k", b"abc", "sm3") over OpenSSL.
    assert_eq!(
        sm3::Sm3::digest(b"abc").to_vec(),
        hex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    );
    assert_eq!(
        hmac_sm3(b"k", b"abc").to_vec(),
        hex("af684d81732e81f6a9c5dd0aa68f27667b36debcebe29e094a654c3d496a898a")
    );
}

#[test]
fn the_search_hash_is_the_documented_hmac() {
    // Computed by Python's hmac/hashlib from the formula in the module doc.
    let aes = ring(&counting_entry(1), Algorithm::Aes256Gcm);
    assert_eq!(aes.index("13800138000", 0).unwrap().to_vec(), hex("f728f13ad19cedd89dfbf1368f954ab8"));
    let sm = ring(&counting_entry(1), Algorithm::Sm4Gcm);
    assert_eq!(sm.index("13800138000", 0).unwrap().to_vec(), hex("fc0c8d42d5e3ef025193bc8014743063"));
    // The other algorithm's hash is the next slot, so a search still finds rows sealed before
    // the algorithm changed; past the ring there is nothing.
    assert_eq!(aes.index("13800138000", 1), sm.index("13800138000", 0));
    assert_eq!(aes.index("13800138000", 2), None);
}

#[test]
fn sealed_values_open_only_with_their_label_and_unaltered() {
    for algorithm in [Algorithm::Aes256Gcm, Algorithm::Sm4Gcm] {
        let keys = ring(&new_entry(7), algorithm);
        let blob = keys.seal("content", "您的验证码是 123456".as_bytes());
        assert_eq!(keys.open("content", &blob).unwrap(), "您的验证码是 123456".as_bytes());
        assert!(keys.is_current(&blob));
        assert!(!blob.windows(6).any(|w| w == b"123456"), "the plaintext shows through");
        assert!(matches!(keys.open("to", &blob), Err(SealError::Forged)), "opened under another column's label");
        for i in 0..blob.len() {
            let mut altered = blob.clone();
            altered[i] ^= 1;
            assert!(keys.open("content", &altered).is_err(), "byte {i} altered and still opened");
        }
        // Two seals of one value differ (random nonces), so equal values cannot be spotted.
        assert_ne!(keys.seal("content", b"x"), keys.seal("content", b"x"));
    }
}

#[test]
fn a_rotated_ring_opens_old_values_and_seals_with_the_newest() {
    let old_entry = new_entry(1);
    let old = ring(&old_entry, Algorithm::Aes256Gcm);
    let blob = old.seal("to", b"13800138000");
    let rotated = ring(&format!("{old_entry}\n{}", new_entry(2)), Algorithm::Sm4Gcm);
    assert_eq!(rotated.current_id(), 2);
    assert_eq!(rotated.open("to", &blob).unwrap(), b"13800138000");
    assert!(!rotated.is_current(&blob));
    assert!(rotated.is_current(&rotated.seal("to", b"1")));
    // Searching with the rotated ring reaches the old row's hash in some slot.
    let old_hash = old.index("13800138000", 0).unwrap();
    assert!((0..INDEX_SLOTS).any(|s| rotated.index("13800138000", s) == Some(old_hash)));
    // Without the old key the value is reported as such, not as garbage.
    let newest_only = ring(&new_entry(2), Algorithm::Sm4Gcm);
    assert!(matches!(newest_only.open("to", &blob), Err(SealError::UnknownKey(1))));
}

#[test]
fn bad_key_rings_say_what_is_wrong() {
    let cases: &[(&str, &str)] = &[
        ("", "no data key"),
        ("# only a comment\n", "no data key"),
        ("1", "no ':'"),
        ("0:AAAA", "from 1"),
        ("x:AAAA", "from 1"),
        ("1:not base64!", "not base64"),
        ("1:AAAA", "32 bytes"),
    ];
    for (text, expected) in cases {
        let err = KeyRing::parse(text, Algorithm::Aes256Gcm).unwrap_err().to_string();
        assert!(err.contains(expected), "{text:?} gave {err:?}");
    }
    let twice = format!("{}{}", new_entry(3), new_entry(3));
    assert!(matches!(KeyRing::parse(&twice, Algorithm::Aes256Gcm), Err(KeyError::Duplicate(3))));
    let four: String = (1..=4).map(new_entry).collect();
    assert!(matches!(KeyRing::parse(&four, Algorithm::Aes256Gcm), Err(KeyError::TooMany(4))));
    // Commas and comments are fine; order does not matter.
    let mixed = format!("{}, {} # rotated in December", new_entry(2).trim(), new_entry(5).trim());
    assert_eq!(KeyRing::parse(&mixed, Algorithm::Aes256Gcm).unwrap().ids(), [5, 2]);
}

#[test]
fn the_default_key_file_is_created_once_and_private() {
    let dir = std::env::temp_dir().join(format!("hongyan-seal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hongyan.keys");
    let _ = std::fs::remove_file(&path);
    let first = KeyRing::load_or_create(&path, Algorithm::Aes256Gcm).unwrap();
    let blob = first.seal("to", b"13800138000");
    let again = KeyRing::load_or_create(&path, Algorithm::Aes256Gcm).unwrap();
    assert_eq!(again.open("to", &blob).unwrap(), b"13800138000", "a second start made a new key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn nonces_are_never_handed_out_twice_across_pool_refills() {
    // Three pools' worth, on two threads: every nonce differs from every other.
    let draw = || (0..3 * NONCE_POOL / NONCE).map(|_| fresh_nonce()).collect::<Vec<_>>();
    let other = std::thread::spawn(draw);
    let mut all = draw();
    all.extend(other.join().unwrap());
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n);
}
