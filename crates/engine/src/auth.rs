//! API keys: how they are made, stored and checked.
//!
//! A key is a public `key_id` (`HY` + 16 hex digits) and a secret of 24 random bytes
//! (32 base64url characters). Only SHA-256 of the secret is stored. Why not argon2id here: the
//! secret is machine-generated with 192 bits of entropy, so a slow hash adds no protection
//! against guessing but would cost milliseconds on every API call at 1,000+ requests a second.
//! Human passwords (console users) are a different matter and get argon2id.
//!
//! Verified keys are cached for [`CACHE_TTL_MS`], so a key revoked or an account disabled
//! stops working within that time without a store read per request.

use base64::Engine as _;
use hongyan_store::{Account, ApiKey, StoreError};
use sha2::{Digest, Sha256};

use crate::Engine;

/// How long a verified key is trusted without asking the store again.
pub const CACHE_TTL_MS: i64 = 10_000;

/// A freshly made credential. The secret exists only in this value and in what is printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCredential {
    /// The account it belongs to.
    pub account: Account,
    /// Public key id.
    pub key_id: String,
    /// The secret, shown once.
    pub secret: String,
}

/// Why authentication failed. Both cases answer the client the same way, so a caller cannot
/// learn whether a key id exists.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Unknown key, wrong secret or signature, revoked key, or an account that is disabled,
    /// expired or deleted.
    #[error("invalid credentials")]
    Invalid,
    /// A signed request's timestamp is more than five minutes from the server's clock.
    #[error("the request's timestamp is more than 5 minutes from the server's clock")]
    Skewed,
    /// A signed request's nonce was already used within its five minutes.
    #[error("this nonce was already used; sign every request with a fresh one")]
    Replayed,
    /// The signed-request header is malformed.
    #[error("malformed signature header: {0}")]
    BadSignatureHeader(&'static str),
    /// The store could not be asked.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Account id.
    pub account_id: i64,
    /// Account name.
    pub account_name: String,
    /// The key used.
    pub key_id: String,
}

/// A verified key: its stored hash and who it is.
#[derive(Debug, Clone)]
pub(crate) struct Cached {
    hash: Vec<u8>,
    caller: Caller,
}

/// Verified keys by key id, fresh for [`CACHE_TTL_MS`].
pub(crate) type KeyCache = crate::cache::TtlCache<String, Cached>;

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Compares without an early exit, so timing does not tell how many bytes matched.
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `len` random letters and digits (for secrets that must be typed into a peer's settings).
pub fn random_text(len: usize) -> Result<String, StoreError> {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        // Rejection sampling keeps every character equally likely.
        let [b] = random_bytes::<1>()?;
        if usize::from(b) < 256 - 256 % ALPHABET.len() {
            out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| StoreError::Backend(format!("no randomness: {e}")))?;
    Ok(buf)
}

impl Engine {
    /// Creates an interface account with its first API key.
    pub async fn create_account(&self, name: &str) -> Result<NewCredential, StoreError> {
        let account = self.store.create_account(name, self.clock.now()).await?;
        self.add_api_key(account).await
    }

    /// A new key for the account (several may be live at once, so a client can rotate
    /// without a gap). The secret is in the answer only.
    pub async fn add_api_key(&self, account: Account) -> Result<NewCredential, StoreError> {
        let now = self.clock.now();
        let id_bytes: [u8; 8] = random_bytes()?;
        let key_id = format!("HY{}", id_bytes.iter().map(|b| format!("{b:02X}")).collect::<String>());
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes::<24>()?);
        let key = ApiKey {
            key_id: key_id.clone(),
            account_id: account.id,
            secret_hash: hash(&secret),
            created_at: now,
            revoked_at: None,
            last_used_at: None,
        };
        self.store.create_api_key(key).await?;
        Ok(NewCredential { account, key_id, secret })
    }

    /// Forgets every cached key check, so a revocation or an account change applies to the
    /// next request.
    pub fn forget_cached_keys(&self) {
        self.keys.clear();
    }

    /// Checks a key id and secret (HTTP Basic).
    pub async fn authenticate(&self, key_id: &str, secret: &str) -> Result<Caller, AuthError> {
        let presented = hash(secret);
        self.verified(key_id, |stored| same(stored, &presented)).await
    }

    /// The caller of a live key (account usable, key not revoked) whose stored secret hash
    /// passes `check`; from the cache while it is fresh.
    pub(crate) async fn verified(&self, key_id: &str, check: impl Fn(&[u8]) -> bool) -> Result<Caller, AuthError> {
        let now = self.clock.now();
        if let Some(c) = self.keys.get(key_id, now) {
            return if check(&c.hash) { Ok(c.caller) } else { Err(AuthError::Invalid) };
        }
        let Some(found) = self.store.find_api_key(key_id).await? else {
            return Err(AuthError::Invalid);
        };
        let live = found.account.usable(now) && found.key.revoked_at.is_none();
        if !live || !check(&found.key.secret_hash) {
            return Err(AuthError::Invalid);
        }
        // Last use is shown to administrators; a write a minute per key is enough for that.
        if found.key.last_used_at.is_none_or(|t| now.as_millis() - t.as_millis() >= 60_000) {
            self.store.touch_api_key(key_id, now).await?;
        }
        let caller =
            Caller { account_id: found.account.id, account_name: found.account.name, key_id: key_id.to_owned() };
        self.keys.put(key_id.to_owned(), Cached { hash: found.key.secret_hash, caller: caller.clone() }, now);
        Ok(caller)
    }
}
