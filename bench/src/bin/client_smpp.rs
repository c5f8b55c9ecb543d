//! Our SMPP server for client systems, end to end: B binds (window 100 each) submit N messages
//! in all; the engine stores and routes them to a CMPP carrier simulator over loopback (reports
//! due at once); the reports come back to the client as deliver_sm receipts.
//!
//! Prints submit_sm accepted per second (first submit → last submit_sm_resp) and receipts per
//! second (first submit → N-th receipt), and the peak RSS. Everything shares one process and
//! the machine's cores: the client, our server, the engine, the store and the simulator.
//!
//! Run: `cd bench && cargo run --release --bin client_smpp -- --messages 20000 --binds 4`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_ingress::smpp::{serve, SmppServerConfig};
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::{ReportBook, Scenario};
use hongyan_smpp_proto::pdu::{Address, Bind, BindMode, SubmitSm};
use hongyan_smpp_proto::{
    CommandStatus, DataCoding, EsmeEvent, EsmeSession, Npi, RegisteredDelivery, SessionConfig, Ton,
};
use hongyan_store::Store;
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::Carrier;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

const WINDOW: usize = 100;
/// Give up on a run that makes no progress for this long.
const STALL: Duration = Duration::from_secs(60);

struct Args {
    messages: usize,
    binds: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    use lexopt::prelude::*;
    let mut args = Args { messages: 20_000, binds: 4 };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("messages") => args.messages = parser.value()?.parse()?,
            Long("binds") => args.binds = parser.value()?.parse()?,
            Long("help") | Short('h') => {
                println!("usage: client_smpp [--messages N] [--binds B]");
                std::process::exit(0);
            }
            _ => return Err(arg.unexpected().into()),
        }
    }
    ensure!(args.messages > 0 && args.binds > 0, "--messages and --binds must be at least 1");
    Ok(args)
}

/// What one bind saw.
#[derive(Default)]
struct Seen {
    accepted: usize,
    refused: usize,
    receipts: usize,
    last_resp: Option<Instant>,
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("hongyan-client-smpp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (_stop, stop_rx) = watch::channel(false);
    let carrier = start_carrier(stop_rx.clone()).await?;
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("hongyan.db"))?);
    let spec = ChannelSpec::new("bench", &[Carrier::ChinaMobile]);
    let (engine, mut queues) = Engine::new(store, Arc::new(SystemClock), &[spec]).await?;
    let account = engine.create_account("bench").await?.account.id;
    engine.sign_with(account, "鸿雁", "").await?;
    let login = engine.create_client_login(account, "smpp", "bench".into(), 8).await?;
    tokio::spawn(run_channel(channel(carrier), engine.clone(), queues.pop().context("a queue")?.1, stop_rx.clone()));
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(serve(listener, engine, SmppServerConfig::default(), None, stop_rx));

    let started = Instant::now();
    let per = args.messages.div_ceil(args.binds);
    let clients: Vec<_> = (0..args.binds)
        .map(|b| {
            let quota = per.min(args.messages - (b * per).min(args.messages));
            let secret = login.secret.clone();
            tokio::spawn(async move { client(addr, &secret, b, quota, args.messages).await })
        })
        .collect();
    let mut all = Vec::new();
    for c in clients {
        all.push(c.await??);
    }
    let total = started.elapsed();
    let accepted: usize = all.iter().map(|s| s.accepted).sum();
    let refused: usize = all.iter().map(|s| s.refused).sum();
    let receipts: usize = all.iter().map(|s| s.receipts).sum();
    let last_resp = all.iter().filter_map(|s| s.last_resp).max().context("answers")?;
    let submit_secs = last_resp.duration_since(started).as_secs_f64();
    println!("| binds | messages | refused | submit_sm accepted/s | receipts | receipts/s (first submit → last receipt) | peak RSS (MiB) |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {} | {} | {refused} | {:.0} | {receipts} | {:.0} | {:.1} |",
        args.binds,
        args.messages,
        accepted as f64 / submit_secs,
        receipts as f64 / total.as_secs_f64(),
        peak_rss_kib()? as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
    ensure!(refused == 0 && receipts == args.messages, "{refused} refused, {receipts} receipts of {}", args.messages);
    Ok(())
}

