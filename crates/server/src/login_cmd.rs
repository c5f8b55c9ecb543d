//! `hongyan account smpp ACCOUNT_ID [--system-id ID] [--json]` and
//! `hongyan account cmpp ACCOUNT_ID [--sp-id NNNNNN] [--json]`: give an interface account a
//! login for our SMPP or CMPP server. The password (shared secret) is made here and printed once.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use hongyan_engine::{Engine, SystemClock};
use lexopt::prelude::*;

use crate::cli::{default_data_dir, int, string};

/// A protocol's rules for logins: flag name, longest login, secret length, default login.
struct Rules {
    flag: &'static str,
    login_max: usize,
    digits_only: bool,
    secret_len: usize,
}

fn rules(protocol: &str) -> Rules {
    match protocol {
        // CMPP: Source_Addr (SP_Id) is 6 digits; the shared secret is ours to choose.
        "cmpp" => Rules { flag: "sp-id", login_max: 6, digits_only: true, secret_len: 16 },
        // SMPP 3.4: system_id at most 15 characters, password at most 8.
        _ => Rules { flag: "system-id", login_max: 15, digits_only: false, secret_len: 8 },
    }
}

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
            Long(flag) if flag == rules(protocol).flag => o.login = Some(string(p.value()?, "the login")?),
            Long("json") => o.json = true,
            other => return Err(other.unexpected()),
        }
    }
    let r = rules(protocol);
    if let Some(l) = &o.login {
        let ok = |b: u8| if r.digits_only { b.is_ascii_digit() } else { b.is_ascii_graphic() };
        let exact = r.digits_only && l.len() != r.login_max;
        if l.is_empty() || l.len() > r.login_max || exact || !l.bytes().all(ok) {
            let what = if r.digits_only { "digits" } else { "printable ASCII characters" };
            return Err(format!("--{} is at most {} {what}", r.flag, r.login_max).into());
        }
    }
    Ok(o)
}

pub(crate) async fn run(o: LoginOptions) -> Result<()> {
    let path = o.data_dir.join("hongyan.db");
    let store: Arc<dyn hongyan_store::Store> = Arc::new(
        hongyan_store_sqlite::SqliteStore::open_unsealed(&path)
            .with_context(|| format!("opening {}", path.display()))?,
    );
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let r = rules(o.protocol);
    let login = o.login.clone().unwrap_or_else(|| match o.protocol {
        "cmpp" => format!("{:06}", 900_000 + o.account % 100_000),
        _ => format!("hy{:06}", o.account),
    });
    let actor = hongyan_engine::admin::Actor::cli();
    let made = engine
        .admin_create_client_login(&actor, o.account, o.protocol, login, r.secret_len)
        .await
        .map_err(crate::account::cli_error)?;
    store.close().await?;
    if o.json {
        println!("{}", serde_json::json!({ "account_id": o.account, "login": made.login, "secret": made.secret }));
    } else {
        let (login, secret) = if o.protocol == "cmpp" { ("SP_Id", "shared secret") } else { ("system_id", "password") };
        println!("account {}: {} {login} {} {secret} {} (shown once)", o.account, o.protocol, made.login, made.secret);
    }
    Ok(())
}
