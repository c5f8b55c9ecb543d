//! The MD5 login digests of Login and Login_Resp (smgp.md §5).

use crate::Status;
use md5::{Digest, Md5};

/// AuthenticatorClient = MD5(ClientID ‖ 7 × 0x00 ‖ secret ‖ timestamp as 10 ASCII digits).
///
/// `client_id` is hashed as given (not padded to 8 bytes): two implementations hash the
/// account string itself, and for the usual 8-byte ids both readings are the same bytes.
/// `timestamp` is MMDDHHMMSS as an integer; it is zero-padded to 10 digits here because the
/// integer on the wire and the string in the digest must describe the same instant (January
/// to September start with `'0'`, as in the spec's `0301000000`).
pub fn authenticator_client(client_id: &[u8], secret: &[u8], timestamp: u32) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(client_id);
    md5.update([0u8; 7]);
    md5.update(secret);
    md5.update(format!("{timestamp:010}").as_bytes());
    md5.finalize().into()
}

/// AuthenticatorServer = MD5(Status as 4 bytes big-endian ‖ AuthenticatorClient ‖ secret).
pub fn authenticator_server(status: Status, auth_client: &[u8; 16], secret: &[u8]) -> [u8; 16] {
    let mut md5 = Md5::new();
    md5.update(status.0.to_be_bytes());
    md5.update(auth_client);
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

    /// smgp.md §5: `12345678` / `pass` / `0301000000`.
    const CLIENT: &str = "d7e0f8ade4058a6879016a88433d72e1";

    #[test]
    fn authenticator_client_vector() {
        // The spec's timestamp example: 03-01 00:00:00 is the field value 0x11F0E540.
        assert_eq!(301_000_000u32, 0x11F0_E540);
        let got = authenticator_client(b"12345678", b"pass", 301_000_000);
        assert_eq!(got.to_vec(), hex(CLIENT));
    }

    #[test]
    fn timestamp_is_zero_padded_to_ten_digits() {
        let mut md5 = Md5::new();
        md5.update(b"12345678\0\0\0\0\0\0\0pass0301000000");
        assert_eq!(authenticator_client(b"12345678", b"pass", 301_000_000), <[u8; 16]>::from(md5.finalize()));
        // Not the unpadded "301000000".
        let mut md5 = Md5::new();
        md5.update(b"12345678\0\0\0\0\0\0\0pass301000000");
        assert_ne!(authenticator_client(b"12345678", b"pass", 301_000_000), <[u8; 16]>::from(md5.finalize()));
    }

    #[test]
    fn authenticator_server_vector() {
        // Formula of smgp.md §5 applied to the vector above with Status 0.
        let client: [u8; 16] = hex(CLIENT).try_into().unwrap();
        let got = authenticator_server(Status::OK, &client, b"pass");
        assert_eq!(got.to_vec(), hex("427c9934ed52d5237c994b374f10f43a"));
        assert_ne!(authenticator_server(Status::AUTH_ERROR, &client, b"pass"), got);
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
