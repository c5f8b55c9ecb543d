//! `hongyan callback …`: what an administrator does with callbacks until the admin API.
//!
//! ```text
//! hongyan callback set ACCOUNT_ID URL      a new signing secret is printed once
//! hongyan callback clear ACCOUNT_ID
//! hongyan callback per-request ACCOUNT_ID on|off  may requests name their own callback URL
//! hongyan callback failures [--account ID] batches given up after the retry period
//! hongyan callback resend FAILURE_ID       put a given-up batch at the end of the feed again
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use hongyan_engine::admin::{Actor, RightsChange};
use hongyan_engine::{Engine, SystemClock};
use lexopt::prelude::*;

use crate::cli::{default_data_dir, int, string};

pub(crate) enum CallbackCommand {
    Set { account: i64, url: String },
    Clear { account: i64 },
    PerRequest { account: i64, allowed: bool },
    Failures { account: Option<i64> },
    Resend { id: i64 },
}

pub(crate) struct CallbackOptions {
    data_dir: PathBuf,
    command: CallbackCommand,
}

pub(crate) fn parse(p: &mut lexopt::Parser) -> Result<CallbackOptions, lexopt::Error> {
    let sub = match p.next()? {
        Some(Value(v)) => string(v, "subcommand")?,
        _ => return Err("expected `callback set|clear|per-request|failures|resend`".into()),
    };
    let command = match sub.as_str() {
        "set" => CallbackCommand::Set { account: int(p, "ACCOUNT_ID")?, url: string(p.value()?, "URL")? },
        "clear" => CallbackCommand::Clear { account: int(p, "ACCOUNT_ID")? },
        "per-request" => {
            let account = int(p, "ACCOUNT_ID")?;
            let allowed = match string(p.value()?, "on|off")?.as_str() {
                "on" => true,
                "off" => false,
                other => return Err(format!("per-request is on or off, not `{other}`").into()),
            };
            CallbackCommand::PerRequest { account, allowed }
        }
        "failures" => CallbackCommand::Failures { account: None },
        "resend" => CallbackCommand::Resend { id: int(p, "FAILURE_ID")? },
        other => return Err(format!("unknown callback subcommand `{other}`").into()),
    };
    let mut o = CallbackOptions { data_dir: default_data_dir(), command };
    while let Some(arg) = p.next()? {
        match (arg, &mut o.command) {
            (Long("data-dir"), _) => o.data_dir = p.value()?.into(),
            (Long("account"), CallbackCommand::Failures { account }) => *account = Some(int(p, "--account")?),
            (other, _) => return Err(other.unexpected()),
        }
    }
    Ok(o)
}

pub(crate) async fn run(o: CallbackOptions) -> Result<()> {
    let path = o.data_dir.join("hongyan.db");
    let store: Arc<dyn hongyan_store::Store> = Arc::new(
        hongyan_store_sqlite::SqliteStore::open_unsealed(&path)
            .with_context(|| format!("opening {}", path.display()))?,
    );
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    match o.command {
        CallbackCommand::Set { account, url } => {
            let cb = hongyan_notify::set_callback(&engine, &Actor::cli(), account, Some(&url))
                .await?
                .context("callback set")?;
            println!("account {account}: reports and replies are pushed to {}", cb.url);
            println!("signing secret (shown once; the receiver checks X-Hongyan-Signature with it): {}", cb.secret);
        }
        CallbackCommand::Clear { account } => {
            hongyan_notify::set_callback(&engine, &Actor::cli(), account, None).await?;
            println!("account {account}: no callback; reports wait for GET /api/v1/reports");
        }
        CallbackCommand::PerRequest { account, allowed } => {
            let change = RightsChange { callback_per_request: Some(allowed), ..RightsChange::default() };
            engine.admin_set_rights(&Actor::cli(), account, change).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let how = if allowed { "may name a callback URL per request" } else { "may not name callback URLs" };
            println!("account {account}: requests {how}");
        }
        CallbackCommand::Failures { account } => {
            for f in store.push_failures(account).await? {
                let resent = f.resent_at.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339_beijing());
                let failed = f.failed_at.to_rfc3339_beijing();
                println!(
                    "{}\taccount {}\tseq {}..={}\t{failed}\t{}\tresent {resent}",
                    f.id, f.account_id, f.seqs.0, f.seqs.1, f.error
                );
            }
        }
        CallbackCommand::Resend { id } => {
            engine.admin_resend_push_failure(&Actor::cli(), id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("failure {id}: its events are queued for the callback again");
        }
    }
    store.close().await?;
    Ok(())
}
