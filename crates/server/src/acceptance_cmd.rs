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
use lexopt::prelude::*;

use crate::cli::{default_data_dir, string};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Xlsx,
    Json,
}

pub(crate) struct AcceptanceOptions {
    data_dir: PathBuf,
    config: Option<PathBuf>,
    from: String,
    to: String,
    format: Format,
    english: bool,
    out: Option<PathBuf>,
}

pub(crate) fn parse(p: &mut lexopt::Parser) -> Result<AcceptanceOptions, lexopt::Error> {
    let (mut from, mut to) = (None, None);
    let mut o = AcceptanceOptions {
        data_dir: default_data_dir(),
        config: None,
        from: String::new(),
        to: String::new(),
        format: Format::Html,
        english: false,
        out: None,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("data-dir") => o.data_dir = p.value()?.into(),
            Long("config") => o.config = Some(p.value()?.into()),
            Long("from") => from = Some(string(p.value()?, "--from")?),
            Long("to") => to = Some(string(p.value()?, "--to")?),
            Long("out") => o.out = Some(p.value()?.into()),
            Long("lang") => {
                o.english = match string(p.value()?, "--lang")?.as_str() {
                    "zh" => false,
                    "en" => true,
                    other => return Err(format!("--lang is zh or en, not `{other}`").into()),
                }
            }
            Long("format") => {
                o.format = match string(p.value()?, "--format")?.as_str() {
                    "html" => Format::Html,
                    "xlsx" => Format::Xlsx,
                    "json" => Format::Json,
                    other => return Err(format!("--format is html, xlsx or json, not `{other}`").into()),
                }
            }
            other => return Err(other.unexpected()),
        }
    }
    let (Some(f), Some(t)) = (from, to) else { return Err("give --from and --to (YYYY-MM-DD)".into()) };
    (o.from, o.to) = (f, t);
    if o.format == Format::Xlsx && o.out.is_none() {
        return Err("a workbook is written to a file: give --out FILE".into());
    }
    Ok(o)
}

pub(crate) async fn run(o: AcceptanceOptions) -> Result<()> {
    let config = crate::serve::load_config(o.config.as_deref())?;
    let data_dir = o.data_dir;
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
        Format::Html => hongyan_console::acceptance_html(&report, o.english).map_err(anyhow::Error::msg)?.into_bytes(),
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
