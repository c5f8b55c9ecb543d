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
use hongyan_store::Store;
use lexopt::prelude::*;

use crate::cli::{default_data_dir, int, string};

pub(crate) struct StatementOptions {
    data_dir: PathBuf,
    config: Option<PathBuf>,
    account: Option<i64>,
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    json: bool,
}

pub(crate) fn parse(p: &mut lexopt::Parser) -> Result<StatementOptions, lexopt::Error> {
    let mut o = StatementOptions {
        data_dir: default_data_dir(),
        config: None,
        account: None,
        from: None,
        to: None,
        period: None,
        json: false,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("data-dir") => o.data_dir = p.value()?.into(),
            Long("config") => o.config = Some(p.value()?.into()),
            Long("account") => o.account = Some(int(p, "--account")?),
            Long("from") => o.from = Some(string(p.value()?, "--from")?),
            Long("to") => o.to = Some(string(p.value()?, "--to")?),
            Long("period") => o.period = Some(string(p.value()?, "--period")?),
            Long("format") => {
                o.json = match string(p.value()?, "--format")?.as_str() {
                    "json" => true,
                    "csv" => false,
                    other => return Err(format!("--format is csv or json, not `{other}`").into()),
                }
            }
            other => return Err(other.unexpected()),
        }
    }
    let by_dates = o.from.is_some() && o.to.is_some();
    if by_dates == o.period.is_some() {
        return Err("give --from and --to, or --period".into());
    }
    Ok(o)
}

pub(crate) async fn run(o: StatementOptions) -> Result<()> {
    let config = crate::serve::load_config(o.config.as_deref())?;
    let path = o.data_dir.join("hongyan.db");
    let store: Arc<dyn Store> = Arc::new(
        hongyan_store_sqlite::SqliteStore::open_unsealed(&path)
            .with_context(|| format!("opening {}", path.display()))?,
    );
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
            if o.json {
                serde_json::to_string_pretty(&statement_json(&s))?
            } else {
                s.to_csv()
            }
        }
        None => {
            let all = engine.all_statements(start, until).await?;
            if o.json {
                let accounts: Vec<serde_json::Value> = all
                    .accounts
                    .iter()
                    .map(|(name, s)| serde_json::json!({ "account": name, "statement": statement_json(s) }))
                    .collect();
                let total = serde_json::json!({ "messages": all.messages, "billed_segments": all.billed_segments, "amount": all.amount.to_string() });
                serde_json::to_string_pretty(
                    &serde_json::json!({ "from": from, "to": to, "accounts": accounts, "total": total }),
                )?
            } else {
                all.to_csv()
            }
        }
    };
    store.close().await?;
    print!("{out}");
    if o.json {
        println!();
    }
    Ok(())
}

fn statement_json(s: &hongyan_engine::statement::Statement) -> serde_json::Value {
    let lines = s.lines_json();
    serde_json::json!({
        "account_id": s.account_id, "lines": lines,
        "total": { "messages": s.messages, "billed_segments": s.billed_segments, "amount": s.amount.to_string(), "unpriced_segments": s.unpriced_segments },
    })
}
