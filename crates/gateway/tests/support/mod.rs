//! What the carrier-side tests share: the platform on a real SQLite file in a fresh folder,
//! with one channel for China Mobile numbers and an account signed 【某省税务局】; messages
//! accepted for it; a channel of one CMPP connection to a simulator.

#![allow(dead_code)]

use std::sync::Arc;

use hongyan_engine::{ChannelSpec, DispatchReceiver, Engine, NumberResult, SendRequest, SystemClock};
use hongyan_store::MessageId;
use hongyan_store::Store;
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};

pub(crate) struct Platform {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) account: i64,
    /// The channel's queue; held so what the engine routes stays queued.
    pub(crate) queues: Vec<(String, DispatchReceiver)>,
}

/// The platform in `hongyan-TAG-PID` under the temp folder.
pub(crate) async fn platform(tag: &str) -> Platform {
    let dir = std::env::temp_dir().join(format!("hongyan-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, queues) = Engine::new(store.clone(), Arc::new(SystemClock), &[spec]).await.unwrap();
    let account = engine.create_account("etax").await.unwrap().account.id;
    engine.sign_with(account, "某省税务局", "").await.unwrap();
    Platform { store, engine, account, queues }
}

/// Sends the text "通知" to `to` for `account`; every number must be accepted. Their ids.
pub(crate) async fn accept_ids(engine: &Engine, account: i64, to: Vec<String>, category: Category) -> Vec<MessageId> {
    let req = SendRequest::new(to, "通知", category);
    let results = engine.accept(account, req).await.unwrap().results;
    results
        .into_iter()
        .map(|r| match r {
            NumberResult::Accepted { message_id, .. } => message_id,
            other => panic!("{other:?}"),
        })
        .collect()
}

/// A channel of one CMPP connection to the simulator at `addr` (SP 901234, secret "s").
pub(crate) fn cmpp_channel(name: &str, addr: std::net::SocketAddr, window: usize) -> hongyan_gateway::ChannelConfig {
    let settings = hongyan_gateway::cmpp::CmppSettings {
        sp_id: "901234".into(),
        secret: "s".into(),
        src_id: "1069".into(),
        service_id: "T".into(),
        session: hongyan_cmpp_proto::session::SessionConfig { window, ..Default::default() },
    };
    hongyan_gateway::ChannelConfig {
        name: name.into(),
        addr,
        tls: None,
        connections: 1,
        rate: None,
        simulated: true,
        protocol: hongyan_gateway::ProtocolConfig::Cmpp(settings),
        failover_after: std::time::Duration::from_secs(30),
    }
}
