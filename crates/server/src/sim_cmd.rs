//! `hongyan sim cmpp`: a simulated China Mobile ISMG on its own port.

use std::collections::HashMap;

use anyhow::{Context, Result};
use hongyan_cmpp_proto::session::SessionConfig;
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::ReportBook;
use tokio::net::TcpListener;

use crate::cli::SimOptions;

pub(crate) async fn run(opts: SimOptions) -> Result<()> {
    let journal = opts.data_dir.join("sim").join("cmpp-standalone.journal");
    let book = ReportBook::open(&journal).with_context(|| format!("opening {}", journal.display()))?;
    let cfg = CmppSimConfig {
        accounts: HashMap::from([(opts.sp_id.clone(), opts.secret)]),
        scenario: hongyan_sim::Scenario {
            report_delay: opts.report_delay,
            submit_latency: std::time::Duration::ZERO,
            ..hongyan_sim::Scenario::default()
        },
        gateway_code: 1001,
        session: SessionConfig::default(),
    };
    let listener = TcpListener::bind(opts.listen).await.with_context(|| format!("binding {}", opts.listen))?;
    tracing::info!(listen = %opts.listen, sp_id = %opts.sp_id, "simulated China Mobile ISMG (CMPP) running; Ctrl-C stops it");
    let (tx, rx) = tokio::sync::watch::channel(false);
    let sim = CmppSim::new(cfg, book);
    let server = tokio::spawn(sim.serve(listener, rx));
    tokio::signal::ctrl_c().await?;
    let _ = tx.send(true);
    server.await?;
    Ok(())
}
