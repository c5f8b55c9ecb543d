//! `hongyan acceptance`: the acceptance report of a period, written as a file for the
//! bureau's records — the same figures as the console's page and the API's report.
//!
//! ```text
//! hongyan acceptance --from YYYY-MM-DD --to YYYY-MM-DD [--format html|xlsx|json] [--lang zh|en]
//!                    [--out FILE] [--config FILE] [--data-dir DIR]
//! ```
//! Without `--out` the report goes to standard output (HTML or JSON; a workbook needs `--out`).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_store::Store;

use crate::cli::DataDir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Html,
    Xlsx,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Lang {
    Zh,
    En,
}

#[derive(clap::Args)]
pub(crate) struct AcceptanceOptions {
    /// The first day, YYYY-MM-DD (Beijing time)
    #[arg(long, value_name = "YYYY-MM-DD")]
    from: String,
    /// The last day, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD")]
    to: String,
    /// A workbook (xlsx) needs --out
    #[arg(long, value_enum, default_value = "html")]
    format: Format,
    #[arg(long, value_enum, default_value = "zh")]
    lang: Lang,
    /// The file to write; standard output without it
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The configuration file: channels, keys, payment periods
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    data: DataDir,
}

pub(crate) async fn run(o: AcceptanceOptions) -> Result<()> {
    if o.format == Format::Xlsx && o.out.is_none() {
        bail!("a workbook is written to a file: give --out FILE");
    }
    let config = crate::serve::load_config(o.config.as_deref())?;
    let data_dir = o.data.dir;
    let db = data_dir.join("hongyan.db");
    if !db.exists() {
        bail!("no store at {}: give the server's --data-dir", db.display());
    }
    // Incident texts are sealed: the report needs the data keys, as the server does.
    let ring = crate::keys_cmd::ring(&config.encryption, &data_dir)?;
    let store: Arc<dyn Store> = Arc::new(
        hongyan_store_sqlite::SqliteStore::open_with(&db, ring).with_context(|| format!("opening {}", db.display()))?,
    );
    let mut names: Vec<String> = config.channels.iter().map(|c| c.name.clone()).collect();
    if config.simulators.enabled {
        names.extend(crate::simulators::Simulators::NAMES.iter().map(|n| (*n).to_owned()));
    }
    let specs: Vec<ChannelSpec> = names.iter().map(|n| ChannelSpec::new(n, &[])).collect();
    let (engine, _queues) = Engine::new(store.clone(), Arc::new(SystemClock), &specs).await?;
    engine.set_billing_periods(crate::serve::billing_periods(&config));
    let report = engine.acceptance(&o.from, &o.to).await?;
    store.close().await?;
    let bytes = match o.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&hongyan_api::acceptance::report_json(&report))?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Html => {
            hongyan_console::acceptance_html(&report, o.lang == Lang::En).map_err(anyhow::Error::msg)?.into_bytes()
        }
        Format::Xlsx => hongyan_api::acceptance::report_xlsx(&report).context("writing the workbook")?,
    };
    match &o.out {
        Some(path) => std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    if !report.passed() {
        eprintln!("acceptance {} — {}: some figure was not met or some fault missed its clock", o.from, o.to);
    }
    Ok(())
}
