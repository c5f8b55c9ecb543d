//! Field-level encryption at rest: the data keys, sealing and opening one value, and the keyed
//! hash that lets a sealed phone number still be found by exact search. Sans-I/O but for
//! reading and creating a key file and drawing nonces from the operating system; no storage:
//! each store backend decides where sealing happens (SQLite: as SQL functions).
//!
//! What the SQLite backend seals: recipients and content of
//! messages, replies' senders and content, parts of long messages waiting for their last part,
//! raw report fields (they carry the number and the start of the text) and stored request
//! answers. What is not: ids, statuses, times, categories, channel names — what operations
//! and statements need without a key.
//!
//! A sealed value is one blob:
//!
//! ```text
//! 0x01 | algorithm (1 = AES-256-GCM, 2 = SM4-GCM) | key id (u32, big-endian) | nonce (12) | ciphertext | tag (16)
//! ```
//!
//! The associated data is the column's label (`to`, `content`, …) followed by the 6-byte
//! header, so a blob moved to another column, or given another key id, does not open.
//! Nonces are random: 2^32 values per key keep the chance of a repeat negligible, far beyond
//! the ~130 million values a year of the first user; rotation (a new key, then `hongyan
//! rekey`) resets the count.
//!
//! Each master key (32 random bytes) gives two subkeys by HMAC, never used for anything else:
//! `seal = HMAC(master, "hongyan/v1/seal")` (all 32 bytes for AES-256, the first 16 for SM4)
//! and `index = HMAC(master, "hongyan/v1/index")`; the search hash of a number is
//! `HMAC(index, number)` cut to 16 bytes. HMAC is HMAC-SHA256 with AES and HMAC-SM3 with SM4.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, AesGcm, Nonce};
use base64::Engine as _;
use hmac::{Hmac, Mac};

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

const VERSION: u8 = 1;
const HEADER: usize = 6;
const NONCE: usize = 12;
/// A ring holds the current key and the ones rows may still be sealed with during a
/// rotation; searches try each, so the number is kept small.
pub const MAX_KEYS: usize = 3;
/// Search-hash slots: every key under both algorithms (the algorithm may change too).
pub const INDEX_SLOTS: usize = MAX_KEYS * 2;

/// The cipher new values are sealed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// AES-256-GCM with HMAC-SHA256: the default.
    Aes256Gcm,
    /// SM4-GCM with HMAC-SM3: the national algorithms (GB/T 32907, GB/T 32905).
    Sm4Gcm,
}

impl Algorithm {
    fn code(self) -> u8 {
        match self {
            Self::Aes256Gcm => 1,
            Self::Sm4Gcm => 2,
        }
    }

    fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Self::Aes256Gcm),
            2 => Some(Self::Sm4Gcm),
            _ => None,
        }
    }

    fn other(self) -> Self {
        match self {
            Self::Aes256Gcm => Self::Sm4Gcm,
            Self::Sm4Gcm => Self::Aes256Gcm,
        }
    }
}

/// Why a key ring could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("key entry {entry}: {why} (expected ID:BASE64 of 32 bytes, e.g. 1:{example})")]
    Entry { entry: usize, why: String, example: String },
    #[error("no data key given")]
    Empty,
    #[error("key id {0} appears twice")]
    Duplicate(u32),
    #[error("{0} keys given, at most {MAX_KEYS}: run `hongyan keys rekey`, then remove keys no row uses")]
    TooMany(usize),
    #[error("environment variable {0} is not set")]
    MissingEnv(String),
}

/// Why a sealed value did not open.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed with data key {0}, which is not in the key ring")]
    UnknownKey(u32),
    #[error("sealed value does not open (wrong key, or altered)")]
    Forged,
    #[error("no data keys are loaded; this command cannot read or write sealed data")]
    NoKeys,
}

struct DataKey {
    id: u32,
    aes: Aes256Gcm,
    sm4: Sm4Gcm,
    index_sha: [u8; 32],
    index_sm3: [u8; 32],
}

impl DataKey {
    fn derive(id: u32, master: &[u8; 32]) -> Self {
        use zeroize::Zeroize as _;
        let mut seal_sha = hmac_sha256(master, b"hongyan/v1/seal");
        let mut seal_sm3 = hmac_sm3(master, b"hongyan/v1/seal");
        let key = Self {
            id,
            aes: Aes256Gcm::new_from_slice(&seal_sha).expect("32-byte key"),
            sm4: Sm4Gcm::new_from_slice(&seal_sm3[..16]).expect("16-byte key"),
            index_sha: hmac_sha256(master, b"hongyan/v1/index"),
            index_sm3: hmac_sm3(master, b"hongyan/v1/index"),
        };
        seal_sha.zeroize();
        seal_sm3.zeroize();
        key
    }

