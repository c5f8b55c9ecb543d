//! The CMPP client link over real TCP against the simulator: a refused login, connections and
//! rate, and a full submit → report round trip. (Keep-alive is in `keepalive.rs`, on the
//! paused clock.) These run on the paused clock too: the rate limit is measured in virtual
//! time.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hongyan_cmpp_proto::session::SessionConfig;
use hongyan_engine::{ChannelSpec, DispatchReceiver, Engine, NumberResult, SendRequest, TokioClock};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::ReportBook;
use hongyan_store::{MessageStatus, Store};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};
use tokio::net::TcpListener;
use tokio::sync::watch;

const SECRET: &str = "s3cret";

fn fast_timers() -> SessionConfig {
    SessionConfig {
        keepalive_idle: Duration::from_millis(150),
        response_timeout: Duration::from_millis(150),
        ..SessionConfig::default()
    }
}

async fn engine(tag: &str) -> (Arc<Engine>, DispatchReceiver, Arc<dyn Store>) {
    let dir = std::env::temp_dir().join(format!("hongyan-gw-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap().holding_paused_clocks());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, mut rx) = Engine::new(store.clone(), Arc::new(TokioClock::new()), &[spec]).await.unwrap();
    // Account 1, signed for every category.
    let account = engine.create_account("test").await.unwrap().account.id;
    engine.sign_with(account, "测试", "").await.unwrap();
    (engine, rx.remove(0).1, store)
}

fn client(addr: std::net::SocketAddr, secret: &str) -> ChannelConfig {
    ChannelConfig {
        name: "mobile".into(),
        addr,
        tls: None,
        connections: 1,
        rate: None,
        simulated: true,
        failover_after: Duration::from_secs(30),
        protocol: ProtocolConfig::Cmpp(CmppSettings {
            sp_id: "901234".into(),
            secret: secret.into(),
            src_id: "10690001".into(),
            service_id: "TEST".into(),
            session: fast_timers(),
        }),
    }
}

async fn sim(report_delay: Duration) -> std::net::SocketAddr {
    sim_with_counters(report_delay).await.0
}

async fn sim_with_counters(report_delay: Duration) -> (std::net::SocketAddr, Arc<CmppSim>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), SECRET.to_owned())]),
        scenario: hongyan_sim::Scenario { report_delay, ..hongyan_sim::Scenario::default() },
        gateway_code: 1001,
        session: SessionConfig::default(),
    };
    let (stop, rx) = watch::channel(false);
    std::mem::forget(stop);
    let sim = CmppSim::new(cfg, ReportBook::in_memory());
    tokio::spawn(sim.clone().serve(listener, rx));
    (addr, sim)
}

async fn send_one(engine: &Engine, to: &str) -> hongyan_types::MessageId {
    let req = SendRequest::new(vec![to.into()], "您的验证码是 123456", Category::VERIFICATION);
    match &engine.accept(1, req).await.unwrap().results[0] {
        NumberResult::Accepted { message_id, .. } => *message_id,
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_wrong_secret_is_refused_and_nothing_is_submitted() {
    let addr = sim(Duration::from_millis(10)).await;
    let (engine, queue, store) = engine("wrongsecret").await;
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(client(addr, "not-the-secret"), engine.clone(), queue, stop_rx));
    let id = send_one(&engine, "13800138000").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let m = store.get_message(1, id).await.unwrap().unwrap();
    assert_eq!(m.status, MessageStatus::Accepted, "still waiting for a link, not lost and not failed");
}

#[tokio::test(start_paused = true)]
async fn a_channel_spreads_over_its_connections_and_holds_its_rate() {
    let (addr, sim) = sim_with_counters(Duration::from_millis(10)).await;
    let (engine, queue, store) = engine("rate").await;
    let (_stop, stop_rx) = watch::channel(false);
    let cfg = ChannelConfig { connections: 3, rate: Some(50), ..client(addr, SECRET) };
    tokio::spawn(run_channel(cfg, engine.clone(), queue, stop_rx));
    let logins = tokio::time::timeout(Duration::from_secs(5), async {
        while hongyan_sim::Counters::get(&sim.counters.logins) < 3 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    logins.await.expect("three connections log in");
    let started = tokio::time::Instant::now();
    let mut ids = Vec::new();
    for i in 0..40 {
        ids.push(send_one(&engine, &format!("1380013{i:04}")).await);
    }
    for id in &ids {
        for _ in 0..200 {
            if store.get_message(1, *id).await.unwrap().unwrap().status == MessageStatus::Delivered {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    let elapsed = started.elapsed();
    for id in &ids {
        assert_eq!(store.get_message(1, *id).await.unwrap().unwrap().status, MessageStatus::Delivered);
    }
    assert_eq!(hongyan_sim::Counters::get(&sim.counters.submits), 40, "each segment submitted once");
    // 40 submits at 50/s with a burst of 5 cannot take less than (40 - 5) / 50 s.
    assert!(elapsed >= Duration::from_millis(700), "rate limit held: 40 submits took {elapsed:?}");
}

#[tokio::test(start_paused = true)]
async fn submit_and_report_round_trip_over_tcp() {
    let addr = sim(Duration::from_millis(50)).await;
    let (engine, queue, store) = engine("roundtrip").await;
    let (stop, stop_rx) = watch::channel(false);
    let link = tokio::spawn(run_channel(client(addr, SECRET), engine.clone(), queue, stop_rx));
    let id = send_one(&engine, "13800138000").await;
    let mut status = MessageStatus::Accepted;
    for _ in 0..100 {
        status = store.get_message(1, id).await.unwrap().unwrap().status;
        if status == MessageStatus::Delivered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, MessageStatus::Delivered);
    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(5), link).await.expect("the link drains on shutdown").unwrap();
}
