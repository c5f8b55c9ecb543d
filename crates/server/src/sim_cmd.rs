//! `hongyan sim cmpp|sgip|smgp|smpp`: a simulated carrier gateway on its own port — its flags
//! and its run.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::sgip::{SgipAccount, SgipSim, SgipSimConfig};
use hongyan_sim::smgp::{SmgpSim, SmgpSimConfig};
use hongyan_sim::smpp::{SmppSim, SmppSimConfig};
use hongyan_sim::ReportBook;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cli::{millis, DataDir};

pub(crate) async fn run(o: SimOptions) -> Result<()> {
    let journal = o.data_dir.join("sim").join(format!("{}-standalone.journal", o.protocol.name()));
    let book = ReportBook::open(&journal).with_context(|| format!("opening {}", journal.display()))?;
    let listener = TcpListener::bind(o.listen).await.with_context(|| format!("binding {}", o.listen))?;
    let (tx, rx) = watch::channel(false);
    let accounts = HashMap::from([(o.account.clone(), o.password.clone())]);
    let (server, report) = match o.protocol {
        SimProtocol::Cmpp => {
            let session = hongyan_cmpp_proto::session::SessionConfig { window: o.window, ..Default::default() };
            let cfg = CmppSimConfig { accounts, scenario: o.scenario, gateway_code: 1001, session };
            let sim = CmppSim::new(cfg, book);
            let counted = sim.clone();
            let report: Report = Box::new(move || describe(&counted.counters));
            (tokio::spawn(sim.serve(listener, rx)), report)
        }
        SimProtocol::Smgp => {
            let cfg =
                SmgpSimConfig { accounts, scenario: o.scenario, gateway_code: 10061, session: Default::default() };
            let sim = SmgpSim::new(cfg, book);
            let counted = sim.clone();
            let report: Report = Box::new(move || describe(&counted.counters));
            (tokio::spawn(sim.serve(listener, rx)), report)
        }
        SimProtocol::Sgip => {
            if o.report_to.is_none() {
                tracing::warn!("no --report-to: the simulated SMG will not send reports");
            }
            let account = SgipAccount { password: o.password.clone(), report_to: o.report_to, report_tls: None };
            let session = hongyan_sgip_proto::session::SessionConfig {
                node_id: 1_010_001,
                window: o.window,
                ..Default::default()
            };
            let cfg = SgipSimConfig {
                accounts: HashMap::from([(o.account.clone(), account)]),
                scenario: o.scenario,
                session,
            };
            let sim = SgipSim::new(cfg, book);
            let counted = sim.clone();
            let report: Report = Box::new(move || describe(&counted.counters));
            (tokio::spawn(sim.serve(listener, rx)), report)
        }
        SimProtocol::Smpp => {
            let session = hongyan_smpp_proto::session::SessionConfig { window: o.window, ..Default::default() };
            let cfg = SmppSimConfig { accounts, scenario: o.scenario, session };
            let sim = SmppSim::new(cfg, book);
            let counted = sim.clone();
            let report: Report = Box::new(move || describe(&counted.counters));
            (tokio::spawn(sim.serve(listener, rx)), report)
        }
    };
    tracing::info!(protocol = o.protocol.name(), listen = %o.listen, account = %o.account,
        "simulated carrier gateway running; Ctrl-C or SIGTERM stops it");
    wait_for_stop().await;
    let _ = tx.send(true);
    server.await?;
    // What it saw, for operators and for tests that count re-sent submits across restarts.
    tracing::info!("simulated carrier gateway stopped: {}", report());
    Ok(())
}

/// Produces the stop line's account of what the simulator saw.
type Report = Box<dyn Fn() -> String + Send>;

/// A one-line account of a simulator's counters.
fn describe(c: &hongyan_sim::Counters) -> String {
    let get = hongyan_sim::Counters::get;
    format!(
        "logins={} submits={} throttled={} dropped={} reports_sent={} reports_acked={} mo_acked={}",
        get(&c.logins),
        get(&c.submits),
        get(&c.throttled),
        get(&c.dropped),
        get(&c.reports_sent),
        get(&c.reports_acked),
        get(&c.mo_acked)
    )
}

async fn wait_for_stop() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// Which carrier gateway `hongyan sim` plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SimProtocol {
    /// China Mobile's ISMG (CMPP 3.0), port 7890
    Cmpp,
    /// China Unicom's SMG (SGIP 1.2), port 8801
    Sgip,
    /// China Telecom's ISMG (SMGP 3.0), port 8890
    Smgp,
    /// An SMSC (SMPP 3.4), port 2775
    Smpp,
}

impl SimProtocol {
    /// The customary port of each protocol.
    fn default_port(self) -> u16 {
        match self {
            Self::Cmpp => 7890,
            Self::Sgip => 8801,
            Self::Smgp => 8890,
            Self::Smpp => 2775,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Cmpp => "cmpp",
            Self::Sgip => "sgip",
            Self::Smgp => "smgp",
            Self::Smpp => "smpp",
        }
    }
}

pub(crate) struct SimOptions {
    pub(crate) protocol: SimProtocol,
    pub(crate) data_dir: PathBuf,
    pub(crate) listen: SocketAddr,
    pub(crate) account: String,
    pub(crate) password: String,
    pub(crate) report_to: Option<SocketAddr>,
    /// Deliveries the simulator keeps unacknowledged per connection.
    pub(crate) window: usize,
    pub(crate) scenario: hongyan_sim::Scenario,
}

