//! Hongyan against Kannel 1.4.5 (Debian's package), same load, same SMPP sink, same run
//! (issue 14's peer comparison).
//!
//! N single-message HTTP requests (default 20,000) from C keep-alive connections (default
//! 50) → the gateway → one SMPP bind with window 100 → a sink that answers every submit_sm
//! ESME_ROK with a message_id. Scenario `http-smpp`: the sink sends no receipts.
//! `http-smpp-dlr`: it sends one DELIVRD receipt per submit, and the gateway pushes each
//! report to an HTTP receiver in the harness (Hongyan's account callback, Kannel's dlr-url).
//! Each peer runs as its own processes (`hongyan serve` from this tree's release build;
//! Kannel's bearerbox and smsbox, installed with apt-get when missing) against a fresh data
//! folder, one after the other.
//!
//! Measured per peer: msg/s end to end (first request written → the sink received the N-th
//! submit_sm, or the receiver the N-th delivered report); latency per message (request
//! written → submit_sm → report); CPU seconds per 1,000 messages of the gateway's processes
//! (utime + stime from /proc before the load and once the gateway is idle after it); peak RSS
//! (VmHWM, summed over the processes); errors (non-2xx answers, broken requests, submits
//! missing or extra, anything but submit_sm reaching the sink, reports missing or receipts
//! refused), which must be 0: the run exits non-zero if not. Printed per scenario as one
//! Markdown table with the Hongyan/Kannel ratio, then one JSON line.
//!
//! The other scenarios are Hongyan's alone (Kannel has no batch API, no SMPP or CMPP server
//! for client systems, no store to restart with): `http-batch`, `smpp-server`, `cmpp-server`,
//! `steady`, `verify-bulk`, `large` and `startup`, each in its own file below; `--peer kannel`
//! is then noted and skipped. bench/README.md says what each one measures.
//!
//! Run: `cargo build --release -p hongyan` at the root, then
//! `cd bench && cargo run --release --bin versus -- --scenario all --peer both --messages 20000`.
//! `--quick` is the test suite's scaled-down run: every scenario with small counts,
//! concurrency 10, Kannel only when it is already installed.

mod batch;
mod cluster;
mod cmpp_client;
mod compare;
mod fill;
mod hongyan;
mod load;
mod paced;
mod peers;
mod procs;
mod receiver;
mod report;
mod servers;
mod sink;
mod smpp_client;
mod solo;
mod startup;
mod timeline;
mod wait;

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context};

use peers::Peer;
use report::Row;

/// A load shape (issue 14's table rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// Single-message requests, no receipts: the clock stops at the sink's N-th submit_sm.
    HttpSmpp,
    /// The sink sends a DELIVRD receipt per submit; the peer forwards each report to an HTTP
    /// receiver (Hongyan's account callback, Kannel's dlr-url); the clock stops at the N-th
    /// number reported delivered there.
    HttpSmppDlr,
    /// Requests of 100 numbers each, with receipts pushed back (`batch.rs`).
    HttpBatch,
    /// An SMPP client system on 4 binds submitting to our SMPP server (`servers.rs`).
    SmppServer,
    /// The same over our CMPP server.
    CmppServer,
    /// A paced 1,000 single-message requests a second (`paced.rs`).
    Steady,
    /// Verification codes during a bulk job (`paced.rs`).
    VerifyBulk,
    /// Three requests of 100,000 numbers, and the memory after (`batch.rs`).
    Large,
    /// Start-up with millions of stored messages (`startup.rs`).
    Startup,
    /// `http-batch` on 1, 2 and 3 nodes of one PostgreSQL (`cluster.rs`).
    Cluster,
    /// `steady` on 1 and 3 nodes (`cluster.rs`).
    ClusterSteady,
}

