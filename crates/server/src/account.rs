//! `hongyan account create NAME`

use std::sync::Arc;

use anyhow::{Context, Result};
use hongyan_engine::{Engine, SystemClock};
use hongyan_store::{Store, StoreError};
use hongyan_store_sqlite::SqliteStore;

use crate::cli::AccountOptions;

pub(crate) async fn create(opts: AccountOptions) -> Result<()> {
    let path = opts.data_dir.join("hongyan.db");
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?);
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let cred = match engine.create_account(&opts.name).await {
        Ok(c) => c,
        Err(StoreError::Conflict(_)) => anyhow::bail!("an account named `{}` already exists", opts.name),
        Err(e) => return Err(e).context("creating the account"),
    };
    store.close().await?;
    if opts.json {
        let out = serde_json::json!({
            "account": cred.account.name, "account_id": cred.account.id,
            "key_id": cred.key_id, "secret": cred.secret,
        });
        println!("{out}");
    } else {
        println!("account `{}` created (id {})", cred.account.name, cred.account.id);
        println!("key_id: {}", cred.key_id);
        println!("secret: {}", cred.secret);
        println!("The secret is shown only this once; only its hash is stored.");
    }
    Ok(())
}
