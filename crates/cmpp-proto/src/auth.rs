//! The MD5 login digests of CMPP_CONNECT and CMPP_CONNECT_RESP (cmpp.md §5, §6).

use crate::Version;
use md5::{Digest, Md5};

/// AuthenticatorSource = MD5(Source_Addr ‖ 9 × 0x00 ‖ secret ‖ timestamp as 10 ASCII digits).
///
/// `source_addr` is hashed as given (not padded to 6 bytes): implementations disagree for SP
/// ids shorter than 6, and for the normal 6-digit ids both readings are the same bytes.
/// `timestamp` is MMDDHHMMSS as an integer; it is zero-padded to 10 digits here because the
/// integer on the wire and the string in the digest must encode the same instant (January
/// starts with `'0'`).
pub fn authenticator_source(source_addr: &[u8], secret: &[u8], timestamp: u32) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(source_addr);
    md5.update([0u8; 9]);
    md5.update(secret);
    md5.update(format!("{timestamp:010}").as_bytes());
    md5.finalize().into()
}

/// AuthenticatorISMG = MD5(Status ‖ AuthenticatorSource ‖ secret).
///
/// Status is hashed as it is encoded on the wire for `version`: 4 bytes big-endian in 3.0,
/// 1 byte in 2.0 (the 2.0 width is confirmed by one implementation only, which is why clients
/// should treat a mismatch as a warning rather than refuse the link).
pub fn authenticator_ismg(status: u32, auth_source: &[u8; 16], secret: &[u8], version: Version) -> [u8; 16] {
    let mut md5 = Md5::new();
    if version.is_v3() {
        md5.update(status.to_be_bytes());
    } else {
        md5.update([crate::pdu::clamp_u8(status)]);
    }
    md5.update(auth_source);
    md5.update(secret);
    md5.finalize().into()
}

/// Compares two digests without stopping at the first difference, so the time taken does not
/// tell an attacker how many leading bytes of a guessed authenticator were right.
pub(crate) fn digest_eq(a: &[u8; 16], b: &[u8; 16]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    const SOURCE: &str = "fe356902b82ebe33c2faaadab4b6d28c";

    #[test]
    fn authenticator_source_vector() {
        // cmpp.md §5: 901234 / secret / 10-15 09:30:00.
        assert_eq!(1_015_093_000u32, 0x3C81_1708);
        let got = authenticator_source(b"901234", b"secret", 1_015_093_000);
        assert_eq!(got.to_vec(), hex(SOURCE));
    }

    #[test]
    fn timestamp_is_zero_padded() {
        // January: 0115093000 must hash as ten digits with a leading '0'.
        let padded = authenticator_source(b"901234", b"secret", 115_093_000);
        let mut md5 = Md5::new();
        md5.update(b"901234\0\0\0\0\0\0\0\0\0secret0115093000");
        assert_eq!(padded, <[u8; 16]>::from(md5.finalize()));
    }

    #[test]
    fn authenticator_ismg_vectors() {
        let source: [u8; 16] = hex(SOURCE).try_into().unwrap();
        let v3 = authenticator_ismg(0, &source, b"secret", Version::V30);
        assert_eq!(v3.to_vec(), hex("c3eece263d7c0ed773f9f3a058cfb910"));
        let v2 = authenticator_ismg(0, &source, b"secret", Version::V20);
        assert_eq!(v2.to_vec(), hex("e008ee2ecc774d49a1c76aa19ad2e979"));
    }

    #[test]
    fn digest_eq_compares_every_byte() {
        let a = [7u8; 16];
        let mut b = a;
        assert!(digest_eq(&a, &b));
        b[15] = 8;
        assert!(!digest_eq(&a, &b));
    }
}
