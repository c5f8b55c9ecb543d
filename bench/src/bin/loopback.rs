//! End-to-end throughput of ONE carrier connection with window 16, over loopback TCP.
//!
//! For each protocol: the carrier simulator listens on 127.0.0.1 (reports due at once, no
//! submit latency, every message `DELIVRD`); the real engine over a real SQLite store in a
//! temporary directory accepts N single-segment messages in batches of 1,000; the real gateway
//! (`run_channel`, one connection, no rate limit) submits them, records the responses, stores
//! the reports and only then acknowledges them. The clock runs from the first `accept` to the
//! moment the simulator has had its N-th report acknowledged, which the gateway does only once
//! the report is durable in the store: accept → store → submit → response → store → report →
//! store → ack. Afterwards the store is checked: every message must be `delivered`.
//!
//! Each protocol runs in a child process of its own, so peak RSS (VmHWM) is that protocol's,
//! and no task of one run can slow the next. Everything (simulator, gateway, engine, store
//! writer) shares the one process and the machine's cores.
//!
//! Run: `cd bench && cargo run --release --bin loopback -- --protocol all --messages 20000`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use hongyan_engine::{ChannelSpec, Engine, NumberResult, SendRequest, SystemClock};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::sgip::SgipSettings;
use hongyan_gateway::smgp::SmgpSettings;
use hongyan_gateway::smpp::SmppSettings;
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::sgip::{SgipAccount, SgipSim, SgipSimConfig};
use hongyan_sim::smgp::{SmgpSim, SmgpSimConfig};
use hongyan_sim::smpp::{SmppSim, SmppSimConfig};
use hongyan_sim::{Counters, ReportBook, Scenario};
use hongyan_store::{MessageFilter, Store};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, MessageStatus};
use tokio::net::TcpListener;
use tokio::sync::watch;

const LOGIN: &str = "901234";
const SECRET: &str = "s3cret";
/// Messages per `engine.accept` call (the engine's MAX_RECIPIENTS).
const BATCH: usize = 1000;
/// The window the issue asks for, set explicitly rather than trusting the defaults.
const WINDOW: usize = 16;
/// The account's signature; the engine puts `【鸿雁】` in front of the content.
const SIGNATURE: &str = "鸿雁";
/// One UCS-2 segment once signed (under 70 characters), so messages = submits = reports.
const CONTENT: &str = "您的验证码是 123456，5 分钟内有效。如非本人操作，请忽略本短信。";
/// Give up on a run that makes no progress for this long.
const STALL: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    Cmpp,
    Sgip,
    Smgp,
    Smpp,
}

impl Proto {
    const ALL: [Self; 4] = [Self::Cmpp, Self::Sgip, Self::Smgp, Self::Smpp];

    fn parse(s: &str) -> anyhow::Result<Vec<Self>> {
        Ok(match s {
            "cmpp" => vec![Self::Cmpp],
            "sgip" => vec![Self::Sgip],
            "smgp" => vec![Self::Smgp],
            "smpp" => vec![Self::Smpp],
            "all" => Self::ALL.to_vec(),
            other => bail!("unknown protocol `{other}`: expected cmpp, sgip, smgp, smpp or all"),
        })
    }

    fn arg(self) -> &'static str {
        match self {
            Self::Cmpp => "cmpp",
            Self::Sgip => "sgip",
            Self::Smgp => "smgp",
            Self::Smpp => "smpp",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Cmpp => "CMPP 3.0",
            Self::Sgip => "SGIP 1.2",
            Self::Smgp => "SMGP 3.0",
            Self::Smpp => "SMPP 3.4",
        }
    }
}

