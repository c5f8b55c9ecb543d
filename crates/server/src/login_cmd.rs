//! `hongyan account smpp ACCOUNT_ID [--system-id ID] [--json]`: gives an interface account a
//! login for our SMPP server. The password is made here and printed once.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use hongyan_engine::{Engine, SystemClock};
use hongyan_store::StoreError;
use lexopt::prelude::*;

use crate::cli::{default_data_dir, int, string};

/// SMPP 3.4: system_id is at most 15 characters, password at most 8.
const SMPP_LOGIN_MAX: usize = 15;
const SMPP_PASSWORD_LEN: usize = 8;

pub(crate) struct LoginOptions {
    data_dir: PathBuf,
    account: i64,
    protocol: &'static str,
    login: Option<String>,
    json: bool,
}

pub(crate) fn parse(p: &mut lexopt::Parser, protocol: &'static str) -> Result<LoginOptions, lexopt::Error> {
    let mut o = LoginOptions {
        data_dir: default_data_dir(),
        account: int(p, "ACCOUNT_ID")?,
        protocol,
        login: None,
        json: false,
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("data-dir") => o.data_dir = p.value()?.into(),
            Long("system-id") => o.login = Some(string(p.value()?, "--system-id")?),
            Long("json") => o.json = true,
            other => return Err(other.unexpected()),
        }
    }
    if let Some(l) = &o.login {
        if l.is_empty() || l.len() > SMPP_LOGIN_MAX || !l.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("--system-id is 1 to {SMPP_LOGIN_MAX} printable ASCII characters").into());
        }
    }
    Ok(o)
}

pub(crate) async fn run(o: LoginOptions) -> Result<()> {
    let path = o.data_dir.join("hongyan.db");
    let store: Arc<dyn hongyan_store::Store> = Arc::new(
        hongyan_store_sqlite::SqliteStore::open(&path).with_context(|| format!("opening {}", path.display()))?,
    );
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let login = o.login.clone().unwrap_or_else(|| format!("hy{:06}", o.account));
    let made = match engine.create_client_login(o.account, o.protocol, login.clone(), SMPP_PASSWORD_LEN).await {
        Ok(l) => l,
        Err(StoreError::Conflict(_)) => anyhow::bail!("the {} login `{login}` is taken", o.protocol),
        Err(e) => return Err(e).context("creating the login"),
    };
    store.close().await?;
    if o.json {
        println!(
            "{}",
            serde_json::json!({ "account_id": o.account, "system_id": made.login, "password": made.secret })
        );
    } else {
        println!("account {}: SMPP system_id {} password {} (shown once)", o.account, made.login, made.secret);
    }
    Ok(())
}
