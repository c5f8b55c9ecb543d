//! The link-quality figures against a simulated ISMG whose bad day is known: every submit
//! answered after 40 ms, every tenth transmission left unanswered, and the gateway gone for a
//! few seconds. The figures read back from the store must be the ones that day implies, and
//! what they are compared with is counted by the simulator or timed by the test, not read
//! from the figures' own side.
//!
//! Both tests run on tokio's paused clock: the 40 ms, the re-send time-outs, the outage and
//! the incident thresholds pass in virtual time, so the figures come out exact whatever the machine's load,
//! and the day takes a fraction of its length. The engine's clock and the store follow it
//! (`TokioClock`, `holding_paused_clocks`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hongyan_cmpp_proto::session::SessionConfig;
use hongyan_engine::quality::minute_of;
use hongyan_engine::{ChannelSpec, Engine, NumberResult, SendRequest};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::{Counters, ReportBook, Scenario};
use hongyan_store::{MessageStatus, Store, Timestamp};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::Instant;

const SECRET: &str = "s3cret";
const LATENCY: Duration = Duration::from_millis(40);
const MESSAGES: usize = 150;

fn sim_config() -> CmppSimConfig {
    let scenario = Scenario {
        submit_latency: LATENCY,
        silent_every: Some(10),
        report_delay: Duration::from_millis(20),
        ..Scenario::default()
    };
    CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), SECRET.to_owned())]),
        scenario,
        gateway_code: 1001,
        session: Default::default(),
    }
}

/// Serves the simulator on `addr` until `stop` is sent (binding again after a stop may need
/// a few tries while the old socket goes).
async fn serve_sim(sim: Arc<CmppSim>, addr: SocketAddr) -> watch::Sender<bool> {
    let listener = loop {
        match TcpListener::bind(addr).await {
            Ok(l) => break l,
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    };
    let (stop, rx) = watch::channel(false);
    tokio::spawn(sim.serve(listener, rx));
    stop
}

fn channel(addr: SocketAddr) -> ChannelConfig {
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
            secret: SECRET.into(),
            src_id: "10690001".into(),
            service_id: "TEST".into(),
            session: SessionConfig {
                window: 8,
                response_timeout: Duration::from_millis(400),
                keepalive_idle: Duration::from_millis(300),
                ..SessionConfig::default()
            },
        }),
    }
}