    fn encrypt(&self, algorithm: Algorithm, nonce: &[u8], payload: Payload<'_, '_>) -> Option<Vec<u8>> {
        let nonce = Nonce::<U12>::from_slice(nonce);
        match algorithm {
            Algorithm::Aes256Gcm => self.aes.encrypt(nonce, payload).ok(),
            Algorithm::Sm4Gcm => self.sm4.encrypt(nonce, payload).ok(),
        }
    }

    fn decrypt(&self, algorithm: Algorithm, nonce: &[u8], payload: Payload<'_, '_>) -> Option<Vec<u8>> {
        let nonce = Nonce::<U12>::from_slice(nonce);
        match algorithm {
            Algorithm::Aes256Gcm => self.aes.decrypt(nonce, payload).ok(),
            Algorithm::Sm4Gcm => self.sm4.decrypt(nonce, payload).ok(),
        }
    }

    fn index(&self, algorithm: Algorithm, number: &str) -> [u8; 16] {
        let full = match algorithm {
            Algorithm::Aes256Gcm => hmac_sha256(&self.index_sha, number.as_bytes()),
            Algorithm::Sm4Gcm => hmac_sm3(&self.index_sm3, number.as_bytes()),
        };
        full[..16].try_into().expect("16 of 32 bytes")
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        use zeroize::Zeroize as _;
        self.index_sha.zeroize();
        self.index_sm3.zeroize();
    }
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn hmac_sm3(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<sm3::Sm3> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The data keys and the algorithm new values are sealed with. Cheap to clone.
#[derive(Clone)]
pub struct KeyRing(Arc<Ring>);

struct Ring {
    algorithm: Algorithm,
    /// Newest (highest id) first: it seals; the others only open.
    keys: Vec<DataKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids: Vec<u32> = self.0.keys.iter().map(|k| k.id).collect();
        f.debug_struct("KeyRing").field("algorithm", &self.0.algorithm).field("key_ids", &ids).finish()
    }
}

/// Random bytes a thread has drawn for nonces and not used yet.
const NONCE_POOL: usize = 4096;

/// A nonce from the operating system's random source, drawn 4 KiB at a time per thread: one
/// system call per 341 values sealed instead of one each (under load, a tenth of the
/// writer's system calls). Nonces are stored beside their ciphertext, so the drawn bytes are
/// no secret; each is handed out once.
fn fresh_nonce() -> [u8; NONCE] {
    thread_local! {
        static POOL: std::cell::RefCell<(Box<[u8; NONCE_POOL]>, usize)> =
            std::cell::RefCell::new((Box::new([0; NONCE_POOL]), NONCE_POOL));
    }
    POOL.with(|pool| {
        let (bytes, used) = &mut *pool.borrow_mut();
        if *used + NONCE > NONCE_POOL {
            getrandom::fill(&mut bytes[..]).expect("the operating system's random source");
            *used = 0;
        }
        let mut nonce = [0; NONCE];
        nonce.copy_from_slice(&bytes[*used..*used + NONCE]);
        *used += NONCE;
        nonce
    })
}

impl KeyRing {
    /// Reads entries `ID:BASE64` (32 bytes), separated by newlines, spaces or commas; `#`
    /// starts a comment to the end of its line.
    pub fn parse(text: &str, algorithm: Algorithm) -> Result<Self, KeyError> {
        let mut keys: Vec<DataKey> = Vec::new();
        let entries = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or(""))
            .flat_map(|l| l.split(|c: char| c == ',' || c.is_whitespace()))
            .filter(|e| !e.is_empty());
        for (n, entry) in entries.enumerate() {
            let (id, mut master) = parse_entry(entry).map_err(|why| KeyError::Entry {
                entry: n + 1,
                why: why.into(),
                example: new_entry(1).trim_end().trim_start_matches("1:").to_owned(),
            })?;
            if keys.iter().any(|k| k.id == id) {
                return Err(KeyError::Duplicate(id));
            }
            keys.push(DataKey::derive(id, &master));
            zeroize::Zeroize::zeroize(&mut master);
        }
        if keys.is_empty() {
            return Err(KeyError::Empty);
        }
        if keys.len() > MAX_KEYS {
            return Err(KeyError::TooMany(keys.len()));
        }
        keys.sort_by_key(|k| std::cmp::Reverse(k.id));
        Ok(Self(Arc::new(Ring { algorithm, keys })))
    }

    /// Reads a key file.
    pub fn load(path: &Path, algorithm: Algorithm) -> Result<Self, KeyError> {
        let text = std::fs::read_to_string(path).map_err(|source| KeyError::Io { path: path.into(), source })?;
        warn_if_readable_by_others(path);
        Self::parse(&text, algorithm)
    }

    /// Reads the key ring from an environment variable.
    pub fn from_env(var: &str, algorithm: Algorithm) -> Result<Self, KeyError> {
        let text = std::env::var(var).map_err(|_| KeyError::MissingEnv(var.into()))?;
        Self::parse(&text, algorithm)
    }

