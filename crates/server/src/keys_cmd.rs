//! The data keys of field-level encryption at rest: where `serve` gets them, and
//! `hongyan keys …` for rotation.
//!
//! ```text
//! hongyan keys add     [--config FILE] [--data-dir DIR]   a new key (next id) in the key file
//! hongyan keys rekey   [--config FILE] [--data-dir DIR]   reseal every row with the newest key
//! ```
//!
//! Rotation is: `keys add`, restart `serve` (new rows are sealed with the new key, old ones
//! still open), `keys rekey` (it may run beside the server), then remove the old entry and
//! restart. The store refuses to start with a ring that lacks a key rows still need.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use hongyan_config::{Config, DataAlgorithm, Encryption, KeySource};
use hongyan_store_sqlite::seal::{self, Algorithm, KeyRing};
use hongyan_store_sqlite::SqliteStore;

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum KeysCommand {
    /// A new key (the next id) in the key file
    Add,
    /// Reseal every row with the newest key (it may run beside the server)
    Rekey,
}

#[derive(clap::Args)]
pub(crate) struct KeysOptions {
    #[arg(value_enum, value_name = "ACTION")]
    command: KeysCommand,
    /// The configuration file, for its `[encryption]`
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// The data folder; else the configuration's, else ./data
    #[arg(long, value_name = "DIR", env = "HONGYAN_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

fn algorithm(a: DataAlgorithm) -> Algorithm {
    match a {
        DataAlgorithm::Aes256Gcm => Algorithm::Aes256Gcm,
        DataAlgorithm::Sm4Gcm => Algorithm::Sm4Gcm,
    }
}

/// The key ring `[encryption]` names; the data folder's `hongyan.keys` (made at first use)
/// when it names none.
pub(crate) fn ring(e: &Encryption, data_dir: &Path) -> Result<KeyRing> {
    let a = algorithm(e.algorithm);
    let ring = match &e.keys {
        KeySource::DataDir => {
            let path = hongyan_store_sqlite::default_key_path(&data_dir.join("hongyan.db"));
            KeyRing::load_or_create(&path, a)
        }
        KeySource::File(path) => KeyRing::load(path, a),
        KeySource::Env(var) => KeyRing::from_env(var, a),
    };
    ring.context("reading the data keys")
}

/// What is wrong with the data keys as they are now where the configuration keeps them,
/// compared with those the process started with (`None`: nothing). Read only: a missing key
/// file is reported, never made again.
pub(crate) fn key_problem(e: &Encryption, data_dir: &Path, running: &KeyRing) -> Option<String> {
    let a = algorithm(e.algorithm);
    let now = match &e.keys {
        KeySource::DataDir => KeyRing::load(&hongyan_store_sqlite::default_key_path(&data_dir.join("hongyan.db")), a),
        KeySource::File(path) => KeyRing::load(path, a),
        KeySource::Env(var) => KeyRing::from_env(var, a),
    };
    match now {
        Err(err) => Some(format!("the data keys cannot be read: {err}; the next start will fail")),
        Ok(r) => {
            let missing: Vec<String> =
                running.ids().into_iter().filter(|id| !r.ids().contains(id)).map(|id| id.to_string()).collect();
            (!missing.is_empty()).then(|| {
                format!(
                    "data key {} is no longer in the key file; what it sealed cannot be read after a restart",
                    missing.join(", ")
                )
            })
        }
    }
}

/// The store with the data keys the configuration names, for commands that touch numbers.
pub(crate) fn open_sealed(config: Option<&Path>, data_dir: &Path) -> Result<SqliteStore> {
    let config = crate::serve::load_config(config)?;
    let path = data_dir.join("hongyan.db");
    let ring = ring(&config.encryption, data_dir)?;
    SqliteStore::open_with(&path, ring).with_context(|| format!("opening {}", path.display()))
}

pub(crate) async fn run(o: KeysOptions) -> Result<()> {
    let config = crate::serve::load_config(o.config.as_deref())?;
    let data_dir = o.data_dir.or_else(|| config.data_dir.clone()).unwrap_or_else(|| PathBuf::from("data"));
    match o.command {
        KeysCommand::Add => {
            let id = add(&config, &data_dir)?;
            audit(&data_dir, "data_keys.add", "data_keys", serde_json::json!({ "key_id": id })).await
        }
        KeysCommand::Rekey => rekey(&config, &data_dir).await,
    }
}

/// Key changes are credential changes: each goes to the audit log, by the operating-system user
/// who ran the command (the key itself never does).
/// Records a command-line action in the audit log, as the operating-system user who ran it.
pub(crate) async fn audit(data_dir: &Path, action: &str, target: &str, after: serde_json::Value) -> Result<()> {
    let store = SqliteStore::open_unsealed(&data_dir.join("hongyan.db"))?;
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    let entry = hongyan_store::AuditEntry {
        at: hongyan_store::Timestamp::from_system(std::time::SystemTime::now()),
        actor: format!("os:{user}"),
        address: "cli".into(),
        action: action.into(),
        target: target.into(),
        before: None,
        after: Some(after.to_string()),
        outcome: "ok".into(),
    };
    hongyan_store::UserStore::append_audit(&store, entry).await?;
    hongyan_store::Store::close(&store).await?;
    Ok(())
}

/// Adds a key with the next id; returns the id.
fn add(config: &Config, data_dir: &Path) -> Result<u32> {
    let ring = ring(&config.encryption, data_dir)?;
    let next = ring.current_id().checked_add(1).context("key ids are exhausted")?;
    if ring.ids().len() >= seal::MAX_KEYS {
        bail!("the ring already holds {} keys: run `hongyan keys rekey`, then remove keys no row uses", seal::MAX_KEYS);
    }
    let entry = seal::new_entry(next);
    match &config.encryption.keys {
        KeySource::Env(var) => {
            println!("add this entry to {var} (comma-separated), keeping the others until `keys rekey` has run:");
            println!("{}", entry.trim_end());
        }
        source => {
            let path = match source {
                KeySource::File(p) => p.clone(),
                _ => hongyan_store_sqlite::default_key_path(&data_dir.join("hongyan.db")),
            };
            use std::io::Write as _;
            let before = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            // A hand-edited file may lack its last newline; the entry must not join that line.
            let entry = if before.is_empty() || before.ends_with(b"\n") { entry } else { format!("\n{entry}") };
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .with_context(|| format!("opening {}", path.display()))?;
            file.write_all(entry.as_bytes()).and_then(|()| file.sync_all())?;
            println!(
                "data key {next} added to {}; restart `serve` to seal with it, then run `hongyan keys rekey`",
                path.display()
            );
        }
    }
    Ok(next)
}

async fn rekey(config: &Config, data_dir: &Path) -> Result<()> {
    let ring = ring(&config.encryption, data_dir)?;
    let path = data_dir.join("hongyan.db");
    let counts = tokio::task::spawn_blocking({
        let (path, ring) = (path.clone(), ring.clone());
        move || SqliteStore::rekey(&path, &ring)
    })
    .await?
    .with_context(|| format!("resealing {}", path.display()))?;
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    for (table, n) in &counts {
        println!("{table}: {n} rows resealed");
    }
    println!(
        "every row is sealed with data key {} ({total} rewritten); older keys may now be removed",
        ring.current_id()
    );
    audit(data_dir, "data_keys.rekey", "data_keys", serde_json::json!({ "key_id": ring.current_id(), "rows": total }))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_add_appends_the_next_id_even_after_a_hand_edit() {
        let dir = std::env::temp_dir().join(format!("hongyan-keys-add-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("hongyan.keys");
        // As an operator might leave it: a comment, one entry, no newline at the end.
        std::fs::write(&file, format!("# ours\n{}", seal::new_entry(1).trim_end())).unwrap();
        let config = Config::default();
        let before = ring(&config.encryption, &dir).unwrap();
        let sealed = before.seal("to", b"13800138000");
        add(&config, &dir).unwrap();
        let after = ring(&config.encryption, &dir).unwrap();
        assert_eq!(after.ids(), [2, 1]);
        assert_eq!(after.open("to", &sealed).unwrap(), b"13800138000", "the old key is kept");
        add(&config, &dir).unwrap();
        let full = add(&config, &dir).unwrap_err().to_string();
        assert!(full.contains("already holds 3 keys"), "{full}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
