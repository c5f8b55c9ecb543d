//! Command-line parsing into typed options, with clap. Each command's flags, their help text
//! (`hongyan help account smpp`) and the checks on their values are declared once, on the
//! options they fill; the usage text is generated from them, so it cannot drift. Unknown
//! flags are errors. What a command does is in its own module.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub(crate) use crate::content_cmd::{
    BlacklistCommand, BlacklistOptions, SignatureCommand, SignatureOptions, TemplateCommand, TemplateOptions,
};
pub(crate) use crate::sim_cmd::SimArgs;

const ENVIRONMENT: &str = "\
Environment: HONGYAN_DATA_DIR (default ./data), HONGYAN_HTTP_ADDR (default 127.0.0.1:8080),
HONGYAN_LOG (error|warn|info|debug|trace).";

/// Hongyan (鸿雁): an SMS platform for China Mobile, China Unicom and China Telecom.
#[derive(Parser)]
#[command(name = "hongyan", version, after_help = ENVIRONMENT)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Run the platform: HTTP API, console, engine and carrier links (the embedded default
    /// without --config: SQLite in the data folder and simulated carriers)
    Serve(ServeOptions),
    /// Check a configuration file: every problem, one per line; exit status 1 if any
    CheckConfig {
        /// The configuration file (TOML)
        file: PathBuf,
    },
    /// Configuration helpers
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Interface accounts: open one, its limits, free text, SMPP and CMPP logins
    #[command(subcommand)]
    Account(AccountCommand),
    /// Message templates: list, add, approve, reject
    Template(TemplateOptions),
    /// Numbers moved between carriers
    #[command(subcommand)]
    Portability(PortabilityCommand),
    /// The global blacklist, or an account's own
    Blacklist(BlacklistOptions),
    /// Signatures (【…】): add, review, the default per category, prefix or suffix
    Signature(SignatureOptions),
    /// Where an account's reports and replies are pushed
    Callback(crate::callback_cmd::CallbackOptions),
    /// The data keys of encryption at rest
    Keys(crate::keys_cmd::KeysOptions),
    /// The volume and fee statement of a period (every account without --account)
    Statement(crate::statement_cmd::StatementOptions),
    /// The acceptance report of a period: channel figures, incidents, fees
    Acceptance(crate::acceptance_cmd::AcceptanceOptions),
    /// Copy the store while the server runs (the data keys are not in it)
    Backup(crate::backup_cmd::BackupArgs),
    /// Put a backup into a new data folder (needs the backed-up keys)
    Restore(crate::backup_cmd::RestoreArgs),
    /// Run a simulated carrier gateway on its own port
    Sim(SimArgs),
    /// Apply the PostgreSQL schema of cluster mode ([cluster] in the configuration)
    Migrate(crate::cluster::MigrateOptions),
}

#[derive(Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print an example configuration with every key explained
    Example,
}

#[derive(Subcommand)]
pub(crate) enum PortabilityCommand {
    /// Import `NUMBER,CARRIER` lines; new requests use them at once
    Import {
        /// The CSV file
        #[arg(value_name = "FILE.csv")]
        file: PathBuf,
        /// The configuration file: with `[cluster]`, the import goes to the cluster's database
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(Subcommand)]
pub(crate) enum AccountCommand {
    /// Open an interface account; its key is printed once
    Create(AccountOptions),
    /// An account's rate, quotas and verification-code limits
    Limits(LimitsOptions),
    /// May the account send free text (on), or approved templates only (off)
    FreeText {
        #[arg(value_name = "ACCOUNT_ID")]
        account: i64,
        #[arg(value_enum)]
        allowed: Switch,
        /// The configuration file: with `[cluster]`, the change is made in the cluster's database
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
    /// A login for our SMPP server (the password is printed once), or a login's default category
    Smpp(crate::login_cmd::SmppLogin),
    /// A login for our CMPP server (the shared secret is printed once), or a login's default
    /// category
    Cmpp(crate::login_cmd::CmppLogin),
}

/// The data folder a command works on: the one that holds `hongyan.db`.
#[derive(Args)]
pub(crate) struct DataDir {
    /// The data folder (it holds hongyan.db)
    #[arg(
        id = "data_dir",
        long = "data-dir",
        value_name = "DIR",
        env = "HONGYAN_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub(crate) dir: PathBuf,
}

impl DataDir {
    pub(crate) fn db(&self) -> PathBuf {
        self.dir.join("hongyan.db")
    }
}

/// `on` or `off`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Switch {
    On,
    Off,
}

impl Switch {
    pub(crate) fn on(self) -> bool {
        self == Self::On
    }
}

/// `serve` flags; `None` means "not given here": the config file, then the default, decide.
#[derive(Args)]
pub(crate) struct ServeOptions {
    /// The configuration file (TOML); the embedded default without it
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// The data folder; else the configuration's, else ./data
    #[arg(long, value_name = "DIR", env = "HONGYAN_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The HTTP API's and the console's address
    #[arg(long, value_name = "ADDR", env = "HONGYAN_HTTP_ADDR")]
    pub(crate) http: Option<SocketAddr>,
    /// Our SMPP server's address (for client systems)
    #[arg(long, value_name = "ADDR")]
    pub(crate) smpp: Option<SocketAddr>,
    /// Our CMPP server's address (for client systems)
    #[arg(long, value_name = "ADDR")]
    pub(crate) cmpp: Option<SocketAddr>,
    /// The in-process simulators' delay before a status report, in ms
    #[arg(long = "sim-report-delay-ms", value_name = "N", value_parser = millis)]
    pub(crate) sim_report_delay: Option<Duration>,
    /// The in-process simulators' delay before a submit response, in ms
    #[arg(long = "sim-submit-latency-ms", value_name = "N", value_parser = millis)]
    pub(crate) sim_submit_latency: Option<Duration>,
}

#[derive(Args)]
pub(crate) struct AccountOptions {
    /// 1–64 letters, digits, `-`, `_` or `.`
    #[arg(value_parser = account_name)]
    pub(crate) name: String,
    /// The approved default signature for every category (2–20 characters, no brackets); the
    /// account name without it
    #[arg(long, value_name = "TEXT", value_parser = signature_text)]
    pub(crate) signature: Option<String>,
    /// The account's extension code, up to 6 digits
    #[arg(long, value_name = "DIGITS", value_parser = digits, default_value = "")]
    pub(crate) extension: String,
    /// Print the new account and its key as JSON
    #[arg(long)]
    pub(crate) json: bool,
    /// The configuration file: with `[cluster]`, the account is opened in the cluster's database
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) data: DataDir,
}

