//! Hongyan's configuration file (TOML), parsed once into a typed, validated [`Config`].
//!
//! What it owns: the schema (every key, its type, its default, its limits), and the report of
//! everything wrong with a file — all problems at once, each with the path of the key
//! (`channel[2].window`), so an operator fixes a file in one pass. Unknown keys are errors:
//! a typo must never silently fall back to a default.
//!
//! What it does not do: read the environment, open sockets, or know how a channel is run. The
//! binary turns a [`Config`] into running parts.
//!
//! Why a hand-written walker over `toml::Table` rather than serde derive: serde stops at the
//! first error, and the issue asks for every error at once; it also keeps proc-macros out.
#![warn(missing_docs)]

mod alerts;
mod billing;
mod category;
mod channel;
mod clash;
mod cluster;
mod console;
mod incidents;
mod log;
mod metrics;
mod network;
mod walk;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

pub use alerts::{AlertEmail, AlertRules, AlertSms, AlertWebhook, Alerts};
pub use billing::BillingPeriod;
pub use channel::{ChannelDef, ChannelTls, Protocol, DEFAULT_SGIP_NODE_ID};
pub use clash::{address_clashes, DEFAULT_HTTP};
pub use cluster::Cluster;
pub use console::Console;
pub use incidents::Incidents;
pub use log::{Log, LogFormat};
pub use metrics::Metrics;
pub use network::Network;
use walk::Walker;

/// A commented example covering every option (`hongyan config example`).
pub const EXAMPLE: &str = include_str!("example.toml");

/// The validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Where data lives (`--data-dir` and `HONGYAN_DATA_DIR` override it).
    pub data_dir: Option<PathBuf>,
    /// HTTP API address (`--http` and `HONGYAN_HTTP_ADDR` override it).
    pub http: Option<SocketAddr>,
    /// In-process simulated gateways.
    pub simulators: Simulators,
    /// Carrier channels.
    pub channels: Vec<ChannelDef>,
    /// Content rules.
    pub content: ContentRules,
    /// The categories requests may name.
    pub categories: hongyan_types::Categories,
    /// Reports: how long to wait for them, and how to push them.
    pub reports: Reports,
    /// Our servers for client systems.
    pub servers: Servers,
    /// How long messages are kept.
    pub retention: Retention,
    /// TLS for the HTTP listener, when a certificate is given.
    pub tls: Option<Tls>,
    /// Field-level encryption at rest.
    pub encryption: Encryption,
    /// The contract's payment periods, for statements.
    pub billing_periods: Vec<BillingPeriod>,
    /// Time-outs and connection limits of our listeners.
    pub network: Network,
    /// Console logins.
    pub console: Console,
    /// `[metrics]`: who may scrape `/metrics`.
    pub metrics: Metrics,
    /// `[log]`: text or JSON, stderr or a daily file.
    pub log: Log,
    /// `[incidents]`: when the platform opens an incident.
    pub incidents: Incidents,
    /// `[alerts]`: rules and where alerts go.
    pub alerts: Alerts,
    /// `[cluster]`: one node of several on PostgreSQL; `None` runs alone on SQLite.
    pub cluster: Option<Cluster>,
}

/// `[encryption]`: numbers and content are always sealed at rest; this says with which
/// algorithm, and where the data keys come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Encryption {
    /// The algorithm new values are sealed with.
    pub algorithm: DataAlgorithm,
    /// Where the key ring is read from.
    pub keys: KeySource,
}

/// `algorithm = "aes-256-gcm" | "sm4-gcm"`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DataAlgorithm {
    /// AES-256-GCM, searched by HMAC-SHA256.
    #[default]
    Aes256Gcm,
    /// SM4-GCM, searched by HMAC-SM3: the national algorithms.
    Sm4Gcm,
}

/// Where the data keys are: `key_file`, `key_env`, or (neither) `hongyan.keys` in the data
/// folder, created with a random key at first start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum KeySource {
    /// `hongyan.keys` beside the database.
    #[default]
    DataDir,
    /// `key_file = "PATH"`.
    File(PathBuf),
    /// `key_env = "NAME"`: the entries are in that environment variable.
    Env(String),
}

/// `[tls]`: a PEM certificate chain and its PEM private key. With it the HTTP API and the
/// SMPP/CMPP servers speak only TLS, and the console cookie is marked Secure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    /// Certificate chain, leaf first.
    pub cert: PathBuf,
    /// Private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
}

