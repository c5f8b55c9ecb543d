//! Every carrier protocol against its simulator over real TCP, on a carrier's bad day:
//! throttling, dropped connections, duplicate reports, reports that overtake their response,
//! and a mix of final states. Whatever happens, every accepted message reaches the state the
//! carrier reported, and none is lost.

use hongyan_store::prelude::*;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::{ChannelSpec, DispatchReceiver, Engine, NumberResult, SendRequest};
use hongyan_gateway::cmpp::CmppSettings;
use hongyan_gateway::sgip::SgipSettings;
use hongyan_gateway::smgp::SmgpSettings;
use hongyan_gateway::smpp::SmppSettings;
use hongyan_gateway::{run_channel, ChannelConfig, ProtocolConfig};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::sgip::{SgipAccount, SgipSim, SgipSimConfig};
use hongyan_sim::smgp::{SmgpSim, SmgpSimConfig};
use hongyan_sim::smpp::{SmppSim, SmppSimConfig};
use hongyan_sim::{Counters, Outcome, ReportBook, Scenario};
use hongyan_store::{MessageId, MessageStatus, Store};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};
use tokio::net::TcpListener;
use tokio::sync::watch;

#[derive(Clone, Copy, Debug)]
enum Proto {
    Cmpp,
    Smgp,
    Sgip,
    Smpp,
}

const LOGIN: &str = "901234";
const SECRET: &str = "s3cret";

async fn engine(tag: &str) -> (Arc<Engine>, DispatchReceiver, Arc<dyn Store>) {
    let db = db_path(tag);
    let _ = std::fs::remove_dir_all(db.parent().unwrap());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).unwrap().holding_paused_clocks());
    let spec = ChannelSpec::new("ch", &[Carrier::ChinaMobile]);
    let (engine, mut rx) =
        Engine::new(store.clone(), Arc::new(hongyan_engine::TokioClock::new()), &[spec]).await.unwrap();
    // Account 1, signed for every category, with extension code 01.
    let account = engine.create_account("test").await.unwrap().account.id;
    engine.sign_with(account, "测试", "01").await.unwrap();
    (engine, rx.remove(0).1, store)
}

fn db_path(tag: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("hongyan-scn-{tag}-{}", std::process::id())).join("db")
}

async fn free_addr() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap()
}

/// Starts the simulator; returns its address, its counters and (for SGIP) our listen address.
async fn start_sim(proto: Proto, scenario: Scenario) -> (SocketAddr, Arc<dyn Fn() -> Snap + Send + Sync>, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = watch::channel(false);
    std::mem::forget(stop);
    let accounts = HashMap::from([(LOGIN.to_owned(), SECRET.to_owned())]);
    let our_listen = free_addr().await;
    let counters: Arc<dyn Fn() -> Snap + Send + Sync> = match proto {
        Proto::Cmpp => {
            let cfg = CmppSimConfig { accounts, scenario, gateway_code: 1001, session: Default::default() };
            let sim = CmppSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, rx));
            Arc::new(move || counts(&sim.counters))
        }
        Proto::Smgp => {
            let cfg = SmgpSimConfig { accounts, scenario, gateway_code: 10061, session: Default::default() };
            let sim = SmgpSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, rx));
            Arc::new(move || counts(&sim.counters))
        }
        Proto::Smpp => {
            let cfg = SmppSimConfig { accounts, scenario, session: Default::default() };
            let sim = SmppSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, rx));
            Arc::new(move || counts(&sim.counters))
        }
        Proto::Sgip => {
            let account = SgipAccount { password: SECRET.into(), report_to: Some(our_listen), report_tls: None };
            let session = hongyan_sgip_proto::session::SessionConfig { node_id: 1_010_001, ..Default::default() };
            let cfg = SgipSimConfig { accounts: HashMap::from([(LOGIN.to_owned(), account)]), scenario, session };
            let sim = SgipSim::new(cfg, ReportBook::in_memory());
            tokio::spawn(sim.clone().serve(listener, rx));
            Arc::new(move || counts(&sim.counters))
        }
    };
    (addr, counters, our_listen)
}

/// What a simulator counted.
#[derive(Debug, Clone, Copy)]
struct Snap {
    submits: u32,
    throttled: u32,
    mo_acked: u32,
    dropped: u32,
}