/// `hongyan account limits ID …`: a flag not given leaves that limit as it is.
#[derive(Args)]
pub(crate) struct LimitsOptions {
    #[arg(value_name = "ACCOUNT_ID")]
    pub(crate) account: i64,
    /// Messages a second, or `none`
    #[arg(long, value_name = "N|none", value_parser = limit::<u32>)]
    pub(crate) rate: Option<Limit<u32>>,
    /// Messages a day, or `none`
    #[arg(long, value_name = "N|none", value_parser = limit::<u64>)]
    pub(crate) daily: Option<Limit<u64>>,
    /// Messages a month, or `none`
    #[arg(long, value_name = "N|none", value_parser = limit::<u64>)]
    pub(crate) monthly: Option<Limit<u64>>,
    /// Verification codes to one number a minute
    #[arg(long = "verification-per-minute", value_name = "N")]
    pub(crate) per_minute: Option<u32>,
    /// Verification codes to one number an hour
    #[arg(long = "verification-per-hour", value_name = "N")]
    pub(crate) per_hour: Option<u32>,
    /// Verification codes to one number a day
    #[arg(long = "verification-per-day", value_name = "N")]
    pub(crate) per_day: Option<u32>,
    /// The configuration file: with `[cluster]`, the change is made in the cluster's database
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) data: DataDir,
}

/// A limit as given: a number, or none (`None`).
#[derive(Clone, Copy)]
pub(crate) struct Limit<T>(pub(crate) Option<T>);

fn limit<T: std::str::FromStr + Into<u64> + Copy>(v: &str) -> Result<Limit<T>, String> {
    // The store keeps signed 64-bit values; a trillion is far beyond any real limit.
    const MAX: u64 = 1_000_000_000_000;
    if v == "none" {
        return Ok(Limit(None));
    }
    match v.parse::<T>() {
        Ok(n) if n.into() <= MAX => Ok(Limit(Some(n))),
        _ => Err(format!("a number up to {MAX}, or `none`")),
    }
}

pub(crate) fn millis(v: &str) -> Result<Duration, String> {
    v.parse().map(Duration::from_millis).map_err(|_| "a whole number of milliseconds".to_owned())
}

fn account_name(name: &str) -> Result<String, String> {
    let valid =
        !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !valid {
        return Err("NAME must be 1–64 characters of letters, digits, `-`, `_` or `.`".into());
    }
    Ok(name.to_owned())
}

/// A signature's text: 2–20 characters, no brackets (the platform adds 【】).
pub(crate) fn signature_text(s: &str) -> Result<String, String> {
    let n = s.chars().count();
    if !(2..=20).contains(&n) || s.contains(['【', '】', '[', ']']) || s.trim() != s {
        return Err("a signature is 2–20 characters without brackets or surrounding spaces".into());
    }
    Ok(s.to_owned())
}

/// An extension code: up to 6 digits.
pub(crate) fn digits(s: &str) -> Result<String, String> {
    if s.len() > 6 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("an extension code is at most 6 digits".into());
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests;
