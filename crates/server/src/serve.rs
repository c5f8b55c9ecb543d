//! `hongyan serve`: the platform on its embedded default.
//!
//! Start order: store → simulated gateway → engine (and the backlog it must resume) → carrier
//! links → HTTP. `/healthz` turns 200 only after all of that.
//!
//! Stop order on SIGTERM or Ctrl-C (the drain): stop accepting (new requests get 503) → let
//! in-flight HTTP requests finish → links stop taking work, wait for the answers to what is in
//! flight, send TERMINATE → close the store (flush, WAL checkpoint) → stop the simulator.
//! Messages accepted but not yet submitted stay in the store and are sent after the next start.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use hongyan_api::{router, AppState};
use hongyan_cmpp_proto::session::SessionConfig;
use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::ReportBook;
use hongyan_store::Store;
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::Carrier;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cli::ServeOptions;

/// The simulated China Mobile channel of the embedded default.
const SIM_CHANNEL: &str = "china-mobile-sim";
const SIM_SP_ID: &str = "901234";
const SIM_SRC_ID: &str = "106900001234";
/// How long the links get to drain before the store closes anyway.
const DRAIN_LIMIT: Duration = Duration::from_secs(15);

pub(crate) async fn run(opts: ServeOptions) -> Result<()> {
    std::fs::create_dir_all(&opts.data_dir).with_context(|| format!("creating {}", opts.data_dir.display()))?;
    let db = opts.data_dir.join("hongyan.db");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).with_context(|| format!("opening {}", db.display()))?);
    tracing::info!(path = %db.display(), "store: SQLite (WAL)");

    let secret = random_secret()?;
    let (sim_stop, sim_addr) = start_simulator(&opts, &secret).await?;

    let channel = ChannelSpec { name: SIM_CHANNEL.into(), carriers: vec![Carrier::ChinaMobile] };
    let (engine, receivers) = Engine::new(store.clone(), Arc::new(SystemClock), &[channel]).await?;
    let resumed = engine.resume_pending().await?;
    if resumed > 0 {
        tracing::info!(resumed, "resuming messages accepted before the last stop");
    }

    let (links_stop, links_rx) = watch::channel(false);
    let mut links = Vec::new();
    for (name, queue) in receivers {
        let cfg = ChannelConfig {
            name,
            addr: sim_addr,
            connections: 1,
            rate: None,
            simulated: true,
            protocol: ProtocolConfig::Cmpp(CmppSettings {
                sp_id: SIM_SP_ID.into(),
                secret: secret.clone(),
                src_id: SIM_SRC_ID.into(),
                service_id: "HONGYAN".into(),
                session: SessionConfig::default(),
            }),
        };
        links.push(tokio::spawn(run_channel(cfg, engine.clone(), queue, links_rx.clone())));
    }
    tracing::warn!(
        channel = SIM_CHANNEL,
        gateway = %sim_addr,
        "China Mobile numbers go to a SIMULATED CMPP 3.0 gateway inside this process, not to a carrier; China Unicom and China Telecom numbers are rejected (no channel)"
    );

    serve_http(&opts.http, engine.clone()).await?;

    tracing::info!("draining: finishing in-flight submits");
    let _ = links_stop.send(true);
    let drained = tokio::time::timeout(DRAIN_LIMIT, async {
        for l in links {
            let _ = l.await;
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!("links did not drain in time");
    }
    store.close().await.context("closing the store")?;
    let _ = sim_stop.send(true);
    tracing::info!("stopped cleanly: store flushed");
    Ok(())
}

/// Serves HTTP until SIGTERM/SIGINT; stops accepting messages the moment the signal comes.
async fn serve_http(addr: &SocketAddr, engine: Arc<Engine>) -> Result<()> {
    let ready = Arc::new(AtomicBool::new(false));
    let state = AppState { engine: engine.clone(), ready: ready.clone() };
    let listener = TcpListener::bind(addr).await.with_context(|| format!("binding the HTTP API to {addr}"))?;
    ready.store(true, Ordering::SeqCst);
    tracing::info!(addr = %listener.local_addr()?, "HTTP API ready: POST /api/v1/messages, GET /healthz");
    let stop = async move {
        shutdown_signal().await;
        tracing::info!("shutdown requested: no new messages are accepted");
        engine.stop_accepting();
        ready.store(false, Ordering::SeqCst);
    };
    axum::serve(listener, router(state)).with_graceful_shutdown(stop).await.context("HTTP server")?;
    Ok(())
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

async fn start_simulator(opts: &ServeOptions, secret: &str) -> Result<(watch::Sender<bool>, SocketAddr)> {
    let journal = opts.data_dir.join("sim").join("cmpp-china-mobile.journal");
    let book = ReportBook::open(&journal).with_context(|| format!("opening {}", journal.display()))?;
    let cfg = CmppSimConfig {
        accounts: HashMap::from([(SIM_SP_ID.to_owned(), secret.to_owned())]),
        report_delay: opts.sim_report_delay,
        submit_latency: opts.sim_submit_latency,
        gateway_code: 1001,
        session: SessionConfig::default(),
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.context("binding the simulated gateway")?;
    let addr = listener.local_addr()?;
    let (stop, stop_rx) = watch::channel(false);
    let sim = CmppSim::new(cfg, book);
    if sim.owed_reports() > 0 {
        tracing::info!(
            owed = sim.owed_reports(),
            "simulated gateway: reports owed from the last run will be delivered"
        );
    }
    tokio::spawn(sim.serve(listener, stop_rx));
    Ok((stop, addr))
}

/// A fresh shared secret per process: the simulator and the link are the only parties.
fn random_secret() -> Result<String> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
