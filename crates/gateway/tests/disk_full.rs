//! A full disk in the middle of sending, over real TCP to a simulated ISMG and a real SQLite
//! file: new sends are refused as `Full` (nothing half-kept), the carrier's answers to what was
//! already on its way are kept in memory instead of lost, reports are held unacknowledged and
//! stored when there is room, and then every message goes on to `delivered` — without a
//! restart and without being sent twice.
//!
//! The room runs out through SQLite's page ceiling (`SqliteStore::set_size_limit`), which fails
//! writes with the same `SQLITE_FULL` a full disk gives.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::{AcceptError, ChannelSpec, Engine, NumberResult, SendRequest, SystemClock};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::Counters;
use hongyan_sim::{ReportBook, Scenario};
use hongyan_store::{MessageId, MessageStatus, Store, StoreError};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};
use tokio::net::TcpListener;
use tokio::sync::watch;

const MESSAGES: usize = 400;

fn channel(addr: std::net::SocketAddr) -> ChannelConfig {
    ChannelConfig {
        name: "cmpp".into(),
        addr,
        tls: None,
        connections: 1,
        rate: None,
        simulated: true,
        failover_after: Duration::from_secs(30),
        protocol: ProtocolConfig::Cmpp(CmppSettings {
            sp_id: "901234".into(),
            secret: "s".into(),
            src_id: "1069".into(),
            service_id: "T".into(),
            session: Default::default(),
        }),
    }
}

fn numbers(from: usize, n: usize) -> Vec<String> {
    (from..from + n).map(|i| format!("138{i:08}")).collect()
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_strands_nothing_and_resends_nothing() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), "s".to_owned())]),
        scenario: Scenario { report_delay: Duration::from_millis(10), ..Scenario::default() },
        gateway_code: 1001,
        // The ISMG's own time-out for an unanswered report is the usual minute: reports the
        // store refused must be stored by our retry, not by the carrier sending them again.
        session: Default::default(),
    };
    let sim = CmppSim::new(cfg, ReportBook::in_memory());
    let (_sim_stop, sim_rx) = watch::channel(false);
    tokio::spawn(sim.clone().serve(listener, sim_rx));

    let dir = std::env::temp_dir().join(format!("hongyan-disk-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = Arc::new(SqliteStore::open(&dir.join("hongyan.db")).unwrap());
    let store: Arc<dyn Store> = sqlite.clone();
    let specs = [ChannelSpec::new("cmpp", &[Carrier::ChinaMobile])];
    let (engine, mut queues) = Engine::new(store.clone(), Arc::new(SystemClock), &specs).await.unwrap();
    let account = engine.create_account("etax").await.unwrap().account.id;
    engine.sign_with(account, "测试", "").await.unwrap();

    // Accepted while there was room; the channel is not running yet.
    let req = SendRequest::new(numbers(0, MESSAGES), "您的验证码是 123456", Category::VERIFICATION);
    let ids: Vec<MessageId> = engine
        .accept(account, req)
        .await
        .unwrap()
        .results
        .iter()
        .map(|r| match r {
            NumberResult::Accepted { message_id, .. } => *message_id,
            other => panic!("{other:?}"),
        })
        .collect();

    // The disk fills up. New sends are refused, plainly.
    sqlite.set_size_limit(Some(0)).await.unwrap();
    let more = SendRequest::new(numbers(10_000, 300), "您的验证码是 654321", Category::VERIFICATION);
    match engine.accept(account, more).await {
        Err(AcceptError::Store(StoreError::Full(_))) => {}
        other => panic!("a send on a full store must be refused as Full, got {other:?}"),
    }
    assert!(store.is_full());

    // The channel starts: the accepted messages reach the carrier, whose answers cannot be stored.
    let (_stop, stop_rx) = watch::channel(false);
    let (_, queue) = queues.remove(0);
    tokio::spawn(run_channel(channel(addr), engine.clone(), queue, stop_rx));
    wait_for("the carrier has every message", || Counters::get(&sim.counters.submits) as usize >= MESSAGES).await;
    wait_for("answers are kept", || engine.unrecorded_outcomes() > 0).await;

    // Room again: no restart, and every message goes on — within seconds, well before the
    // ISMG would offer a refused report again.
    sqlite.set_size_limit(None).await.unwrap();
    for _ in 0..200 {
        let mut delivered = 0;
        for id in &ids {
            if store.get_message(account, *id).await.unwrap().unwrap().status == MessageStatus::Delivered {
                delivered += 1;
            }
        }
        if delivered == MESSAGES {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for id in &ids {
        let m = store.get_message(account, *id).await.unwrap().unwrap();
        assert_eq!(m.status, MessageStatus::Delivered, "message {id} stranded");
    }
    assert_eq!(Counters::get(&sim.counters.submits) as usize, MESSAGES, "no message was sent to the carrier twice");
    assert_eq!(engine.unrecorded_outcomes(), 0);
    assert!(!store.is_full());
    std::fs::remove_dir_all(&dir).ok();
}
