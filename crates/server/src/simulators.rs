//! The in-process simulated gateways of the embedded default, and the channels that use them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use hongyan_cmpp_proto::session::SessionConfig;
use hongyan_config::{ChannelDef, Protocol};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::ReportBook;
use hongyan_types::Carrier;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::protocols::{self, Channel};

/// Running simulators.
pub(crate) struct Simulators {
    stop: watch::Sender<bool>,
    cmpp: SocketAddr,
    /// A fresh shared secret per process: the simulator and the channel are the only parties.
    secret: String,
}

impl Simulators {
    pub(crate) async fn start(data_dir: &Path, cfg: &hongyan_config::Simulators) -> Result<Self> {
        let secret = random_secret()?;
        let (stop, stop_rx) = watch::channel(false);
        let journal = data_dir.join("sim").join("cmpp-china-mobile.journal");
        let book = ReportBook::open(&journal).with_context(|| format!("opening {}", journal.display()))?;
        let sim = CmppSim::new(
            CmppSimConfig {
                accounts: HashMap::from([(SIM_SP_ID.to_owned(), secret.clone())]),
                report_delay: cfg.report_delay,
                submit_latency: cfg.submit_latency,
                gateway_code: 1001,
                session: SessionConfig::default(),
            },
            book,
        );
        if sim.owed_reports() > 0 {
            tracing::info!(
                owed = sim.owed_reports(),
                "simulated gateway: reports owed from the last run will be delivered"
            );
        }
        let listener = TcpListener::bind("127.0.0.1:0").await.context("binding the simulated gateway")?;
        let cmpp = listener.local_addr()?;
        tokio::spawn(sim.serve(listener, stop_rx));
        Ok(Self { stop, cmpp, secret })
    }

    /// The channels that reach the simulators; after any configured channel in preference.
    pub(crate) fn channels(&self) -> Vec<Channel> {
        let def = ChannelDef {
            name: "china-mobile-sim".into(),
            protocol: Protocol::Cmpp,
            version: "3.0".into(),
            address: self.cmpp.to_string(),
            username: SIM_SP_ID.into(),
            password: self.secret.clone(),
            source: "106900001234".into(),
            service_id: "HONGYAN".into(),
            connections: 1,
            window: 16,
            rate: None,
            carriers: vec![Carrier::ChinaMobile],
            prefixes: Vec::new(),
            priority: u32::MAX,
            weight: 100,
            listen: None,
            keepalive: Duration::from_secs(180),
            response_timeout: Duration::from_secs(60),
            max_attempts: 3,
        };
        vec![protocols::channel(&def, self.cmpp, true).expect("the simulated CMPP channel is valid")]
    }

    pub(crate) fn stop(self) {
        let _ = self.stop.send(true);
    }
}

const SIM_SP_ID: &str = "901234";

fn random_secret() -> Result<String> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
