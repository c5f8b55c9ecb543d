//! The in-process simulated gateways of the embedded default, and the channels that use them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use hongyan_cmpp_proto::session::SessionConfig;
use hongyan_config::{ChannelDef, Protocol};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::sgip::{SgipAccount, SgipSim, SgipSimConfig};
use hongyan_sim::smgp::{SmgpSim, SmgpSimConfig};
use hongyan_sim::{ReportBook, Scenario};
use hongyan_store_sqlite::seal::KeyRing;
use hongyan_types::Carrier;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::protocols::{self, Channel};

/// Running simulators.
pub(crate) struct Simulators {
    stop: watch::Sender<bool>,
    cmpp: SocketAddr,
    smgp: SocketAddr,
    sgip: SocketAddr,
    /// Where our SGIP channel listens for the simulated SMG.
    sgip_listen: SocketAddr,
    /// A fresh shared secret per process: the simulator and the channel are the only parties.
    secret: String,
}

impl Simulators {
    /// Starts the three simulated networks; their journals keep handset numbers sealed with
    /// `ring`, the platform's data keys.
    pub(crate) async fn start(data_dir: &Path, cfg: &hongyan_config::Simulators, ring: &KeyRing) -> Result<Self> {
        let secret = random_secret()?;
        let (stop, stop_rx) = watch::channel(false);
        let scenario =
            Scenario { report_delay: cfg.report_delay, submit_latency: cfg.submit_latency, ..Scenario::default() };
        let accounts = HashMap::from([(SIM_LOGIN.to_owned(), secret.clone())]);

        let book = open_book(data_dir, "cmpp-china-mobile", ring)?;
        let cmpp = CmppSim::new(
            CmppSimConfig {
                accounts: accounts.clone(),
                scenario: scenario.clone(),
                gateway_code: 1001,
                session: SessionConfig::default(),
            },
            book,
        );
        say_owed("China Mobile (CMPP)", cmpp.owed_reports());
        let (listener, cmpp_addr) = bind().await?;
        tokio::spawn(cmpp.serve(listener, stop_rx.clone()));

        let book = open_book(data_dir, "sgip-china-unicom", ring)?;
        // Our SGIP listener: the simulated SMG connects here to deliver reports.
        let sgip_listen = free_port().await?;
        let sgip_accounts = HashMap::from([(
            SIM_LOGIN.to_owned(),
            SgipAccount { password: secret.clone(), report_to: Some(sgip_listen), report_tls: None },
        )]);
        let sgip_session = hongyan_sgip_proto::session::SessionConfig { node_id: 1_010_001, ..Default::default() };
        let sgip = SgipSim::new(
            SgipSimConfig { accounts: sgip_accounts, scenario: scenario.clone(), session: sgip_session },
            book,
        );
        say_owed("China Unicom (SGIP)", sgip.owed_reports());
        let (listener, sgip_addr) = bind().await?;
        tokio::spawn(sgip.serve(listener, stop_rx.clone()));

        let book = open_book(data_dir, "smgp-china-telecom", ring)?;
        let smgp =
            SmgpSim::new(SmgpSimConfig { accounts, scenario, gateway_code: 10061, session: Default::default() }, book);
        say_owed("China Telecom (SMGP)", smgp.owed_reports());
        let (listener, smgp_addr) = bind().await?;
        tokio::spawn(smgp.serve(listener, stop_rx));
        Ok(Self { stop, cmpp: cmpp_addr, smgp: smgp_addr, sgip: sgip_addr, sgip_listen, secret })
    }

    /// The simulated channels' names: China Mobile (CMPP), China Telecom (SMGP), China Unicom (SGIP).
    pub(crate) const NAMES: [&'static str; 3] = ["china-mobile-sim", "china-telecom-sim", "china-unicom-sim"];

    /// The channels that reach the simulators; after any configured channel in preference.
    pub(crate) fn channels(&self) -> Vec<Channel> {
        let cmpp = self.def(Self::NAMES[0], Protocol::Cmpp, "3.0", self.cmpp, Carrier::ChinaMobile);
        let smgp = self.def(Self::NAMES[1], Protocol::Smgp, "3.0", self.smgp, Carrier::ChinaTelecom);
        let sgip = ChannelDef {
            listen: Some(self.sgip_listen.to_string()),
            ..self.def(Self::NAMES[2], Protocol::Sgip, "1.2", self.sgip, Carrier::ChinaUnicom)
        };
        vec![
            protocols::simulated(&cmpp, self.cmpp).expect("the simulated CMPP channel is valid"),
            protocols::simulated(&sgip, self.sgip).expect("the simulated SGIP channel is valid"),
            protocols::simulated(&smgp, self.smgp).expect("the simulated SMGP channel is valid"),
        ]
    }

    fn def(&self, name: &str, protocol: Protocol, version: &str, addr: SocketAddr, carrier: Carrier) -> ChannelDef {
        ChannelDef {
            name: name.into(),
            protocol,
            version: version.into(),
            address: addr.to_string(),
            username: SIM_LOGIN.into(),
            password: self.secret.clone(),
            source: "106900001234".into(),
            service_id: "HONGYAN".into(),
            connections: 1,
            window: 16,
            rate: None,
            carriers: vec![carrier],
            prefixes: Vec::new(),
            priority: u32::MAX,
            weight: 100,
            listen: None,
            node_id: hongyan_config::DEFAULT_SGIP_NODE_ID,
            corp_id: "12345".into(),
            keepalive: Duration::from_secs(180),
            response_timeout: Duration::from_secs(60),
            max_attempts: 3,
            failover_after: Duration::from_secs(30),
            tls: None,
        }
    }

    pub(crate) fn stop(self) {
        let _ = self.stop.send(true);
    }
}

/// The login of the simulated accounts: a 6-digit SP_Id (CMPP) that is also a valid ClientID.
const SIM_LOGIN: &str = "901234";

fn open_book(data_dir: &Path, name: &str, ring: &KeyRing) -> Result<ReportBook> {
    let journal = data_dir.join("sim").join(format!("{name}.journal"));
    ReportBook::open_sealed(&journal, ring.clone()).with_context(|| format!("opening {}", journal.display()))
}

fn say_owed(network: &str, owed: usize) {
    if owed > 0 {
        tracing::info!(network, owed, "simulated gateway: reports owed from the last run will be delivered");
    }
}

/// A loopback port that was free a moment ago (for a listener another task opens).
async fn free_port() -> Result<SocketAddr> {
    Ok(bind().await?.1)
}

async fn bind() -> Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind("127.0.0.1:0").await.context("binding a simulated gateway")?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

fn random_secret() -> Result<String> {
    // 16 hex digits: SGIP passwords hold at most 16 bytes.
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
