//! `hongyan backup` and `hongyan restore`: the embedded store copied while the server runs, and
//! put back into a new data folder. The data keys are not in a backup (a stolen backup stays
//! sealed); a restore needs the backed-up installation's keys where `[encryption]` says, and
//! checks that they open what it restored.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use hongyan_config::KeySource;
use hongyan_store_sqlite::BackupReport;

use crate::cli::DataDir;

#[derive(clap::Args)]
pub(crate) struct BackupArgs {
    /// The backup file to write (never overwritten)
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    data: DataDir,
}

#[derive(clap::Args)]
pub(crate) struct RestoreArgs {
    /// The backup file
    file: PathBuf,
    /// The configuration file, for its `[encryption]` keys
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    data: DataDir,
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

pub(crate) async fn backup(a: BackupArgs) -> Result<()> {
    let (db, out) = (a.data.db(), a.out);
    let report = tokio::task::spawn_blocking({
        let out = out.clone();
        move || hongyan_store_sqlite::backup(&db, &out)
    })
    .await??;
    let after = serde_json::json!({ "file": out.display().to_string(), "messages": report.messages });
    crate::keys_cmd::audit(&a.data.dir, "store.backup", "store", after).await?;
    println!("backup written to {}: {}", out.display(), describe(&report));
    println!("the data keys are not in it: keep a copy of them apart (see [encryption])");
    Ok(())
}

pub(crate) async fn restore_from(a: RestoreArgs) -> Result<()> {
    restore(&a.data.dir, &a.file, a.config.as_deref()).await
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
