//! What the tests of our servers for client systems share: the platform on a real SQLite file
//! in a fresh folder, with one channel for China Mobile numbers (whose queue the test holds:
//! nothing is sent on) and an account signed 【某省税务局】; and a CMPP client system.

#![allow(dead_code)]

pub(crate) mod cmpp;

use std::sync::Arc;

use hongyan_engine::{ChannelSpec, Clock, DispatchReceiver, Engine, SystemClock, TokioClock};
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
    platform_with(tag, false).await
}

/// The platform for a test on tokio's paused clock: the engine's clock and the store's waits
/// follow it.
pub(crate) async fn paused_platform(tag: &str) -> Platform {
    platform_with(tag, true).await
}

async fn platform_with(tag: &str, paused: bool) -> Platform {
    let dir = std::env::temp_dir().join(format!("hongyan-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = SqliteStore::open(&dir.join("db")).unwrap();
    let (store, clock): (Arc<dyn Store>, Arc<dyn Clock>) = match paused {
        true => (Arc::new(sqlite.holding_paused_clocks()), Arc::new(TokioClock::new())),
        false => (Arc::new(sqlite), Arc::new(SystemClock)),
    };
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, queues) = Engine::new(store.clone(), clock, &[spec]).await.unwrap();
    let account = engine.create_account("etax").await.unwrap().account.id;
    engine.sign_with(account, "某省税务局", "").await.unwrap();
    Platform { store, engine, account, queues }
}