/// One bind: submits its quota (window 100), answers every receipt; ends when all receipts of
/// the run have arrived somewhere (only one bind of an account delivers them).
async fn client(
    addr: std::net::SocketAddr,
    secret: &str,
    b: usize,
    quota: usize,
    total: usize,
) -> anyhow::Result<Seen> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut session = EsmeSession::new(SessionConfig { window: WINDOW, ..SessionConfig::default() });
    session.bind(Instant::now(), Bind::new(BindMode::Transceiver, "bench", secret))?;
    let (mut seen, mut sent, mut bound) = (Seen::default(), 0, false);
    let mut buf = vec![0u8; 64 * 1024];
    let mut progress = Instant::now();
    loop {
        while bound && sent < quota && session.can_submit() {
            session.submit(Instant::now(), submit(b * quota + sent))?;
            sent += 1;
        }
        while let Some(bytes) = session.poll_transmit() {
            stream.write_all(&bytes).await?;
        }
        let done = seen.accepted + seen.refused == quota;
        if done && RECEIVED.load(std::sync::atomic::Ordering::SeqCst) >= total {
            return Ok(seen);
        }
        ensure!(progress.elapsed() < STALL, "bind {b}: no progress for {STALL:?}");
        if let Ok(n) = tokio::time::timeout(Duration::from_millis(20), stream.read(&mut buf)).await {
            let n = n?;
            ensure!(n > 0, "bind {b}: the server closed the connection");
            session.handle_input(&buf[..n], Instant::now())?;
            progress = Instant::now();
        }
        session.handle_timeout(Instant::now());
        while let Some(event) = session.poll_event() {
            match event {
                EsmeEvent::Bound { .. } => bound = true,
                EsmeEvent::BindRejected { .. } => anyhow::bail!("bind {b} refused"),
                EsmeEvent::SubmitResp { status, .. } => {
                    if status == CommandStatus::ESME_ROK {
                        seen.accepted += 1
                    } else {
                        seen.refused += 1
                    }
                    seen.last_resp = Some(Instant::now());
                }
                EsmeEvent::Deliver { sequence, .. } => {
                    session.ack_deliver(sequence, CommandStatus::ESME_ROK);
                    seen.receipts += 1;
                    RECEIVED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                _ => {}
            }
        }
    }
}

/// Receipts received by every bind together.
static RECEIVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn submit(i: usize) -> SubmitSm {
    SubmitSm {
        source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "1069"),
        dest: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, format!("138{i:08}").as_str()),
        service_type: b"VERIF".to_vec(),
        registered_delivery: RegisteredDelivery::RECEIPT,
        data_coding: DataCoding::DEFAULT,
        short_message: b"Your code is 123456".to_vec(),
        ..SubmitSm::default()
    }
}

async fn start_carrier(stop: watch::Receiver<bool>) -> anyhow::Result<std::net::SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let cfg = CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), "s3cret".to_owned())]),
        scenario: Scenario { report_delay: Duration::ZERO, ..Scenario::default() },
        gateway_code: 1001,
        session: hongyan_cmpp_proto::session::SessionConfig { window: 64, ..Default::default() },
    };
    tokio::spawn(CmppSim::new(cfg, ReportBook::in_memory()).serve(listener, stop));
    Ok(addr)
}

fn channel(addr: std::net::SocketAddr) -> ChannelConfig {
    ChannelConfig {
        name: "bench".into(),
        addr,
        tls: None,
        connections: 1,
        rate: None,
        simulated: true,
        failover_after: Duration::from_secs(30),
        protocol: ProtocolConfig::Cmpp(CmppSettings {
            sp_id: "901234".into(),
            secret: "s3cret".into(),
            src_id: "1069".into(),
            service_id: "T".into(),
            session: hongyan_cmpp_proto::session::SessionConfig { window: 64, ..Default::default() },
        }),
    }
}

fn peak_rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).context("VmHWM")?;
    Ok(line.split_whitespace().nth(1).context("VmHWM value")?.parse()?)
}
