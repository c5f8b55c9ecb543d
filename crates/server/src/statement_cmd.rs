//! `hongyan statement`: the volume and fee statement for operators without the console, read
//! from the daily totals (unsealed, so no data keys are needed).
//!
//! ```text
//! hongyan statement (--from YYYY-MM-DD --to YYYY-MM-DD | --period NAME) [--account ID]
//!                   [--format csv|json] [--config FILE] [--data-dir DIR]
//! ```
//! Without `--account`: every account, for the platform's own invoice.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use hongyan_engine::statement::{period, NamedPeriod};
use hongyan_engine::{Engine, SystemClock};

use crate::cli::DataDir;

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("period_or_dates").required(true).args(["from", "period"])))]
pub(crate) struct StatementOptions {
    /// The first day, YYYY-MM-DD (Beijing time)
    #[arg(long, value_name = "YYYY-MM-DD", requires = "to")]
    from: Option<String>,
    /// The last day, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD", requires = "from")]
    to: Option<String>,
    /// A payment period named in the configuration's `[[billing_period]]`
    #[arg(long, value_name = "NAME")]
    period: Option<String>,
    /// One account's statement; every account's without it
    #[arg(long, value_name = "ID")]
    account: Option<i64>,
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// The configuration file, for its payment periods and categories (and with `[cluster]`,
    /// the cluster's database)
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    data: DataDir,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Csv,
    Json,
}

pub(crate) async fn run(o: StatementOptions) -> Result<()> {
    let config = crate::serve::load_config(o.config.as_deref())?;
    let store = crate::cluster::admin_store(o.config.as_deref(), &o.data.dir, false).await?;
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    engine.set_categories(config.categories.clone());
    let named: Vec<NamedPeriod> = crate::serve::billing_periods(&config);
    let (from, to) = match &o.period {
        Some(name) => {
            let p = named.iter().find(|p| &p.name == name).with_context(|| {
                let names: Vec<&str> = named.iter().map(|p| p.name.as_str()).collect();
                format!("no payment period `{name}` in the configuration (there are: {})", names.join(", "))
            })?;
            (p.from.clone(), p.to.clone())
        }
        None => (o.from.clone().unwrap_or_default(), o.to.clone().unwrap_or_default()),
    };
    let (start, until) = period(&from, &to)?;
    let out = match o.account {
        Some(id) => {
            let s = engine.statement(id, start, until).await?;
            match o.format {
                Format::Json => serde_json::to_string_pretty(&hongyan_api::statement::statement_json(&s, &from, &to))?,
                Format::Csv => s.to_csv(),
            }
        }
        None => {
            let all = engine.all_statements(start, until).await?;
            match o.format {
                Format::Json => {
                    serde_json::to_string_pretty(&hongyan_api::statement::all_statements_json(&all, &from, &to))?
                }
                Format::Csv => all.to_csv(),
            }
        }
    };
    store.close().await?;
    print!("{out}");
    if o.format == Format::Json {
        println!();
    }
    Ok(())
}