/// `hongyan sim …` as given; [`SimArgs::options`] fills in the defaults.
#[derive(clap::Args)]
pub(crate) struct SimArgs {
    #[arg(value_enum)]
    protocol: SimProtocol,
    /// Where to listen; 127.0.0.1 and the protocol's customary port by default
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// The login it accepts
    #[arg(long, value_name = "NAME", visible_aliases = ["sp-id", "system-id", "login"], default_value = "901234")]
    account: String,
    /// The login's password (shared secret)
    #[arg(long, value_name = "P", visible_alias = "secret", default_value = "secret")]
    password: String,
    /// (sgip) where the simulated SMG connects to deliver reports and replies
    #[arg(long, value_name = "ADDR")]
    report_to: Option<SocketAddr>,
    /// Deliveries kept unacknowledged per connection, 1–256
    #[arg(long, value_name = "N", default_value = "16", value_parser = window)]
    window: usize,
    /// Time from the submit response to the status report, in ms
    #[arg(long = "report-delay-ms", value_name = "N", value_parser = millis)]
    report_delay: Option<Duration>,
    /// Time before each submit response, in ms
    #[arg(long = "submit-latency-ms", value_name = "N", value_parser = millis)]
    submit_latency: Option<Duration>,
    /// Final states by weight, e.g. DELIVRD:8,UNDELIV/001:1,EXPIRED/002:1
    #[arg(long, value_name = "STAT[/ERR]:WEIGHT,...", value_parser = outcomes)]
    outcomes: Option<Outcomes>,
    /// Most submits a second per login; above it the flow-control answer
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
    /// Close the connection on every Nth submit without answering it
    #[arg(long, value_name = "N")]
    drop_every: Option<u32>,
    /// Leave every Nth submit unanswered
    #[arg(long, value_name = "N")]
    silent_every: Option<u32>,
    /// Refuse every Nth submit with the protocol's "system error"
    #[arg(long, value_name = "N")]
    fail_every: Option<u32>,
    /// Send each report twice
    #[arg(long)]
    duplicate_reports: bool,
    /// Send each report before the submit response
    #[arg(long)]
    report_before_response: bool,
    /// (smpp) how receipts are worded: both, ascii, ucs2 or tlvs
    #[arg(long, value_name = "FORM")]
    smpp_receipts: Option<hongyan_sim::SmppReceiptForm>,
    /// A reply each login receives once, e.g. 13800138000@106900011:TD (repeatable)
    #[arg(long, value_name = "FROM[@TO]:TEXT", value_parser = mo)]
    mo: Vec<hongyan_sim::MoMessage>,
    #[command(flatten)]
    data: DataDir,
}

/// Weighted outcomes, as one value.
#[derive(Clone)]
struct Outcomes(Vec<hongyan_sim::Outcome>);

impl SimArgs {
    pub(crate) fn options(self) -> SimOptions {
        let d = hongyan_sim::Scenario::default();
        let scenario = hongyan_sim::Scenario {
            report_delay: self.report_delay.unwrap_or(d.report_delay),
            submit_latency: self.submit_latency.unwrap_or(d.submit_latency),
            outcomes: self.outcomes.map_or(d.outcomes, |o| o.0),
            rate_limit: self.rate_limit,
            duplicate_reports: self.duplicate_reports,
            report_before_response: self.report_before_response,
            drop_every: self.drop_every,
            silent_every: self.silent_every,
            mo: self.mo,
            fail_every: self.fail_every,
            smpp_receipts: self.smpp_receipts.unwrap_or(d.smpp_receipts),
        };
        SimOptions {
            protocol: self.protocol,
            data_dir: self.data.dir,
            listen: self.listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], self.protocol.default_port()))),
            account: self.account,
            password: self.password,
            report_to: self.report_to,
            window: self.window,
            scenario,
        }
    }
}

fn window(v: &str) -> Result<usize, String> {
    match v.parse() {
        Ok(n) if (1..=256).contains(&n) => Ok(n),
        _ => Err("a window is between 1 and 256".into()),
    }
}

fn mo(v: &str) -> Result<hongyan_sim::MoMessage, String> {
    let (from, text) = v.split_once(':').ok_or("FROM[@TO]:TEXT, e.g. 13800138000@106900011:TD")?;
    let (from, to) = from.split_once('@').unwrap_or((from, ""));
    Ok(hongyan_sim::MoMessage { from: from.into(), text: text.into(), to: to.into() })
}

/// `DELIVRD:8,UNDELIV/001:1,EXPIRED/002:1` → weighted outcomes.
fn outcomes(text: &str) -> Result<Outcomes, String> {
    let mut out = Vec::new();
    for item in text.split(',') {
        let (what, weight) = item.split_once(':').ok_or_else(|| format!("`{item}`: expected STAT[/ERR]:WEIGHT"))?;
        let (stat, err) = what.split_once('/').unwrap_or((what, if what == "DELIVRD" { "000" } else { "001" }));
        let weight: u32 = weight.parse().map_err(|_| format!("`{item}`: the weight must be a whole number"))?;
        if stat.len() != 7 || weight == 0 {
            return Err(format!("`{item}`: the status is 7 characters (e.g. UNDELIV) and the weight at least 1"));
        }
        out.push(hongyan_sim::Outcome { stat: stat.to_owned(), err: err.to_owned(), weight });
    }
    Ok(Outcomes(out))
}
