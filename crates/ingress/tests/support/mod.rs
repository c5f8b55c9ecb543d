//! What the tests of our servers for client systems share: the platform on a real SQLite file
//! in a fresh folder, with one channel for China Mobile numbers (whose queue the test holds:
//! nothing is sent on) and an account signed 【某省税务局】; and a CMPP client system.

#![allow(dead_code)]

pub(crate) mod cmpp;

use std::sync::Arc;

use hongyan_engine::{ChannelSpec, DispatchReceiver, Engine, SystemClock};
use hongyan_store::Store;
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::Carrier;

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
