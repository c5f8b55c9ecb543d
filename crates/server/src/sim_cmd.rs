//! `hongyan sim cmpp|sgip|smgp|smpp`: a simulated carrier gateway on its own port.

use std::collections::HashMap;

use anyhow::{Context, Result};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::sgip::{SgipAccount, SgipSim, SgipSimConfig};
use hongyan_sim::smgp::{SmgpSim, SmgpSimConfig};
use hongyan_sim::smpp::{SmppSim, SmppSimConfig};
use hongyan_sim::ReportBook;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::cli::{SimOptions, SimProtocol};

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