/// `[retention]`: messages older than `keep_days` are purged (archived first when
/// `archive_dir` is set); without `keep_days` nothing is purged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retention {
    /// Days a message is kept.
    pub keep_days: Option<u32>,
    /// Where purged messages are appended as JSON lines, one file a day.
    pub archive_dir: Option<PathBuf>,
}

/// `[servers]`: the protocol servers client systems connect to; each is off unless given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Servers {
    /// SMPP 3.4 server address (the customary port is 2775).
    pub smpp: Option<SocketAddr>,
    /// CMPP 2.0/3.0 server address (the customary port is 7890).
    pub cmpp: Option<SocketAddr>,
    /// The gateway (ISMG) code in the CMPP server's Msg_Ids (22 bits).
    pub cmpp_gateway_code: u32,
}

/// `[servers] cmpp_gateway_code` when the file gives none.
pub const DEFAULT_CMPP_GATEWAY_CODE: u32 = 1;

impl Default for Servers {
    /// Both off; gateway code 1.
    fn default() -> Self {
        Self { smpp: None, cmpp: None, cmpp_gateway_code: DEFAULT_CMPP_GATEWAY_CODE }
    }
}

/// `[reports]`: waiting for status reports and pushing them to callbacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reports {
    /// A segment with no report this long after its submit becomes `UNKNOWN`.
    pub unknown_after: Duration,
    /// How long a failing callback batch is retried before it is given up.
    pub callback_retry: Duration,
    /// Events per callback POST.
    pub callback_batch: usize,
    /// Time allowed for one callback POST.
    pub callback_timeout: Duration,
    /// A PEM file of CA certificates `https://` receivers may also be signed by (besides the
    /// public roots), e.g. the bureau's own CA.
    pub callback_ca_file: Option<PathBuf>,
}

impl Default for Reports {
    /// 72 hours, 24 hours of retries, 100 a batch, 10 s a POST.
    fn default() -> Self {
        Self {
            unknown_after: Duration::from_secs(72 * 3600),
            callback_retry: Duration::from_secs(24 * 3600),
            callback_batch: 100,
            callback_timeout: Duration::from_secs(10),
            callback_ca_file: None,
        }
    }
}

/// `[content]`: what message text may contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentRules {
    /// Words that make a request be refused (case-insensitive).
    pub sensitive_words: Vec<String>,
    /// A file with more such words, one per line (`#` starts a comment); re-read when it changes.
    pub sensitive_words_file: Option<PathBuf>,
    /// When marketing is held (Beijing time); `None` = never.
    pub marketing_quiet_hours: Option<hongyan_types::QuietHours>,
}

impl Default for ContentRules {
    /// No sensitive words; marketing held from 21:00 to 08:00, as the MIIT's rules ask.
    fn default() -> Self {
        Self {
            sensitive_words: Vec::new(),
            sensitive_words_file: None,
            marketing_quiet_hours: hongyan_types::QuietHours::parse(DEFAULT_QUIET_HOURS),
        }
    }
}

/// Marketing quiet hours when the file says nothing.
pub const DEFAULT_QUIET_HOURS: &str = "21:00-08:00";

/// Settings of the in-process simulated gateways.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulators {
    /// Start them. Defaults to true when no channel is declared, false otherwise.
    pub enabled: bool,
    /// Time from submit to status report.
    pub report_delay: Duration,
    /// Time before each submit response.
    pub submit_latency: Duration,
}

impl Default for Config {
    /// The embedded default: no channels, simulators on.
    fn default() -> Self {
        Self {
            data_dir: None,
            http: None,
            simulators: Simulators {
                enabled: true,
                report_delay: Duration::from_millis(500),
                submit_latency: Duration::ZERO,
            },
            channels: Vec::new(),
            content: ContentRules::default(),
            categories: hongyan_types::Categories::default(),
            reports: Reports::default(),
            servers: Servers::default(),
            retention: Retention::default(),
            tls: None,
            encryption: Encryption::default(),
            billing_periods: Vec::new(),
            network: Network::default(),
            console: Console::default(),
            metrics: Metrics::default(),
            log: Log::default(),
            incidents: Incidents::default(),
            alerts: Alerts::default(),
            cluster: None,
        }
    }
}

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: a key path such as `channel[1].window`, or `syntax`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found; the file was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problems {}

