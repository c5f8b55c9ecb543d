//! A real CMPP link's timers on tokio's paused clock: keep-alive, the response time-out of a
//! submit, reconnecting. The spec's own values (C = 3 min idle, T = 60 s, N = 3 sends) run in
//! virtual time, so each test takes well under a second and measures them exactly, whatever
//! else the machine is doing. The ISMG is driven by hand over TCP and writes down when each
//! frame came.
//!
//! The store is opened with `holding_paused_clocks`: a task waiting for SQLite's writer
//! thread would otherwise let the paused clock jump ahead and fire time-outs early.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hongyan_cmpp_proto::pdu::{ActiveTestResp, ConnectResp};
use hongyan_cmpp_proto::{Frame, Pdu, Version};
use hongyan_engine::{ChannelSpec, DispatchReceiver, Engine, SendRequest, SystemClock};
use hongyan_gateway::run_channel;
use hongyan_store::Store;
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

/// The secret of `support::cmpp_channel`'s SP.
const SECRET: &str = "s";
/// The spec's C, T and N (cmpp.md §1), the session's defaults.
mod support;

const C: Duration = Duration::from_secs(180);
const T: Duration = Duration::from_secs(60);
/// The link's first reconnect delay at most; jitter makes it between half and all of it.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

async fn engine(tag: &str) -> (Arc<Engine>, DispatchReceiver) {
    let dir = std::env::temp_dir().join(format!("hongyan-gw-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap().holding_paused_clocks());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, mut rx) = Engine::new(store, Arc::new(SystemClock), &[spec]).await.unwrap();
    (engine, rx.remove(0).1)
}

/// What the ISMG saw, each with the (virtual) time it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Login,
    ActiveTest,
    /// A SUBMIT, with its Sequence_Id. Never answered.
    Submit(u32),
}

type Log = Arc<Mutex<Vec<(Instant, Seen)>>>;

async fn read_frame(s: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Frame> {
    loop {
        if let Ok(Some(len)) = Frame::check(buf, 4096) {
            let frame = Frame::decode(&buf[..len], Version::V30).ok();
            buf.drain(..len);
            return frame;
        }
        let mut chunk = [0u8; 1024];
        match s.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// An ISMG that logs the SP in and answers ACTIVE_TEST only if `answer` says so.
async fn ismg(listener: TcpListener, answer: bool, log: Log) {
    while let Ok((mut s, _)) = listener.accept().await {
        let mut buf = Vec::new();
        while let Some(frame) = read_frame(&mut s, &mut buf).await {
            let reply = match frame.pdu {
                Pdu::Connect(c) => {
                    log.lock().unwrap().push((Instant::now(), Seen::Login));
                    let auth =
                        hongyan_cmpp_proto::authenticator_ismg(0, &c.authenticator, SECRET.as_bytes(), Version::V30);
                    Pdu::ConnectResp(ConnectResp { status: 0, authenticator: auth, version: Version::V30 })
                }
                Pdu::ActiveTest => {
                    log.lock().unwrap().push((Instant::now(), Seen::ActiveTest));
                    if !answer {
                        continue;
                    }
                    Pdu::ActiveTestResp(ActiveTestResp { reserved: 0 })
                }
                Pdu::Submit(_) => {
                    log.lock().unwrap().push((Instant::now(), Seen::Submit(frame.sequence_id)));
                    continue;
                }
                _ => continue,
            };
            let bytes = Frame { sequence_id: frame.sequence_id, pdu: reply }.encode(Version::V30);
            if s.write_all(&bytes).await.is_err() {
                break;
            }
        }
    }
}

/// Runs a channel against the ISMG until `until` (virtual) has passed, with `messages` sent
/// once the link is up; what the ISMG saw, as offsets from the first login.
async fn run(tag: &str, answer: bool, messages: usize, until: Duration) -> Vec<(Duration, Seen)> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = Log::default();
    tokio::spawn(ismg(listener, answer, log.clone()));
    let (engine, queue) = engine(tag).await;
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(support::cmpp_channel("mobile", addr, 16), engine.clone(), queue, stop_rx));
    if messages > 0 {
        while log.lock().unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let account = engine.create_account("etax").await.unwrap().account.id;
        engine.sign_with(account, "某省税务局", "").await.unwrap();
        let to = (0..messages).map(|i| format!("1380013{i:04}")).collect();
        engine.accept(account, SendRequest::new(to, "验证码 1234", Category::VERIFICATION)).await.unwrap();
    }
    tokio::time::sleep(until).await;
    let seen = log.lock().unwrap().clone();
    let start = seen.first().expect("the link logged in").0;
    seen.into_iter().map(|(at, what)| (at - start, what)).collect()
}

/// `got` is `want` give or take 50 ms (the timer wheel's and the loop's own steps).
fn about(got: Duration, want: Duration) -> bool {
    got.abs_diff(want) <= Duration::from_millis(50)
}

#[tokio::test(start_paused = true)]
async fn an_idle_link_probes_every_c_and_answered_probes_keep_it_up() {
    let seen = run("keepalive-answered", true, 0, Duration::from_secs(10 * 60)).await;
    let logins = seen.iter().filter(|(_, s)| *s == Seen::Login).count();
    assert_eq!(logins, 1, "answered keep-alives keep the one link up: {seen:?}");
    let probes: Vec<Duration> = seen.iter().filter(|(_, s)| *s == Seen::ActiveTest).map(|(t, _)| *t).collect();
    assert_eq!(probes.len(), 3, "10 minutes idle hold three periods of C: {seen:?}");
    for (k, at) in probes.iter().enumerate() {
        assert!(about(*at, C * (k as u32 + 1)), "probe {k} at {at:?}, not after {:?} idle", C);
    }
}

#[tokio::test(start_paused = true)]
async fn unanswered_probes_are_sent_n_times_t_apart_then_the_link_reconnects() {
    let seen = run("keepalive-silent", false, 0, C + 3 * T + Duration::from_secs(5)).await;
    let times = |what: Seen| -> Vec<Duration> { seen.iter().filter(|(_, s)| *s == what).map(|(t, _)| *t).collect() };
    let probes = times(Seen::ActiveTest);
    assert!(probes.len() >= 3, "{seen:?}");
    for (k, at) in probes[..3].iter().enumerate() {
        assert!(about(*at, C + T * k as u32), "send {k} of the probe at {at:?}: C, then every T");
    }
    let logins = times(Seen::Login);
    assert_eq!(logins.len(), 2, "given up after N sends, the link logs in again: {seen:?}");
    let dead_at = C + 3 * T;
    let (earliest, latest) = (dead_at + FIRST_BACKOFF / 2, dead_at + FIRST_BACKOFF + Duration::from_millis(50));
    assert!(
        (earliest..=latest).contains(&logins[1]),
        "the new login came {:?} after the first; the link is dead at {dead_at:?}, back within {FIRST_BACKOFF:?}",
        logins[1]
    );
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_submit_is_sent_n_times_t_apart_then_submitted_afresh_not_lost() {
    let seen = run("submit-silent", true, 1, 3 * T + Duration::from_secs(5)).await;
    let submits: Vec<(Duration, u32)> = seen
        .iter()
        .filter_map(|(t, s)| match s {
            Seen::Submit(seq) => Some((*t, *seq)),
            _ => None,
        })
        .collect();
    assert!(submits.len() >= 4, "three sends and a fresh one: {seen:?}");
    let first = submits[0].0;
    for (k, (at, seq)) in submits[..3].iter().enumerate() {
        assert_eq!(*seq, submits[0].1, "a re-send keeps its Sequence_Id");
        assert!(
            about(*at - first, T * k as u32),
            "send {k} at {:?} after the first, not {:?}",
            *at - first,
            T * k as u32
        );
    }
    let (again, seq) = submits[3];
    assert_ne!(seq, submits[0].1, "given up after N sends, the message is submitted afresh");
    assert!(about(again - first, 3 * T), "and at once: {:?} after the first send", again - first);
}