fn counts(c: &Counters) -> Snap {
    Snap {
        submits: Counters::get(&c.submits),
        throttled: Counters::get(&c.throttled),
        mo_acked: Counters::get(&c.mo_acked),
        dropped: Counters::get(&c.dropped),
    }
}

fn channel(proto: Proto, addr: SocketAddr, our_listen: SocketAddr) -> ChannelConfig {
    let protocol = match proto {
        Proto::Cmpp => ProtocolConfig::Cmpp(CmppSettings {
            sp_id: LOGIN.into(),
            secret: SECRET.into(),
            src_id: "1069".into(),
            service_id: "T".into(),
            session: hongyan_cmpp_proto::session::SessionConfig {
                response_timeout: Duration::from_millis(500),
                ..Default::default()
            },
        }),
        Proto::Smgp => ProtocolConfig::Smgp(SmgpSettings {
            client_id: LOGIN.into(),
            secret: SECRET.into(),
            src_term_id: "1069".into(),
            service_id: "T".into(),
            session: hongyan_smgp_proto::session::SessionConfig {
                response_timeout: Duration::from_millis(500),
                ..Default::default()
            },
        }),
        Proto::Sgip => ProtocolConfig::Sgip(SgipSettings {
            login_name: LOGIN.into(),
            password: SECRET.into(),
            sp_number: "1065".into(),
            corp_id: "12345".into(),
            service_type: "T".into(),
            listen: our_listen,
            listen_tls: None,
            session: hongyan_sgip_proto::session::SessionConfig {
                node_id: 3_000_000_001,
                response_timeout: Duration::from_millis(500),
                ..Default::default()
            },
        }),
        Proto::Smpp => ProtocolConfig::Smpp(SmppSettings {
            system_id: LOGIN.into(),
            password: SECRET.into(),
            system_type: String::new(),
            source: "1069".into(),
            service_type: String::new(),
            session: hongyan_smpp_proto::session::SessionConfig {
                response_timeout: Duration::from_millis(500),
                ..Default::default()
            },
        }),
    };
    ChannelConfig {
        name: "ch".into(),
        addr,
        tls: None,
        connections: 2,
        rate: None,
        simulated: true,
        protocol,
        failover_after: Duration::from_secs(30),
    }
}

/// Sends `n` messages through a channel to the simulator and waits until every one is final.
type Snapshot = Arc<dyn Fn() -> Snap + Send + Sync>;

async fn run(proto: Proto, tag: &str, scenario: Scenario, n: usize) -> (Vec<MessageStatus>, Snapshot) {
    let (addr, counters, our_listen) = start_sim(proto, scenario).await;
    let (engine, queue, store) = engine(tag).await;
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(channel(proto, addr, our_listen), engine.clone(), queue, stop_rx));
    let numbers: Vec<String> = (0..n).map(|i| format!("1380013{i:04}")).collect();
    let req = SendRequest::new(numbers, "您的验证码是 123456", Category::VERIFICATION);
    let ids: Vec<MessageId> = engine
        .accept(1, req)
        .await
        .unwrap()
        .results
        .iter()
        .map(|r| match r {
            NumberResult::Accepted { message_id, .. } => *message_id,
            other => panic!("{other:?}"),
        })
        .collect();
    // One deadline for the whole run, not one per message: on a loaded machine a slow report
    // is late, not lost, and the test must tell the two apart.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let mut statuses = Vec::new();
    for id in &ids {
        let mut status = MessageStatus::Accepted;
        while tokio::time::Instant::now() < deadline {
            status = store.get_message(1, *id).await.unwrap().unwrap().status;
            if status.is_final() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        statuses.push(status);
    }
    (statuses, counters)
}

fn scenario() -> Scenario {
    Scenario { report_delay: Duration::from_millis(20), ..Scenario::default() }
}

const ALL: [Proto; 4] = [Proto::Cmpp, Proto::Smgp, Proto::Sgip, Proto::Smpp];