/// Parses and validates a configuration file's text.
pub fn parse(text: &str) -> Result<Config, Problems> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Problems(vec![Problem { path: "syntax".into(), message: e.to_string() }]))?;
    let mut w = Walker::default();
    let mut root = w.table(table, "");
    let data_dir = root.opt_str(&mut w, "data_dir").map(PathBuf::from);
    let http = root.opt_parse::<SocketAddr>(&mut w, "http", "an address such as 127.0.0.1:8080");
    let sims = root.opt_table(&mut w, "simulators");
    let channel_tables = root.array_of_tables(&mut w, "channel");
    let content = root.opt_table(&mut w, "content").map(|t| content_rules(&mut w, t)).unwrap_or_default();
    let category_tables = root.array_of_tables(&mut w, "category");
    let reports = root.opt_table(&mut w, "reports").map(|t| reports(&mut w, t)).unwrap_or_default();
    let servers = root.opt_table(&mut w, "servers").map(|t| servers(&mut w, t)).unwrap_or_default();
    let retention = root.opt_table(&mut w, "retention").map(|t| retention(&mut w, t)).unwrap_or_default();
    let tls = root.opt_table(&mut w, "tls").and_then(|t| tls(&mut w, t));
    let encryption = root.opt_table(&mut w, "encryption").map(|t| encryption(&mut w, t)).unwrap_or_default();
    let billing_periods = root.opt_table(&mut w, "billing").map(|t| billing::parse(&mut w, t)).unwrap_or_default();
    let network = root.opt_table(&mut w, "network").map(|t| network::parse(&mut w, t)).unwrap_or_default();
    let console = root.opt_table(&mut w, "console").map(|t| console::parse(&mut w, t)).unwrap_or_default();
    let metrics = root.opt_table(&mut w, "metrics").map(|t| metrics::parse(&mut w, t)).unwrap_or_default();
    let log = root.opt_table(&mut w, "log").map(|t| log::parse(&mut w, t)).unwrap_or_default();
    let incidents = root.opt_table(&mut w, "incidents").map(|t| incidents::parse(&mut w, t)).unwrap_or_default();
    let alerts = root.opt_table(&mut w, "alerts").map(|t| alerts::parse(&mut w, t)).unwrap_or_default();
    let cluster = root.opt_table(&mut w, "cluster").and_then(|t| cluster::parse(&mut w, t));
    root.finish(&mut w);
    if cluster.is_some() && encryption.keys == KeySource::DataDir {
        // Each node would make a key of its own in its data folder: what one sealed, the
        // others could not open.
        w.problem(
            "encryption".into(),
            "in cluster mode every node needs the same data keys: set [encryption] key_file or key_env",
        );
    }
    let categories = category::parse_all(&mut w, category_tables);
    // Numbered as in the file, so a clash names the right `channel[i]` even when an earlier
    // channel had problems of its own.
    let numbered: Vec<(usize, ChannelDef)> = channel_tables
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| channel::parse(&mut w, i, t).map(|c| (i, c)))
        .collect();
    for p in clash::clashes(http, &servers, numbered.iter().map(|(i, c)| (*i, c))) {
        w.problem(p.path, p.message);
    }
    let channels: Vec<ChannelDef> = numbered.into_iter().map(|(_, c)| c).collect();
    channel::check_set(&mut w, &channels);
    channel::check_listen_tls(&mut w, &channels, tls.is_some());
    let simulators = simulators(&mut w, sims, channels.is_empty());
    w.into_result(Config {
        data_dir,
        http,
        simulators,
        channels,
        content,
        categories,
        reports,
        servers,
        retention,
        tls,
        encryption,
        billing_periods,
        network,
        console,
        metrics,
        log,
        incidents,
        alerts,
        cluster,
    })
}

fn simulators(w: &mut Walker, t: Option<walk::Table>, no_channels: bool) -> Simulators {
    let defaults = Config::default().simulators;
    let Some(mut t) = t else { return Simulators { enabled: no_channels, ..defaults } };
    let enabled = t.opt_bool(w, "enabled").unwrap_or(no_channels);
    let report_delay = t.opt_int(w, "report_delay_ms", 0, 3_600_000).map_or(defaults.report_delay, ms);
    let submit_latency = t.opt_int(w, "submit_latency_ms", 0, 3_600_000).map_or(defaults.submit_latency, ms);
    t.finish(w);
    Simulators { enabled, report_delay, submit_latency }
}

fn tls(w: &mut Walker, mut t: walk::Table) -> Option<Tls> {
    let cert = t.req_str(w, "cert").map(PathBuf::from);
    let key = t.req_str(w, "key").map(PathBuf::from);
    t.finish(w);
    Some(Tls { cert: cert?, key: key? })
}