impl Scenario {
    const ALL: [Self; 11] = [
        Self::HttpSmpp,
        Self::HttpSmppDlr,
        Self::HttpBatch,
        Self::SmppServer,
        Self::CmppServer,
        Self::Steady,
        Self::VerifyBulk,
        Self::Large,
        Self::Startup,
        Self::Cluster,
        Self::ClusterSteady,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::HttpSmpp => "http-smpp",
            Self::HttpSmppDlr => "http-smpp-dlr",
            Self::HttpBatch => "http-batch",
            Self::SmppServer => "smpp-server",
            Self::CmppServer => "cmpp-server",
            Self::Steady => "steady",
            Self::VerifyBulk => "verify-bulk",
            Self::Large => "large",
            Self::Startup => "startup",
            Self::Cluster => "cluster",
            Self::ClusterSteady => "cluster-steady",
        }
    }

    fn receipts(self) -> bool {
        self == Self::HttpSmppDlr
    }

    /// Kannel has an equivalent (the side-by-side scenarios).
    fn compared(self) -> bool {
        matches!(self, Self::HttpSmpp | Self::HttpSmppDlr)
    }

    /// Messages (numbers, stored messages for `startup`, numbers per request for `large`)
    /// when `--messages` is not given: the full run's and the quick run's.
    fn default_messages(self, quick: bool) -> u64 {
        let (full, small) = match self {
            Self::HttpSmpp | Self::HttpSmppDlr | Self::SmppServer | Self::CmppServer => (20_000, 500),
            Self::HttpBatch => (100_000, 2_000),
            Self::Steady | Self::ClusterSteady => (20_000, 1_000),
            Self::VerifyBulk => (1_000_000, 2_000),
            Self::Large => (100_000, 1_000),
            Self::Startup => (10_000_000, 5_000),
            Self::Cluster => (50_000, 1_000),
        };
        if quick {
            small
        } else {
            full
        }
    }
}

struct Args {
    scenarios: Vec<Scenario>,
    /// `--messages`: overrides every scenario's default.
    messages: Option<u64>,
    concurrency: Option<usize>,
    /// `--links`: binds of Hongyan's channel to the sink, for every scenario run.
    links: Option<u32>,
    quick: bool,
    peers: Vec<Peer>,
    /// Kannel is skipped (not installed) when missing: the quick run must not need apt.
    kannel_optional: bool,
    hongyan_bin: PathBuf,
    keep: bool,
}

impl Args {
    fn messages(&self, scenario: Scenario) -> u64 {
        self.messages.unwrap_or_else(|| scenario.default_messages(self.quick))
    }

    /// Binds to the sink: one where the scenario compares with Kannel's one link (or paces
    /// its load); four where it measures how far Hongyan's own servers and batches go, which
    /// one bind of window 100 caps at the sink's pace.
    fn links(&self, scenario: Scenario) -> u32 {
        let wide =
            matches!(scenario, Scenario::HttpBatch | Scenario::SmppServer | Scenario::CmppServer | Scenario::Cluster)
                || scenario == Scenario::ClusterSteady;
        self.links.unwrap_or(if wide { 4 } else { 1 })
    }

    /// HTTP connections of the flat-out loads.
    fn concurrency(&self, _scenario: Scenario) -> usize {
        self.concurrency.unwrap_or(if self.quick { 10 } else { 50 })
    }

