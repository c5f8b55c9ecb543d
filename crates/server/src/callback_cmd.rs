//! `hongyan callback …`: what an administrator does with callbacks until the admin API.
//!
//! ```text
//! hongyan callback set ACCOUNT_ID URL      a new signing secret is printed once
//! hongyan callback clear ACCOUNT_ID
//! hongyan callback per-request ACCOUNT_ID on|off  may requests name their own callback URL
//! hongyan callback failures [--account ID] batches given up after the retry period
//! hongyan callback resend FAILURE_ID       put a given-up batch at the end of the feed again
//! ```

use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use hongyan_engine::admin::{Actor, RightsChange};
use hongyan_engine::{Engine, SystemClock};

use crate::cli::{DataDir, Switch};

#[derive(Subcommand)]
pub(crate) enum CallbackCommand {
    /// Push the account's reports and replies to URL; a new signing secret is printed once
    Set {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
        url: String,
    },
    /// Push nothing: reports wait for GET /api/v1/reports
    Clear {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
    },
    /// May the account's requests name their own callback URL
    PerRequest {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
        #[arg(value_enum)]
        allowed: Switch,
    },
    /// Batches given up after the retry period
    Failures {
        /// One account's only
        #[arg(long, value_name = "ID")]
        account: Option<i64>,
    },
    /// Put a given-up batch at the end of the feed again
    Resend {
        #[arg(value_name = "FAILURE_ID")]
        id: i64,
    },
}

#[derive(Args)]
pub(crate) struct CallbackOptions {
    #[command(subcommand)]
    command: CallbackCommand,
    #[command(flatten)]
    data: DataDir,
    /// The configuration file, for its `[encryption]` (signing secrets are sealed with the data
    /// keys) and its `[cluster]`
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<std::path::PathBuf>,
}

pub(crate) async fn run(o: CallbackOptions) -> Result<()> {
    let store = crate::cluster::admin_store(o.config.as_deref(), &o.data.dir, true).await?;
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
            let allowed = allowed.on();
            let change = RightsChange { callback_per_request: Some(allowed), ..RightsChange::default() };
            engine.admin_set_rights(&Actor::cli(), account, change).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            let how = if allowed { "may name a callback URL per request" } else { "may not name callback URLs" };
            println!("account {account}: requests {how}");
        }
        CallbackCommand::Failures { account } => {
            let failures =
                engine.admin_push_failures(&Actor::cli(), account).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            for f in failures {
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
