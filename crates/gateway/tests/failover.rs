//! Failover over real TCP: a primary channel whose gateway is unreachable is reported down,
//! what waits on it moves to the backup and is delivered there, new traffic goes to the
//! backup, and when the primary's gateway comes back traffic returns to it. On tokio's paused
//! clock: the failover delay and the reconnect back-off pass in virtual time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::{ChannelSpec, Engine, NumberResult, SendRequest};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::{ReportBook, Scenario};
use hongyan_store::{MessageId, MessageStatus, Store};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};
use tokio::net::TcpListener;
use tokio::sync::watch;

async fn start_sim(listener: TcpListener) {
    let cfg = CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), "s".to_owned())]),
        scenario: Scenario { report_delay: Duration::from_millis(10), ..Scenario::default() },
        gateway_code: 1001,
        session: Default::default(),
    };
    let (stop, rx) = watch::channel(false);
    std::mem::forget(stop);
    tokio::spawn(CmppSim::new(cfg, ReportBook::in_memory()).serve(listener, rx));
}

fn channel(name: &str, addr: SocketAddr) -> ChannelConfig {
    ChannelConfig {
        name: name.into(),
        addr,
        tls: None,
        connections: 1,
        rate: None,
        simulated: true,
        failover_after: Duration::from_millis(500),
        protocol: ProtocolConfig::Cmpp(CmppSettings {
            sp_id: "901234".into(),
            secret: "s".into(),
            src_id: "1069".into(),
            service_id: "T".into(),
            session: Default::default(),
        }),
    }
}

async fn send(engine: &Engine, to: &str) -> MessageId {
    let req = SendRequest::new(vec![to.into()], "通知", Category::NOTIFICATION);
    match &engine.accept(1, req).await.unwrap().results[0] {
        NumberResult::Accepted { message_id, .. } => *message_id,
        other => panic!("{other:?}"),
    }
}

/// Waits until the message is delivered and returns the channel it went through.
async fn delivered_via(store: &Arc<dyn Store>, id: MessageId) -> String {
    for _ in 0..300 {
        let m = store.get_message(1, id).await.unwrap().unwrap();
        if m.status == MessageStatus::Delivered {
            return m.message.channel;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {id} not delivered");
}

#[tokio::test(start_paused = true)]
async fn traffic_fails_over_to_the_backup_and_comes_back() {
    // The primary's gateway is down: its port refuses connections.
    let primary_addr = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let backup = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backup_addr = backup.local_addr().unwrap();
    start_sim(backup).await;

    let dir = std::env::temp_dir().join(format!("hongyan-failover-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap().holding_paused_clocks());
    let specs = [
        ChannelSpec { priority: 0, ..ChannelSpec::new("primary", &[Carrier::ChinaMobile]) },
        ChannelSpec { priority: 1, ..ChannelSpec::new("backup", &[Carrier::ChinaMobile]) },
    ];
    let (engine, queues) =
        Engine::new(store.clone(), Arc::new(hongyan_engine::TokioClock::new()), &specs).await.unwrap();
    let account = engine.create_account("test").await.unwrap().account.id;
    engine.sign_with(account, "测试", "").await.unwrap();
    let (_stop, stop_rx) = watch::channel(false);
    for ((name, queue), addr) in queues.into_iter().zip([primary_addr, backup_addr]) {
        tokio::spawn(run_channel(channel(&name, addr), engine.clone(), queue, stop_rx.clone()));
    }

    // Accepted while the primary is not yet known to be down: it waits there, then moves.
    let early: Vec<MessageId> = [send(&engine, "13800138001").await, send(&engine, "13800138002").await].into();
    for id in &early {
        assert_eq!(delivered_via(&store, *id).await, "backup");
    }
    // Once it is known to be down, new traffic goes straight to the backup.
    assert_eq!(
        store.get_message(1, send(&engine, "13800138003").await).await.unwrap().unwrap().message.channel,
        "backup"
    );

    // The primary's gateway comes back: its link logs in and traffic returns to it.
    start_sim(TcpListener::bind(primary_addr).await.unwrap()).await;
    let mut back = None;
    for _ in 0..300 {
        let id = send(&engine, "13900139000").await;
        if store.get_message(1, id).await.unwrap().unwrap().message.channel == "primary" {
            back = Some(id);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let back = back.expect("traffic returned to the primary once it was up");
    assert_eq!(delivered_via(&store, back).await, "primary");
}