    /// A fresh data folder for one peer's run of `scenario`.
    fn data_dir(&self, scenario: Scenario, peer: &str) -> anyhow::Result<PathBuf> {
        let tag = format!("{}-{}-{peer}", std::process::id(), scenario.name());
        let dir = std::env::temp_dir().join(format!("hongyan-versus-{tag}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(dir)
    }

    /// Removes a run's folder, unless it failed or `--keep` asks to keep it.
    fn done_with(&self, dir: &Path, who: &str, ok: bool) {
        if !ok || self.keep {
            eprintln!("{who}: logs and data kept in {}", dir.display());
        } else {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

const USAGE: &str = "usage: versus [--scenario NAME[,NAME…]|all] [--peer hongyan|kannel|both]\n\
\x20             [--messages N] [--concurrency C] [--links L (Hongyan alone)] [--quick]\n\
\x20             [--hongyan-bin PATH] [--keep (leave the data folders)]\n\
scenarios: http-smpp http-smpp-dlr (both peers); http-batch smpp-server cmpp-server steady\n\
\x20          verify-bulk large startup (Hongyan alone); cluster (1, 2 and 3 nodes on the PostgreSQL at\n\
\x20          127.0.0.1:5432 or HONGYAN_TEST_POSTGRES), cluster-steady (1 and 3 nodes at 1,000/s)";

fn parse_args() -> anyhow::Result<Args> {
    use lexopt::prelude::*;
    let (mut messages, mut concurrency, mut peer, mut quick, mut bin, mut keep) =
        (None, None, None, false, None, false);
    let mut links = None;
    let mut scenario = None;
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("messages") => messages = Some(parser.value()?.parse()?),
            Long("concurrency") => concurrency = Some(parser.value()?.parse()?),
            Long("links") => links = Some(parser.value()?.parse()?),
            Long("peer") => peer = Some(parser.value()?.string()?),
            Long("scenario") => scenario = Some(parser.value()?.string()?),
            Long("quick") => quick = true,
            Long("hongyan-bin") => bin = Some(PathBuf::from(parser.value()?)),
            Long("keep") => keep = true,
            Long("help") | Short('h') => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    let peers = match peer.as_deref().unwrap_or("both") {
        "hongyan" => vec![Peer::Hongyan],
        "kannel" => vec![Peer::Kannel],
        "both" => vec![Peer::Hongyan, Peer::Kannel],
        other => bail!("unknown peer `{other}`: expected hongyan, kannel or both"),
    };
    let args = Args {
        scenarios: scenarios(scenario.as_deref().unwrap_or(if quick { "all" } else { "http-smpp" }))?,
        messages,
        concurrency,
        links,
        quick,
        kannel_optional: quick && peer.is_none(),
        hongyan_bin: bin.map_or_else(|| default_bin(quick), Ok)?,
        peers,
        keep,
    };
    ensure!(
        messages != Some(0) && concurrency != Some(0) && links != Some(0),
        "--messages, --concurrency and --links must be at least 1"
    );
    Ok(args)
}

/// `all`, or names separated by commas.
fn scenarios(list: &str) -> anyhow::Result<Vec<Scenario>> {
    if list == "all" {
        return Ok(Scenario::ALL.to_vec());
    }
    list.split(',')
        .map(|name| {
            Scenario::ALL
                .into_iter()
                .find(|s| s.name() == name)
                .with_context(|| format!("unknown scenario `{name}`\n{USAGE}"))
        })
        .collect()
}

/// The release build at the root of this tree; the quick run also takes the debug build.
fn default_bin(quick: bool) -> anyhow::Result<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target");
    let profiles: &[&str] = if quick { &["release", "debug"] } else { &["release"] };
    profiles.iter().map(|p| root.join(p).join("hongyan")).find(|p| p.exists()).with_context(|| {
        format!("no hongyan binary under {}: run `cargo build --release -p hongyan` at the root first", root.display())
    })
}

fn main() -> anyhow::Result<()> {
    let mut args = parse_args()?;
    let kannel_needed = args.scenarios.iter().any(|s| s.compared());
    if kannel_needed && args.peers.contains(&Peer::Kannel) && !peers::kannel_installed() {
        if args.kannel_optional {
            eprintln!("kannel is not installed: the quick run measures Hongyan alone");
            args.peers.retain(|p| *p != Peer::Kannel);
        } else {
            peers::install_kannel()?;
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut rows = Vec::new();
    for &scenario in &args.scenarios {
        let scenario_rows = runtime.block_on(run(scenario, &args))?;
        rows.extend(scenario_rows);
    }
    let errors: u64 = rows.iter().map(Row::errors).sum();
    ensure!(errors == 0 && rows.iter().all(|r| r.completed), "the run had {errors} errors");
    Ok(())
}

async fn run(scenario: Scenario, args: &Args) -> anyhow::Result<Vec<Row>> {
    if !scenario.compared() && !args.peers.contains(&Peer::Hongyan) {
        println!("scenario {}: Kannel has no equivalent; skipped (Hongyan was not asked for)\n", scenario.name());
        return Ok(Vec::new());
    }
    let row = match scenario {
        Scenario::HttpSmpp | Scenario::HttpSmppDlr => return compare::run(scenario, args).await,
        Scenario::HttpBatch => batch::http_batch(args).await,
        Scenario::Large => batch::large(args).await,
        Scenario::SmppServer => servers::run(servers::Protocol::Smpp, args).await,
        Scenario::CmppServer => servers::run(servers::Protocol::Cmpp, args).await,
        Scenario::Steady => paced::steady(args).await,
        Scenario::VerifyBulk => paced::verify_bulk(args).await,
        Scenario::Startup => startup::run(args).await,
        Scenario::Cluster => return cluster::run(args).await,
        Scenario::ClusterSteady => return cluster::steady(args).await,
    };
    row.with_context(|| format!("scenario {}", scenario.name())).map(|r| vec![r])
}

/// The note a Hongyan-only scenario prints when Kannel was asked for too.
fn kannel_note(args: &Args, why: &str) -> Vec<String> {
    if args.peers.contains(&Peer::Kannel) {
        vec![format!("Kannel: skipped — {why}.")]
    } else {
        Vec::new()
    }
}
