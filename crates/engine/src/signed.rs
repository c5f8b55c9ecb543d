//! Signed requests: the API scheme for links without TLS (HTTP Basic is for TLS links only).
//!
//! ```text
//! Authorization: HY1-HMAC-SHA256 Key=<key id>, Timestamp=<unix seconds>, Nonce=<nonce>, Signature=<hex>
//!
//! string to sign = METHOD "\n" PATH "\n" QUERY "\n" TIMESTAMP "\n" NONCE "\n" hex(SHA-256(body))
//! signing key    = SHA-256(secret)            (32 bytes; the server keeps only this)
//! Signature      = hex(HMAC-SHA256(signing key, string to sign))
//! ```
//!
//! QUERY is the query string exactly as sent, without the `?` (empty when there is none);
//! METHOD is upper-case; the nonce is 16 to 64 letters, digits, `-` or `_`. A timestamp more than
//! five minutes from the server's clock is refused before anything else; a nonce is accepted
//! once per key within that window (kept in memory: one process). Signing with the secret's
//! hash rather than the secret lets the store keep no secret at all; the cost is that a copy of
//! the store could sign requests, which is why the store's copy deserves the same care as
//! the secrets themselves.

use hmac::{Hmac, Mac};
use hongyan_store::Timestamp;
use sha2::{Digest, Sha256};

use crate::auth::{AuthError, Caller};
use crate::Engine;

/// The scheme name in the Authorization header.
pub const SCHEME: &str = "HY1-HMAC-SHA256";
/// How far a timestamp may be from the server's clock, either way.
pub const WINDOW_SECS: i64 = 300;

/// A request's signature and what it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The key id.
    pub key_id: String,
    /// Unix seconds, as signed.
    pub timestamp: i64,
    /// The nonce, as signed.
    pub nonce: String,
    /// The signature (32 bytes).
    pub signature: Vec<u8>,
    /// What was signed: method, path, query, and the body's SHA-256 in hex.
    pub method: String,
    /// The path.
    pub path: String,
    /// The raw query string.
    pub query: String,
    /// hex(SHA-256(body)).
    pub body_sha256: String,
}

impl SignedRequest {
    /// Reads the Authorization header's parameters (after the scheme name). The rest of the
    /// fields are the request's own.
    pub fn parse_header(params: &str) -> Result<(String, i64, String, Vec<u8>), AuthError> {
        let mut key = None;
        let (mut ts, mut nonce, mut sig) = (None, None, None);
        for part in params.split(',') {
            let (k, v) =
                part.trim().split_once('=').ok_or(AuthError::BadSignatureHeader("expected Name=value pairs"))?;
            match k {
                "Key" => key = Some(v.to_owned()),
                "Timestamp" => {
                    ts = Some(v.parse::<i64>().map_err(|_| AuthError::BadSignatureHeader("Timestamp is Unix seconds"))?)
                }
                "Nonce" => nonce = Some(v.to_owned()),
                "Signature" => sig = Some(hex(v).ok_or(AuthError::BadSignatureHeader("Signature is 64 hex digits"))?),
                _ => return Err(AuthError::BadSignatureHeader("unknown parameter")),
            }
        }
        let nonce = nonce.ok_or(AuthError::BadSignatureHeader("Nonce is missing"))?;
        let nonce_ok = (16..=64).contains(&nonce.len())
            && nonce.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !nonce_ok {
            return Err(AuthError::BadSignatureHeader("Nonce is 16 to 64 of A-Z a-z 0-9 - _"));
        }
        Ok((
            key.ok_or(AuthError::BadSignatureHeader("Key is missing"))?,
            ts.ok_or(AuthError::BadSignatureHeader("Timestamp is missing"))?,
            nonce,
            sig.ok_or(AuthError::BadSignatureHeader("Signature is missing"))?,
        ))
    }

    /// The text the signature covers.
    pub fn string_to_sign(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method, self.path, self.query, self.timestamp, self.nonce, self.body_sha256
        )
    }
}

fn hex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok()).collect()
}

/// The signature a client computes: HMAC-SHA256 keyed with SHA-256 of its secret.
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    let key = Sha256::digest(secret.as_bytes());
    mac(&key, string_to_sign).iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(key: &[u8], text: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(text.as_bytes());
    m.finalize().into_bytes().to_vec()
}

impl Engine {
    /// Checks a signed request: the clock first, then the signature, then the nonce.
    pub async fn authenticate_signed(&self, req: &SignedRequest) -> Result<Caller, AuthError> {
        let now: Timestamp = self.clock.now();
        let now_secs = now.as_millis().div_euclid(1000);
        if (now_secs - req.timestamp).abs() > WINDOW_SECS {
            return Err(AuthError::Skewed);
        }
        let text = req.string_to_sign();
        let caller =
            self.verified(&req.key_id, |stored| crate::auth::same(&mac(stored, &text), &req.signature)).await?;
        // Kept in the store for twice the window: a timestamp up to the window old or ahead
        // is accepted, so a nonce must be remembered that long on either side. The store
        // (not memory) keeps it, so a restart does not reopen the window.
        let forget_before = now.plus_millis(-2 * WINDOW_SECS * 1000);
        let fresh = self.store.claim_nonce(&req.key_id, &req.nonce, now, forget_before).await;
        if !fresh.map_err(AuthError::Store)? {
            return Err(AuthError::Replayed);
        }
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_pythons_hmac_and_hashlib() {
        // python3 -c "import hmac,hashlib; k=hashlib.sha256(b'secret').digest();
        //   print(hmac.new(k, b'GET\n/api/v1/messages\nto=13800138000\n1795910782\nabcdef0123456789\n'
        //   + hashlib.sha256(b'').hexdigest().encode(), hashlib.sha256).hexdigest())"
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let text = format!("GET\n/api/v1/messages\nto=13800138000\n1795910782\nabcdef0123456789\n{empty}");
        assert_eq!(sign("secret", &text), PYTHON);
    }

    const PYTHON: &str = "3c6d6ce7540eddfe83c24c947ad65ef9d498e932fa1ed198746566ee7be194b5";

    #[test]
    fn headers_are_read_strictly() {
        let sig = "ab".repeat(32);
        let ok = format!("Key=HY01, Timestamp=1795910782, Nonce=abcdef0123456789, Signature={sig}");
        let (key, ts, nonce, s) = SignedRequest::parse_header(&ok).unwrap();
        assert_eq!((key.as_str(), ts, nonce.as_str(), s.len()), ("HY01", 1_795_910_782, "abcdef0123456789", 32));
        for bad in [
            "Key=HY01, Timestamp=x, Nonce=abcdef0123456789, Signature=00",
            "Key=HY01, Timestamp=1, Nonce=short, Signature=00",
            "Key=HY01, Timestamp=1, Nonce=abcdef0123456789",
            "Key=HY01; Timestamp=1",
        ] {
            assert!(SignedRequest::parse_header(bad).is_err(), "{bad}");
        }
    }
}