#[tokio::test(start_paused = true)]
async fn outcome_mix_reaches_each_message() {
    for proto in ALL {
        let outcomes = vec![
            Outcome { stat: "DELIVRD".into(), err: "000".into(), weight: 3 },
            Outcome { stat: "UNDELIV".into(), err: "005".into(), weight: 1 },
        ];
        let (statuses, snap) = run(proto, &format!("mix-{proto:?}"), Scenario { outcomes, ..scenario() }, 8).await;
        let submits = snap().submits;
        let delivered = statuses.iter().filter(|s| **s == MessageStatus::Delivered).count();
        let undelivered = statuses.iter().filter(|s| **s == MessageStatus::Undelivered).count();
        assert_eq!((delivered, undelivered), (6, 2), "{proto:?}: {statuses:?}");
        assert_eq!(submits, 8, "{proto:?}: each message submitted once");
    }
}

#[tokio::test(start_paused = true)]
async fn throttling_slows_down_and_loses_nothing() {
    // Side by side: each simulator throttles its own link, and the runs wait on its pace.
    let runs = ALL.map(|proto| async move {
        let (statuses, snap) =
            run(proto, &format!("throttle-{proto:?}"), Scenario { rate_limit: Some(10), ..scenario() }, 30).await;
        (proto, statuses, snap().submits, snap().throttled)
    });
    for (proto, statuses, submits, throttled) in futures_join(runs).await {
        assert!(statuses.iter().all(|s| *s == MessageStatus::Delivered), "{proto:?}: {statuses:?}");
        assert!(throttled > 0, "{proto:?}: the simulator did throttle");
        assert_eq!(submits, 30 + throttled, "{proto:?}: throttled submits were retried, nothing else was sent twice");
    }
}

#[tokio::test(start_paused = true)]
async fn dropped_connections_resend_what_was_in_flight() {
    for proto in ALL {
        let (statuses, snap) =
            run(proto, &format!("drop-{proto:?}"), Scenario { drop_every: Some(7), ..scenario() }, 20).await;
        let submits = snap().submits;
        assert!(statuses.iter().all(|s| *s == MessageStatus::Delivered), "{proto:?}: {statuses:?}");
        assert!(submits > 20, "{proto:?}: the unanswered submits were sent again ({submits})");
    }
}

