//! `hongyan backup` and `hongyan restore`: the embedded store copied while the server runs, and
//! put back into a new data folder. The data keys are not in a backup (a stolen backup stays
//! sealed); a restore needs the backed-up installation's keys where `[encryption]` says, and
//! checks that they open what it restored.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use hongyan_config::KeySource;
use hongyan_store_sqlite::BackupReport;
use lexopt::prelude::*;

pub(crate) enum BackupOptions {
    Backup { data_dir: PathBuf, out: PathBuf },
    Restore { data_dir: PathBuf, from: PathBuf, config: Option<PathBuf> },
}

pub(crate) fn parse_backup(p: &mut lexopt::Parser) -> Result<BackupOptions, lexopt::Error> {
    let (mut data_dir, mut out) = (crate::cli::default_data_dir(), None);
    while let Some(arg) = p.next()? {
        match arg {
            Long("data-dir") => data_dir = p.value()?.into(),
            Long("out") => out = Some(p.value()?.into()),
            other => return Err(other.unexpected()),
        }
    }
    let out = out.ok_or("backup needs --out FILE")?;
    Ok(BackupOptions::Backup { data_dir, out })
}

pub(crate) fn parse_restore(p: &mut lexopt::Parser) -> Result<BackupOptions, lexopt::Error> {
    let (mut data_dir, mut from, mut config) = (crate::cli::default_data_dir(), None, None);
    while let Some(arg) = p.next()? {
        match arg {
            Value(v) if from.is_none() => from = Some(v.into()),
            Long("data-dir") => data_dir = p.value()?.into(),
            Long("config") => config = Some(p.value()?.into()),
            other => return Err(other.unexpected()),
        }
    }
    let from = from.ok_or("restore needs the backup FILE")?;
    Ok(BackupOptions::Restore { data_dir, from, config })
}

fn describe(r: &BackupReport) -> String {
    format!(
        "{} message(s), newest id {}, schema {}, {:.1} MB",
        r.messages,
        r.newest_message,
        r.schema,
        r.bytes as f64 / 1_048_576.0
    )
}

pub(crate) async fn run(o: BackupOptions) -> Result<()> {
    match o {
        BackupOptions::Backup { data_dir, out } => {
            let db = data_dir.join("hongyan.db");
            let report = tokio::task::spawn_blocking({
                let out = out.clone();
                move || hongyan_store_sqlite::backup(&db, &out)
            })
            .await??;
            let after = serde_json::json!({ "file": out.display().to_string(), "messages": report.messages });
            crate::keys_cmd::audit(&data_dir, "store.backup", "store", after).await?;
            println!("backup written to {}: {}", out.display(), describe(&report));
            println!("the data keys are not in it: keep a copy of them apart (see [encryption])");
            Ok(())
        }
        BackupOptions::Restore { data_dir, from, config } => restore(&data_dir, &from, config.as_deref()).await,
    }
}

async fn restore(data_dir: &Path, from: &Path, config: Option<&Path>) -> Result<()> {
    let cfg = crate::serve::load_config(config)?;
    let db = data_dir.join("hongyan.db");
    if matches!(cfg.encryption.keys, KeySource::DataDir) {
        let keys = hongyan_store_sqlite::default_key_path(&db);
        if !keys.exists() {
            bail!(
                "no data key file at {}: copy the backed-up installation's hongyan.keys there first \
                 (without it the restored messages cannot be read)",
                keys.display()
            );
        }
    }
    let report = hongyan_store_sqlite::restore(from, &db)?;
    // The keys must open what was restored; if not, the folder is left as it was.
    let opened = crate::keys_cmd::ring(&cfg.encryption, data_dir)
        .and_then(|ring| Ok(hongyan_store_sqlite::check_keys(&db, &ring)?))
        .and_then(|()| crate::keys_cmd::open_sealed(config, data_dir));
    match opened {
        Ok(store) => hongyan_store::Store::close(&store).await?,
        Err(e) => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            return Err(e).context("the configured data keys cannot open this backup; nothing was restored");
        }
    }
    let after = serde_json::json!({ "file": from.display().to_string(), "messages": report.messages });
    crate::keys_cmd::audit(data_dir, "store.restore", "store", after).await?;
    println!("restored {} into {}: {}", from.display(), data_dir.display(), describe(&report));
    Ok(())
}
