//! `hongyan account smpp ACCOUNT_ID [--system-id ID] [--category C] [--json]` and
//! `hongyan account cmpp ACCOUNT_ID [--sp-id NNNNNN] [--category C] [--json]`: give an interface
//! account a login for our SMPP or CMPP server. The password (shared secret) is made here and
//! printed once. `--category` is the login's default category (submits with an empty
//! service_type / Service_Id); `--set-category C|none` with the login changes an existing one's.

use std::path::PathBuf;
use std::sync::Arc;

use crate::cli::DataDir;
use anyhow::Result;
use hongyan_engine::{Engine, SystemClock};

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

/// What `account smpp|cmpp` does, whichever protocol.
pub(crate) struct LoginOptions {
    data_dir: PathBuf,
    account: i64,
    protocol: &'static str,
    login: Option<String>,
    json: bool,
    config: Option<PathBuf>,
    /// The default category to give (`--category`) or set (`--set-category`); "none" clears.
    category: Option<String>,
    /// Change an existing login's default category instead of making a login.
    set_only: bool,
}

#[derive(clap::Args)]
pub(crate) struct SmppLogin {
    #[arg(value_name = "ACCOUNT_ID")]
    account: i64,
    /// The login's system_id (at most 15 characters); hyNNNNNN by default
    #[arg(id = "login", long = "system-id", value_name = "ID", value_parser = smpp_login)]
    login: Option<String>,
    #[command(flatten)]
    flags: LoginFlags,
}

#[derive(clap::Args)]
pub(crate) struct CmppLogin {
    #[arg(value_name = "ACCOUNT_ID")]
    account: i64,
    /// The login's SP_Id (6 digits); 9NNNNN by default
    #[arg(id = "login", long = "sp-id", value_name = "NNNNNN", value_parser = cmpp_login)]
    login: Option<String>,
    #[command(flatten)]
    flags: LoginFlags,
}

#[derive(clap::Args)]
struct LoginFlags {
    /// The login's default category (for an empty service_type / Service_Id)
    #[arg(long, value_name = "C", conflicts_with = "set_category")]
    category: Option<String>,
    /// Change an existing login's default category (or `none`) instead of making a login
    #[arg(long, value_name = "C|none", requires = "login")]
    set_category: Option<String>,
    /// Print the new login as JSON
    #[arg(long)]
    json: bool,
    /// The configuration file, for its categories, its `[encryption]` (passwords are sealed) and
    /// its `[cluster]`
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    data: DataDir,
}

impl SmppLogin {
    pub(crate) fn options(self) -> LoginOptions {
        self.flags.options("smpp", self.account, self.login)
    }
}

impl CmppLogin {
    pub(crate) fn options(self) -> LoginOptions {
        self.flags.options("cmpp", self.account, self.login)
    }
}

impl LoginFlags {
    fn options(self, protocol: &'static str, account: i64, login: Option<String>) -> LoginOptions {
        let set_only = self.set_category.is_some();
        LoginOptions {
            data_dir: self.data.dir,
            account,
            protocol,
            login,
            json: self.json,
            config: self.config,
            category: self.set_category.or(self.category),
            set_only,
        }
    }
}

fn smpp_login(l: &str) -> Result<String, String> {
    check_login(rules("smpp"), l)
}

fn cmpp_login(l: &str) -> Result<String, String> {
    check_login(rules("cmpp"), l)
}

fn check_login(r: Rules, l: &str) -> Result<String, String> {
    let ok = |b: u8| if r.digits_only { b.is_ascii_digit() } else { b.is_ascii_graphic() };
    let exact = r.digits_only && l.len() != r.login_max;
    if l.is_empty() || l.len() > r.login_max || exact || !l.bytes().all(ok) {
        let what = if r.digits_only { "digits" } else { "printable ASCII characters" };
        return Err(format!("--{} is at most {} {what}", r.flag, r.login_max));
    }
    Ok(l.to_owned())
}

/// The configured category `name` names ("none": no default).
fn default_category(o: &LoginOptions) -> Result<Option<hongyan_types::Category>> {
    match o.category.as_deref() {
        None | Some("none") => Ok(None),
        Some(name) => Ok(Some(crate::serve::load_config(o.config.as_deref())?.categories.parse(name)?)),
    }
}

pub(crate) async fn run(o: LoginOptions) -> Result<()> {
    let category = default_category(&o)?;
    // Passwords are sealed with the data keys, as serve reads them.
    let store = crate::cluster::admin_store(o.config.as_deref(), &o.data_dir, true).await?;
    let (engine, _) = Engine::new(store.clone(), Arc::new(SystemClock), &[]).await?;
    let r = rules(o.protocol);
    let login = o.login.clone().unwrap_or_else(|| match o.protocol {
        "cmpp" => format!("{:06}", 900_000 + o.account % 100_000),
        _ => format!("hy{:06}", o.account),
    });
    let actor = hongyan_engine::admin::Actor::cli();
    if o.set_only {
        engine
            .admin_set_client_login_category(&actor, o.account, o.protocol, &login, category)
            .await
            .map_err(crate::account::cli_error)?;
        store.close().await?;
        let shown = category.map_or("notification (none set)".to_owned(), |c| c.to_string());
        println!("account {}: {} login {login} now defaults to {shown}", o.account, o.protocol);
        return Ok(());
    }
    let made = engine
        .admin_create_client_login(&actor, o.account, o.protocol, login, r.secret_len, category)
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