    /// Reads a key file, first writing one with a new random key if there is none: the
    /// embedded default, so data is sealed even when nobody configured a key.
    pub fn load_or_create(path: &Path, algorithm: Algorithm) -> Result<Self, KeyError> {
        if !path.exists() {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|source| KeyError::Io { path: dir.into(), source })?;
            }
            write_new_file(path).map_err(|source| KeyError::Io { path: path.into(), source })?;
            tracing::warn!(path = %path.display(), "created a data key file; keep a copy apart from the database");
        }
        Self::load(path, algorithm)
    }

    /// The algorithm new values are sealed with.
    pub fn algorithm(&self) -> Algorithm {
        self.0.algorithm
    }

    /// The id of the key new values are sealed with.
    pub fn current_id(&self) -> u32 {
        self.0.keys[0].id
    }

    /// The key ids in the ring, newest first.
    pub fn ids(&self) -> Vec<u32> {
        self.0.keys.iter().map(|k| k.id).collect()
    }

    /// Seals `plain` for the column `label` with the current key.
    pub fn seal(&self, label: &str, plain: &[u8]) -> Vec<u8> {
        let key = &self.0.keys[0];
        let algorithm = self.0.algorithm;
        let mut blob = Vec::with_capacity(HEADER + NONCE + plain.len() + 16);
        blob.push(VERSION);
        blob.push(algorithm.code());
        blob.extend_from_slice(&key.id.to_be_bytes());
        let nonce = fresh_nonce();
        blob.extend_from_slice(&nonce);
        let aad = [label.as_bytes(), &blob[..HEADER]].concat();
        let sealed =
            key.encrypt(algorithm, &nonce, Payload { msg: plain, aad: &aad }).expect("GCM seals any length we store");
        blob.extend_from_slice(&sealed);
        blob
    }

    /// Opens a value sealed for the column `label` by any key of the ring.
    pub fn open(&self, label: &str, blob: &[u8]) -> Result<Vec<u8>, SealError> {
        let (algorithm, id) = header(blob).ok_or(SealError::Malformed)?;
        let key = self.0.keys.iter().find(|k| k.id == id).ok_or(SealError::UnknownKey(id))?;
        let nonce = &blob[HEADER..HEADER + NONCE];
        let aad = [label.as_bytes(), &blob[..HEADER]].concat();
        key.decrypt(algorithm, nonce, Payload { msg: &blob[HEADER + NONCE..], aad: &aad }).ok_or(SealError::Forged)
    }

    /// Whether `blob` is sealed with the current key and algorithm (rotation leaves it alone).
    pub fn is_current(&self, blob: &[u8]) -> bool {
        header(blob) == Some((self.0.algorithm, self.current_id()))
    }

    /// The search hash of `number` under one (key, algorithm) pair; slot 0 is the current
    /// pair, the one new rows carry. `None` past the ring's pairs.
    pub fn index(&self, number: &str, slot: usize) -> Option<[u8; 16]> {
        let n = self.0.keys.len();
        let algorithm = if slot < n { self.0.algorithm } else { self.0.algorithm.other() };
        let key = self.0.keys.get(slot % n).filter(|_| slot < 2 * n)?;
        Some(key.index(algorithm, number))
    }
}

fn header(blob: &[u8]) -> Option<(Algorithm, u32)> {
    if blob.len() < HEADER + NONCE + 16 || blob[0] != VERSION {
        return None;
    }
    let algorithm = Algorithm::from_code(blob[1])?;
    Some((algorithm, u32::from_be_bytes(blob[2..6].try_into().ok()?)))
}

fn parse_entry(entry: &str) -> Result<(u32, [u8; 32]), &'static str> {
    let (id, key) = entry.split_once(':').ok_or("no ':' between id and key")?;
    let id: u32 = id.parse().ok().filter(|&i| i > 0).ok_or("the id must be a whole number from 1")?;
    let mut bytes = base64::engine::general_purpose::STANDARD.decode(key).map_err(|_| "the key is not base64")?;
    let master: Result<[u8; 32], _> = bytes.as_slice().try_into();
    zeroize::Zeroize::zeroize(&mut bytes);
    Ok((id, master.map_err(|_| "the key must be 32 bytes")?))
}

/// A new random key entry with the given id, as one line of a key file.
pub fn new_entry(id: u32) -> String {
    let mut master = [0u8; 32];
    getrandom::fill(&mut master).expect("the operating system's random source");
    let entry = format!("{id}:{}\n", base64::engine::general_purpose::STANDARD.encode(master));
    zeroize::Zeroize::zeroize(&mut master);
    entry
}

fn write_new_file(path: &Path) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(b"# Hongyan data keys (ID:BASE64). The highest id seals new data; keep every id rows still use.\n")?;
    file.write_all(new_entry(1).as_bytes())?;
    file.sync_all()
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt as _;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the data key file is readable by others; chmod 600 it");
        }
    }
}

#[cfg(test)]
mod tests;