struct Args {
    protocols: Vec<Proto>,
    messages: usize,
    /// Set when a parent process prints the table header itself.
    no_header: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    use lexopt::prelude::*;
    let mut args = Args { protocols: Proto::ALL.to_vec(), messages: 20_000, no_header: false };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("protocol") => args.protocols = Proto::parse(&parser.value()?.string()?)?,
            Long("messages") => args.messages = parser.value()?.parse()?,
            Long("no-header") => args.no_header = true,
            Long("help") | Short('h') => {
                println!("usage: loopback [--protocol cmpp|sgip|smgp|smpp|all] [--messages N]");
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    ensure!(args.messages > 0, "--messages must be at least 1");
    Ok(args)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if !args.no_header {
        println!("| protocol | messages | seconds | submits/s end to end | accept phase (s) | peak RSS (MiB) |");
        println!("|---|---:|---:|---:|---:|---:|");
    }
    if let [proto] = args.protocols[..] {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        let result = runtime.block_on(run(proto, args.messages))?;
        println!(
            "| {} | {} | {:.2} | {:.0} | {:.2} | {:.1} |",
            proto.label(),
            args.messages,
            result.elapsed.as_secs_f64(),
            args.messages as f64 / result.elapsed.as_secs_f64(),
            result.accepted.as_secs_f64(),
            peak_rss_kib()? as f64 / 1024.0,
        );
        return Ok(());
    }
    // One child per protocol: its own VmHWM, its own runtime.
    let exe = std::env::current_exe()?;
    for proto in args.protocols {
        let status = Command::new(&exe)
            .args(["--protocol", proto.arg(), "--messages", &args.messages.to_string(), "--no-header"])
            .status()
            .with_context(|| format!("starting the {} run", proto.label()))?;
        ensure!(status.success(), "the {} run failed: {status}", proto.label());
    }
    Ok(())
}

struct RunResult {
    /// First accept → N-th report acknowledged.
    elapsed: Duration,
    /// First accept → last accept returned.
    accepted: Duration,
}

async fn run(proto: Proto, n: usize) -> anyhow::Result<RunResult> {
    let dir = std::env::temp_dir().join(format!("hongyan-loopback-{}-{}", proto.arg(), std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let result = run_in(proto, n, &dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn run_in(proto: Proto, n: usize, dir: &Path) -> anyhow::Result<RunResult> {
    let (stop, stop_rx) = watch::channel(false);
    let (addr, sim, our_listen) = start_sim(proto, stop_rx.clone()).await?;
    let counters = sim.counters();

    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("hongyan.db"))?);
    let spec = ChannelSpec::new("bench", &[Carrier::ChinaMobile]);
    let (engine, mut queues) = Engine::new(store.clone(), Arc::new(SystemClock), &[spec]).await?;
    let queue = queues.pop().context("one dispatch queue")?.1;
    // An account that may send free text under its approved signature, as the CLI creates it.
    let account = engine.create_account("bench").await?.account.id;
    engine.sign_with(account, SIGNATURE, "").await?;
    let channel = tokio::spawn(run_channel(channel(proto, addr, our_listen), engine.clone(), queue, stop_rx));

    // Start the clock on a logged-in link, so connect and login are not part of the figure.
    wait_for(|| Counters::get(&counters.logins).into(), 1, "the link to log in").await?;

    let started = Instant::now();
    let mut sent = 0;
    while sent < n {
        let count = BATCH.min(n - sent);
        let to = (sent..sent + count).map(|i| format!("138{i:08}")).collect();
        let outcome = engine.accept(account, SendRequest::new(to, CONTENT, Category::VERIFICATION)).await?;
        let accepted = outcome.results.iter().filter(|r| matches!(r, NumberResult::Accepted { .. })).count();
        ensure!(accepted == count, "{} of {count} numbers were refused", count - accepted);
        sent += count;
    }
    let accepted = started.elapsed();
    let reports_acked = || Counters::get(&counters.reports_acked).into();
    wait_for(reports_acked, n as u64, "every report to be acknowledged").await?;
    let elapsed = started.elapsed();

    let _ = stop.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(10), channel).await;
    verify(&*store, account, proto, n, counters).await?;
    store.close().await?;
    Ok(RunResult { elapsed, accepted })
}

/// Checks the store agrees with the simulator: all N messages delivered, each submitted once.
async fn verify(store: &dyn Store, account: i64, proto: Proto, n: usize, counters: &Counters) -> anyhow::Result<()> {
    let filter =
        |status| MessageFilter { account_id: Some(account), status: Some(status), limit: n + 1, ..Default::default() };
    let delivered = store.list_messages(filter(MessageStatus::Delivered)).await?.len();
    if delivered != n {
        let submitted = store.list_messages(filter(MessageStatus::Submitted)).await?.len();
        let accepted = store.list_messages(filter(MessageStatus::Accepted)).await?.len();
        bail!(
            "{}: {delivered} of {n} messages delivered in the store ({submitted} still submitted, {accepted} \
             accepted) although the simulator had every report acknowledged",
            proto.label()
        );
    }
    let submits = Counters::get(&counters.submits) as usize;
    ensure!(submits == n, "{}: the simulator saw {submits} submits for {n} messages", proto.label());
    Ok(())
}

/// Polls `count` every millisecond until it reaches `target`; fails when it has not moved for
/// [`STALL`].
async fn wait_for(mut count: impl FnMut() -> u64, target: u64, what: &str) -> anyhow::Result<()> {
    let (mut last, mut moved) = (count(), Instant::now());
    while last < target {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let now = count();
        if now != last {
            (last, moved) = (now, Instant::now());
        }
        ensure!(moved.elapsed() < STALL, "gave up waiting for {what}: stuck at {last} of {target}");
    }
    Ok(())
}

/// Starts the simulator; returns its address, its counters and (for SGIP) the address the
/// gateway must listen on for the SMG's report connections.
async fn start_sim(proto: Proto, shutdown: watch::Receiver<bool>) -> anyhow::Result<(SocketAddr, Sim, SocketAddr)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let our_listen = TcpListener::bind("127.0.0.1:0").await?.local_addr()?;
    let scenario = Scenario { report_delay: Duration::ZERO, submit_latency: Duration::ZERO, ..Scenario::default() };
    let accounts = HashMap::from([(LOGIN.to_owned(), SECRET.to_owned())]);
    let sim = match proto {
        Proto::Cmpp => {
            let session = hongyan_cmpp_proto::session::SessionConfig { window: WINDOW, ..Default::default() };
            let cfg = CmppSimConfig { accounts, scenario, gateway_code: 1001, session };
            let sim = CmppSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, shutdown));
            Sim::Cmpp(sim)
        }
        Proto::Smgp => {
            let session = hongyan_smgp_proto::session::SessionConfig { window: WINDOW, ..Default::default() };
            let cfg = SmgpSimConfig { accounts, scenario, gateway_code: 10061, session };
            let sim = SmgpSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, shutdown));
            Sim::Smgp(sim)
        }
        Proto::Smpp => {
            let session = hongyan_smpp_proto::session::SessionConfig { window: WINDOW, ..Default::default() };
            let cfg = SmppSimConfig { accounts, scenario, session };
            let sim = SmppSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, shutdown));
            Sim::Smpp(sim)
        }
        Proto::Sgip => {
            let account = SgipAccount { password: SECRET.into(), report_to: Some(our_listen), report_tls: None };
            let session =
                hongyan_sgip_proto::session::SessionConfig { node_id: 1_010_001, window: WINDOW, ..Default::default() };
            let cfg = SgipSimConfig { accounts: HashMap::from([(LOGIN.to_owned(), account)]), scenario, session };
            let sim = SgipSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, shutdown));
            Sim::Sgip(sim)
        }
    };
    Ok((addr, sim, our_listen))
}