async fn until(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Instant {
    let t0 = Instant::now();
    while !check() {
        assert!(t0.elapsed() < limit, "{what} did not happen within {limit:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Instant::now()
}

#[tokio::test(start_paused = true)]
async fn latency_loss_jitter_and_availability_are_what_the_simulated_day_implies() {
    let dir = std::env::temp_dir().join(format!("hongyan-gw-quality-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap().holding_paused_clocks());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, mut rx) =
        Engine::new(store.clone(), Arc::new(hongyan_engine::TokioClock::new()), &[spec]).await.unwrap();
    let account = engine.create_account("test").await.unwrap().account.id;
    engine.sign_with(account, "测试", "").await.unwrap();
    let from = minute_of(engine.clock().now());

    let addr = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let sim = CmppSim::new(sim_config(), ReportBook::in_memory());
    let stop_sim = serve_sim(sim.clone(), addr).await;
    let (stop, stop_rx) = watch::channel(false);
    let gw = tokio::spawn(run_channel(channel(addr), engine.clone(), rx.remove(0).1, stop_rx));
    let logins = || Counters::get(&sim.counters.logins);
    let first_up = until("the first login", Duration::from_secs(10), || logins() == 1).await;

    let to: Vec<String> = (0..MESSAGES).map(|i| format!("1390000{i:04}")).collect();
    let ids: Vec<_> = engine
        .accept(account, SendRequest::new(to, "验证码 1234", Category::VERIFICATION))
        .await
        .unwrap()
        .results
        .into_iter()
        .map(|r| match r {
            NumberResult::Accepted { message_id, .. } => message_id,
            other => panic!("{other:?}"),
        })
        .collect();
    let delivered = || async {
        let mut n = 0;
        for id in &ids {
            n +=
                usize::from(store.get_message(account, *id).await.unwrap().unwrap().status == MessageStatus::Delivered);
        }
        n
    };
    let t0 = Instant::now();
    while delivered().await < MESSAGES {
        assert!(t0.elapsed() < Duration::from_secs(30), "not all delivered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Idle long enough for keep-alive probes.
    tokio::time::sleep(Duration::from_millis(900)).await;

    // The gateway goes away for 2.5 s; it is back when the simulator sees the next login.
    stop_sim.send(true).unwrap();
    let killed = Instant::now();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _stop_again = serve_sim(sim.clone(), addr).await;
    let back = until("the login after the outage", Duration::from_secs(20), || logins() == 2).await;
    tokio::time::sleep(Duration::from_millis(600)).await;

    stop.send(true).unwrap();
    gw.await.unwrap();
    let ended = Instant::now();
    engine.save_link_quality(true).await.unwrap();

    let until_ts = Timestamp::from_millis(engine.clock().now().as_millis() + 120_000);
    let points = engine.link_quality("mobile", None, from, until_ts, Duration::from_secs(3600)).await.unwrap();
    let p = &points[0];
    let t = &p.total;
    let silenced = Counters::get(&sim.counters.silenced);
    let transmissions = Counters::get(&sim.counters.submits);
    eprintln!("{t:?}\nsilenced {silenced} of {transmissions}");

    // Loss: every transmission the simulator left unanswered is a re-send or a give-up.
    assert!(silenced >= 10, "the scenario left {silenced} unanswered");
    assert_eq!(t.resends + t.unanswered, silenced, "each unanswered transmission counted once");
    assert_eq!(t.submits as usize, MESSAGES, "first sends");
    assert_eq!(t.submits + t.resends, transmissions, "first sends and re-sends are what the simulator received");
    let loss = p.loss().unwrap();
    assert!((0.07..=0.13).contains(&loss), "loss {loss}");

    // Latency: the simulator's 40 ms (the histogram reads at most a fifth high); probes are
    // answered at once, so they pull the low end only.
    assert!(t.probes >= 1, "keep-alive probes measured");
    let p50 = p.rtt_ms(0.5).unwrap();
    assert!((40.0..=52.0).contains(&p50), "p50 {p50} ms");
    let max = t.rtt_max_us as f64 / 1000.0;
    assert!((40.0..400.0).contains(&max), "max {max} ms: a re-sent request is not a round trip");
    let jitter = p.jitter_ms().unwrap();
    assert!(jitter < 25.0, "jitter {jitter} ms");

    // Availability: up from the first login to the stop, less the outage as the simulator saw it.
    let outage = back.duration_since(killed);
    let expected_up = ended.duration_since(first_up) - outage;
    let up = Duration::from_millis(u64::from(t.up_ms));
    let off = up.abs_diff(expected_up);
    assert!(off < Duration::from_millis(300), "up {up:?}, expected {expected_up:?} (outage {outage:?})");
    assert_eq!(t.drops, 1, "the outage is one link lost");
    assert_eq!((t.accepted, t.refused), (MESSAGES as u32, 0));
    assert!(t.in_flight_max >= 2 && t.in_flight_max <= 8, "window use {}", t.in_flight_max);

    // The one connection's own rows, kept beside the channel's: the same day, seen from it.
    let conn = engine.link_quality("mobile", Some(0), from, until_ts, Duration::from_secs(3600)).await.unwrap();
    let c = &conn[0].total;
    assert_eq!(
        (c.submits, c.resends, c.unanswered, c.drops, c.rtt.count(), c.in_flight_max),
        (t.submits, t.resends, t.unanswered, t.drops, t.rtt.count(), t.in_flight_max)
    );
    assert!(u64::from(c.up_ms.abs_diff(t.up_ms)) < 50, "connection up {} ms, channel {} ms", c.up_ms, t.up_ms);
    assert!(engine.link_quality("mobile", Some(1), from, until_ts, Duration::from_secs(3600)).await.unwrap()[0]
        .total
        .is_empty());
}

/// Runs the incident watcher every 100 ms until the test ends.
fn watch(engine: &Arc<Engine>) {
    let engine = Arc::downgrade(engine);
    tokio::spawn(async move {
        while let Some(e) = engine.upgrade() {
            e.watch_incidents().await.unwrap();
            drop(e);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
}

async fn open_incidents(store: &Arc<dyn Store>) -> Vec<hongyan_store::Incident> {
    let filter = hongyan_store::IncidentFilter {
        from: None,
        to: None,
        open_only: false,
        account_id: None,
        channel: Some("mobile".into()),
        limit: 10,
    };
    store.incidents(filter).await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn an_outage_opens_an_incident_that_recovery_fixes_and_refusals_open_another() {
    let dir = std::env::temp_dir().join(format!("hongyan-gw-incident-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap().holding_paused_clocks());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, mut rx) =
        Engine::new(store.clone(), Arc::new(hongyan_engine::TokioClock::new()), &[spec]).await.unwrap();
    engine.set_incident_rules(hongyan_engine::incidents::IncidentRules {
        down_after: Duration::from_secs(1),
        failure_share: 0.5,
        failure_min: 5,
        failure_window: Duration::from_secs(60),
    });
    let account = engine.create_account("test").await.unwrap().account.id;
    engine.sign_with(account, "测试", "").await.unwrap();
    let addr = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let mut cfg = sim_config();
    cfg.scenario = Scenario { report_delay: Duration::from_millis(20), ..Scenario::default() };
    let sim = CmppSim::new(cfg, ReportBook::in_memory());
    let stop_sim = serve_sim(sim.clone(), addr).await;
    let (stop, stop_rx) = watch::channel(false);
    let gw = tokio::spawn(run_channel(channel(addr), engine.clone(), rx.remove(0).1, stop_rx));
    watch(&engine);
    let logins = || Counters::get(&sim.counters.logins);
    until("the first login", Duration::from_secs(10), || logins() == 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(open_incidents(&store).await.is_empty(), "no incident while the link is up");

    stop_sim.send(true).unwrap();
    let t0 = Instant::now();
    let incident = loop {
        if let Some(i) = open_incidents(&store).await.pop() {
            break i;
        }
        assert!(t0.elapsed() < Duration::from_secs(10), "no incident after the outage");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(t0.elapsed() >= Duration::from_millis(900), "opened before the threshold: {:?}", t0.elapsed());
    assert_eq!(incident.opened.kind, hongyan_store::IncidentKind::ChannelDown);
    assert_eq!((incident.opened.opened_by.as_str(), incident.fixed_at), ("system", None));
    assert!(incident.opened.symptom.contains("no link of channel mobile up"), "{}", incident.opened.symptom);

    // Back, refusing every submit: the outage is fixed at the login, and the refusals open
    // an incident of their own.
    let mut failing = sim_config();
    failing.scenario = Scenario { fail_every: Some(1), ..Scenario::default() };
    let failing = CmppSim::new(failing, ReportBook::in_memory());
    let _stop_again = serve_sim(failing.clone(), addr).await;
    until("the login after the outage", Duration::from_secs(20), || Counters::get(&failing.counters.logins) == 1).await;
    let back = engine.clock().now();
    let to: Vec<String> = (0..8).map(|i| format!("1390000{i:04}")).collect();
    engine.accept(account, SendRequest::new(to, "通知", Category::NOTIFICATION)).await.unwrap();
    let t0 = Instant::now();
    loop {
        let all = open_incidents(&store).await;
        let fixed =
            all.iter().find(|i| i.opened.kind == hongyan_store::IncidentKind::ChannelDown).and_then(|i| i.fixed_at);
        let failing = all.iter().find(|i| i.opened.kind == hongyan_store::IncidentKind::FailureRate);
        if let (Some(fixed), Some(failing)) = (fixed, failing) {
            assert!((fixed.as_millis() - back.as_millis()).abs() < 1000, "fixed at the login");
            assert!(failing.opened.symptom.contains("refused 100 %"), "{}", failing.opened.symptom);
            assert_eq!(failing.fixed_at, None);
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(20), "{all:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    gw.await.unwrap();
}