#[tokio::test(start_paused = true)]
async fn reports_that_overtake_their_response_are_applied() {
    for proto in ALL {
        let tag = format!("early-{proto:?}");
        let (statuses, _) = run(proto, &tag, Scenario { report_before_response: true, ..scenario() }, 10).await;
        assert!(statuses.iter().all(|s| *s == MessageStatus::Delivered), "{proto:?}: {statuses:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn duplicate_reports_change_nothing() {
    for proto in ALL {
        let (statuses, _) =
            run(proto, &format!("dup-{proto:?}"), Scenario { duplicate_reports: true, ..scenario() }, 5).await;
        assert!(statuses.iter().all(|s| *s == MessageStatus::Delivered), "{proto:?}: {statuses:?}");
    }
}

/// Replies dialled to the channel's number plus the account's extension code: "TD" and
/// "退订" unsubscribe the two numbers from that account's marketing, on every protocol.
#[tokio::test(start_paused = true)]
async fn td_replies_unsubscribe_on_every_protocol() {
    for proto in ALL {
        let to = format!("{}01", if matches!(proto, Proto::Sgip) { "1065" } else { "1069" });
        let mo = vec![
            hongyan_sim::MoMessage { from: "13800138000".into(), text: "TD".into(), to: to.clone() },
            hongyan_sim::MoMessage { from: "13900139000".into(), text: "退订".into(), to },
        ];
        let tag = format!("mo-{proto:?}");
        let (statuses, snap) = run(proto, &tag, Scenario { mo, ..scenario() }, 1).await;
        assert_eq!(statuses, [MessageStatus::Delivered], "{proto:?}");
        for _ in 0..100 {
            if snap().mo_acked >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(snap().mo_acked, 2, "{proto:?}: both replies were acted on and acknowledged");
        // A second connection to the same database file, as an administrator's tool would open.
        let store = SqliteStore::open(&db_path(&tag)).unwrap();
        let asked = vec!["13800138000".to_owned(), "13900139000".to_owned(), "13700137000".to_owned()];
        let mut gone = store.unsubscribed(1, asked).await.unwrap();
        gone.sort();
        assert_eq!(gone, ["13800138000", "13900139000"], "{proto:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn transient_refusals_are_retried_and_persistent_ones_fail_with_the_error() {
    // All eight runs side by side: each waits on its retries' back-off, not on the CPU.
    let transient = ALL.map(|proto| async move {
        let (statuses, snap) =
            run(proto, &format!("transient-{proto:?}"), Scenario { fail_every: Some(3), ..scenario() }, 9).await;
        (proto, statuses, snap().submits)
    });
    // Refused every time: after three tries (1 s and 2 s apart) and no backup, the message fails.
    let persistent = ALL.map(|proto| async move {
        let (statuses, snap) =
            run(proto, &format!("persistent-{proto:?}"), Scenario { fail_every: Some(1), ..scenario() }, 1).await;
        (proto, statuses, snap().submits)
    });
    let (transient, persistent) = tokio::join!(futures_join(transient), futures_join(persistent));
    for (proto, statuses, submits) in transient {
        assert!(statuses.iter().all(|s| *s == MessageStatus::Delivered), "{proto:?}: {statuses:?}");
        assert!(submits > 9, "{proto:?}: refused submits were sent again");
    }
    for (proto, statuses, submits) in persistent {
        assert_eq!(statuses, [MessageStatus::Failed], "{proto:?}");
        assert_eq!(submits, 3, "{proto:?}: three attempts, then it gave up");
    }
}

/// Runs the four protocol runs at once (they wait on back-off timers, not on the CPU).
async fn futures_join<F: std::future::Future + Send + 'static>(fs: [F; 4]) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(start_paused = true)]
async fn a_bad_day_loses_nothing_and_duplicates_at_most_a_window_per_dropped_link() {
    const N: usize = 600;
    // A link dropped every 150 submits, and a rate limit that throttles about half of them.
    let bad_day = Scenario { drop_every: Some(150), rate_limit: Some(150), ..scenario() };
    let runs = ALL.map(|proto| {
        let bad_day = bad_day.clone();
        async move {
            let (statuses, snap) = run(proto, &format!("badday-{proto:?}"), bad_day, N).await;
            (proto, statuses, snap())
        }
    });
    for (proto, statuses, snap) in futures_join(runs).await {
        let not_delivered: Vec<_> = statuses.iter().filter(|s| **s != MessageStatus::Delivered).collect();
        assert!(
            not_delivered.is_empty(),
            "{proto:?}: nothing lost, but {} are {not_delivered:?}; {:?}",
            not_delivered.len(),
            snap
        );
        assert!(snap.throttled > 0 && snap.dropped > 0, "{proto:?}: it was a bad day: {snap:?}");
        // Each dropped link can have had a window of submits unanswered; only those are sent twice.
        let resent = snap.submits as usize - snap.throttled as usize - N;
        let window = 16 * snap.dropped as usize;
        assert!(resent <= window, "{proto:?}: {resent} re-sent for {} dropped links", snap.dropped);
        println!(
            "{proto:?}: {N} delivered; {} submits, {} throttled, {} links dropped, {resent} re-sent",
            snap.submits, snap.throttled, snap.dropped
        );
    }
}

/// SMSCs word receipts differently: the text in ASCII or in UCS-2 (data_coding 8), only the
/// receipted_message_id and message_state TLVs, or both. Each reads as delivered.
#[tokio::test(start_paused = true)]
async fn smpp_receipts_in_every_form_are_read() {
    use hongyan_sim::SmppReceiptForm as Form;
    let outcomes = vec![
        Outcome { stat: "DELIVRD".into(), err: "000".into(), weight: 3 },
        Outcome { stat: "UNDELIV".into(), err: "005".into(), weight: 1 },
    ];
    for form in [Form::Both, Form::AsciiText, Form::Ucs2Text, Form::TlvsOnly] {
        let scenario = Scenario { smpp_receipts: form, outcomes: outcomes.clone(), ..scenario() };
        let (statuses, _) = run(Proto::Smpp, &format!("receipts-{form:?}"), scenario, 4).await;
        // Two links take the messages in either order: count, not match.
        let delivered = statuses.iter().filter(|s| **s == MessageStatus::Delivered).count();
        let undelivered = statuses.iter().filter(|s| **s == MessageStatus::Undelivered).count();
        assert_eq!((delivered, undelivered), (3, 1), "{form:?}: {statuses:?}");
    }
}