/// The running simulator; the four have no common trait, only public `counters`.
enum Sim {
    Cmpp(Arc<CmppSim>),
    Sgip(Arc<SgipSim>),
    Smgp(Arc<SmgpSim>),
    Smpp(Arc<SmppSim>),
}

impl Sim {
    fn counters(&self) -> &Counters {
        match self {
            Self::Cmpp(s) => &s.counters,
            Self::Sgip(s) => &s.counters,
            Self::Smgp(s) => &s.counters,
            Self::Smpp(s) => &s.counters,
        }
    }
}

/// The channel as the gateway's own tests configure it, with one connection, window 16 and
/// no rate limit. Time-outs stay at the protocol defaults: nothing should time out here.
fn channel(proto: Proto, addr: SocketAddr, our_listen: SocketAddr) -> ChannelConfig {
    let protocol = match proto {
        Proto::Cmpp => ProtocolConfig::Cmpp(CmppSettings {
            sp_id: LOGIN.into(),
            secret: SECRET.into(),
            src_id: "106900001234".into(),
            service_id: "HYTZ".into(),
            session: hongyan_cmpp_proto::session::SessionConfig { window: WINDOW, ..Default::default() },
        }),
        Proto::Smgp => ProtocolConfig::Smgp(SmgpSettings {
            client_id: LOGIN.into(),
            secret: SECRET.into(),
            src_term_id: "118901234".into(),
            service_id: "HYTZ".into(),
            session: hongyan_smgp_proto::session::SessionConfig { window: WINDOW, ..Default::default() },
        }),
        Proto::Sgip => ProtocolConfig::Sgip(SgipSettings {
            login_name: LOGIN.into(),
            password: SECRET.into(),
            sp_number: "1065501234".into(),
            corp_id: "12345".into(),
            service_type: "HYTZ".into(),
            listen: our_listen,
            listen_tls: None,
            session: hongyan_sgip_proto::session::SessionConfig {
                node_id: 3_000_000_001,
                window: WINDOW,
                ..Default::default()
            },
        }),
        Proto::Smpp => ProtocolConfig::Smpp(SmppSettings {
            system_id: LOGIN.into(),
            password: SECRET.into(),
            system_type: String::new(),
            source: "106900001234".into(),
            service_type: String::new(),
            session: hongyan_smpp_proto::session::SessionConfig { window: WINDOW, ..Default::default() },
        }),
    };
    ChannelConfig {
        name: "bench".into(),
        addr,
        tls: None,
        connections: 1,
        rate: None,
        simulated: true,
        protocol,
        // No backup channel here; the link never goes down in this run.
        failover_after: Duration::from_secs(30),
    }
}

/// Peak resident set size of this process so far, in KiB (VmHWM).
fn peak_rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).context("no VmHWM in /proc/self/status")?;
    let kib = line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim();
    Ok(kib.parse()?)
}
