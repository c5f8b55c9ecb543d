//! How a receiver knows a callback came from us: HMAC-SHA256 with the account's callback
//! secret over `timestamp + "\n" + body`, sent as
//!
//! ```text
//! X-Hongyan-Timestamp: 1795910782            (Unix seconds)
//! X-Hongyan-Signature: sha256=9f86d08…       (lower-case hex)
//! ```
//!
//! The timestamp is inside the signed text so a captured request cannot be replayed later with
//! a fresh header; receivers should refuse timestamps more than 5 minutes off their clock.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the Unix time of the request.
pub const TIMESTAMP_HEADER: &str = "X-Hongyan-Timestamp";
/// Header carrying `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-Hongyan-Signature";

/// The signature header's value for `body` sent at `timestamp` (Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // An HMAC key may be any length; `new_from_slice` only fails for fixed-size MACs.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b"\n");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pythons_hmac_module() {
        // python3 -c "import hmac,hashlib; print(hmac.new(b'k', b'1795910782\n[]', hashlib.sha256).hexdigest())"
        assert_eq!(
            signature("k", 1_795_910_782, b"[]"),
            "sha256=d71bf98650d490f7ebd05ff0e07b245a0c117b0c42e21a1a3ac5d4016815c6da"
        );
        assert_ne!(signature("k", 1_795_910_783, b"[]"), signature("k", 1_795_910_782, b"[]"), "the time is signed");
    }
}
