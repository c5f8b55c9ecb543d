//! `hongyan sim cmpp|sgip|smgp|smpp`: a simulated carrier gateway on its own port — its flags
//! and its run.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use lexopt::prelude::*;

use anyhow::{Context, Result};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::sgip::{SgipAccount, SgipSim, SgipSimConfig};
use hongyan_sim::smgp::{SmgpSim, SmgpSimConfig};
use hongyan_sim::smpp::{SmppSim, SmppSimConfig};
use hongyan_sim::ReportBook;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cli::{default_data_dir, millis, string};

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
            let account = SgipAccount { password: o.password.clone(), report_to: o.report_to };
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SimProtocol {
    Cmpp,
    Sgip,
    Smgp,
    Smpp,
}

impl SimProtocol {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "cmpp" => Self::Cmpp,
            "sgip" => Self::Sgip,
            "smgp" => Self::Smgp,
            "smpp" => Self::Smpp,
            _ => return None,
        })
    }

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

pub(crate) fn parse(p: &mut lexopt::Parser) -> Result<SimOptions, lexopt::Error> {
    let protocol = match p.next()? {
        Some(Value(v)) => SimProtocol::parse(&string(v, "protocol")?),
        _ => None,
    }
    .ok_or("expected `sim cmpp`, `sim sgip`, `sim smgp` or `sim smpp`")?;
    let mut o = SimOptions {
        protocol,
        data_dir: default_data_dir(),
        listen: SocketAddr::from(([127, 0, 0, 1], protocol.default_port())),
        account: "901234".into(),
        password: "secret".into(),
        report_to: None,
        window: 16,
        scenario: hongyan_sim::Scenario::default(),
    };
    while let Some(arg) = p.next()? {
        match arg {
            Long("data-dir") => o.data_dir = p.value()?.into(),
            Long("listen") => o.listen = p.value()?.parse()?,
            Long("account" | "sp-id" | "system-id" | "login") => o.account = string(p.value()?, "--account")?,
            Long("password" | "secret") => o.password = string(p.value()?, "--password")?,
            Long("report-to") => o.report_to = Some(p.value()?.parse()?),
            Long("window") => {
                o.window = p.value()?.parse()?;
                if !(1..=256).contains(&o.window) {
                    return Err("--window must be between 1 and 256".into());
                }
            }
            Long("report-delay-ms") => o.scenario.report_delay = millis(p)?,
            Long("submit-latency-ms") => o.scenario.submit_latency = millis(p)?,
            Long("rate-limit") => o.scenario.rate_limit = Some(p.value()?.parse()?),
            Long("drop-every") => o.scenario.drop_every = Some(p.value()?.parse()?),
            Long("silent-every") => o.scenario.silent_every = Some(p.value()?.parse()?),
            Long("fail-every") => o.scenario.fail_every = Some(p.value()?.parse()?),
            Long("duplicate-reports") => o.scenario.duplicate_reports = true,
            Long("report-before-response") => o.scenario.report_before_response = true,
            Long("smpp-receipts") => o.scenario.smpp_receipts = p.value()?.parse()?,
            Long("outcomes") => o.scenario.outcomes = outcomes(&string(p.value()?, "--outcomes")?)?,
            Long("mo") => {
                let v = string(p.value()?, "--mo")?;
                let (from, text) =
                    v.split_once(':').ok_or("--mo takes FROM[@TO]:TEXT, e.g. 13800138000@106900011:TD")?;
                let (from, to) = from.split_once('@').unwrap_or((from, ""));
                o.scenario.mo.push(hongyan_sim::MoMessage { from: from.into(), text: text.into(), to: to.into() });
            }
            other => return Err(other.unexpected()),
        }
    }
    Ok(o)
}

/// `DELIVRD:8,UNDELIV/001:1,EXPIRED/002:1` → weighted outcomes.
fn outcomes(text: &str) -> Result<Vec<hongyan_sim::Outcome>, lexopt::Error> {
    let mut out = Vec::new();
    for item in text.split(',') {
        let (what, weight) = item.split_once(':').ok_or_else(|| format!("`{item}`: expected STAT[/ERR]:WEIGHT"))?;
        let (stat, err) = what.split_once('/').unwrap_or((what, if what == "DELIVRD" { "000" } else { "001" }));
        let weight: u32 = weight.parse().map_err(|_| format!("`{item}`: the weight must be a whole number"))?;
        if stat.len() != 7 || weight == 0 {
            return Err(format!("`{item}`: the status is 7 characters (e.g. UNDELIV) and the weight at least 1").into());
        }
        out.push(hongyan_sim::Outcome { stat: stat.to_owned(), err: err.to_owned(), weight });
    }
    Ok(out)
}