fn encryption(w: &mut Walker, mut t: walk::Table) -> Encryption {
    let algorithm_path = t.key_path("algorithm");
    let algorithm = match t.opt_str(w, "algorithm").as_deref() {
        None | Some("aes-256-gcm") => DataAlgorithm::Aes256Gcm,
        Some("sm4-gcm") => DataAlgorithm::Sm4Gcm,
        Some(other) => {
            w.problem(algorithm_path, format!("`{other}` is not \"aes-256-gcm\" or \"sm4-gcm\""));
            DataAlgorithm::Aes256Gcm
        }
    };
    let both = t.key_path("key_env");
    let file = t.opt_str(w, "key_file").map(PathBuf::from);
    let env = t.opt_str(w, "key_env");
    t.finish(w);
    let keys = match (file, env) {
        (Some(_), Some(_)) => {
            w.problem(both, "give key_file or key_env, not both");
            KeySource::DataDir
        }
        (Some(f), None) => KeySource::File(f),
        (None, Some(e)) => KeySource::Env(e),
        (None, None) => KeySource::DataDir,
    };
    Encryption { algorithm, keys }
}

fn retention(w: &mut Walker, mut t: walk::Table) -> Retention {
    // At least 180 days: the bureau's messages must be findable for a year, and a typo of
    // a few days must not wipe the store.
    let keep_days = t.opt_int(w, "keep_days", 180, 3650).map(|d| d as u32);
    let archive_dir = t.opt_str(w, "archive_dir").map(PathBuf::from);
    t.finish(w);
    Retention { keep_days, archive_dir }
}

fn servers(w: &mut Walker, mut t: walk::Table) -> Servers {
    let smpp = t.opt_parse::<SocketAddr>(w, "smpp", "an address such as 0.0.0.0:2775");
    let cmpp = t.opt_parse::<SocketAddr>(w, "cmpp", "an address such as 0.0.0.0:7890");
    // Msg_Id has 22 bits for the code.
    let cmpp_gateway_code =
        t.opt_int(w, "cmpp_gateway_code", 0, (1 << 22) - 1).map_or(DEFAULT_CMPP_GATEWAY_CODE, |c| c as u32);
    t.finish(w);
    Servers { smpp, cmpp, cmpp_gateway_code }
}

fn reports(w: &mut Walker, mut t: walk::Table) -> Reports {
    let d = Reports::default();
    let hours = |h: i64| Duration::from_secs(h as u64 * 3600);
    let r = Reports {
        unknown_after: t.opt_int(w, "unknown_after_hours", 1, 24 * 30).map_or(d.unknown_after, hours),
        callback_retry: t.opt_int(w, "callback_retry_hours", 1, 24 * 7).map_or(d.callback_retry, hours),
        callback_batch: t.opt_int(w, "callback_batch", 1, 1000).map_or(d.callback_batch, |n| n as usize),
        callback_timeout: t.opt_int(w, "callback_timeout_ms", 100, 120_000).map_or(d.callback_timeout, ms),
        callback_ca_file: t.opt_str(w, "callback_ca_file").map(PathBuf::from),
    };
    t.finish(w);
    r
}

fn content_rules(w: &mut Walker, mut t: walk::Table) -> ContentRules {
    let sensitive_words = t.opt_str_array(w, "sensitive_words").unwrap_or_default();
    let sensitive_words_file = t.opt_str(w, "sensitive_words_file").map(PathBuf::from);
    let quiet = t.opt_str(w, "marketing_quiet_hours");
    let path = t.key_path("marketing_quiet_hours");
    t.finish(w);
    let marketing_quiet_hours = match quiet.as_deref() {
        None => ContentRules::default().marketing_quiet_hours,
        Some("none" | "") => None,
        Some(q) => {
            let parsed = hongyan_types::QuietHours::parse(q);
            if parsed.is_none() {
                w.problem(path, format!("`{q}` is not HH:MM-HH:MM (or \"none\")"));
            }
            parsed
        }
    };
    ContentRules { sensitive_words, sensitive_words_file, marketing_quiet_hours }
}

/// Reads a word file: one word per line, blank lines and `#` comments skipped.
pub fn read_word_file(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
}

fn ms(v: i64) -> Duration {
    Duration::from_millis(v as u64)
}

#[cfg(test)]
mod tests;
