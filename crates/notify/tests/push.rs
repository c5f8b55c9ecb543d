//! The pusher against a real HTTP receiver on a real socket, over a real SQLite store, on
//! tokio's paused clock: the back-off and the retry period pass in virtual time, measured by
//! the engine's `TokioClock`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hongyan_engine::auth::NewCredential;
use hongyan_engine::{ChannelSpec, DispatchReceiver, Engine, SendRequest, TokioClock};
use hongyan_notify::{sign, PushSettings};
use hongyan_store::{ReportIn, Store, SubmitOutcome};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, Timestamp};
use serde_json::Value;
use tokio::sync::watch;

/// A callback receiver that answers 500 to the first `fail` requests (and to all while
/// `fail` is `usize::MAX`), and keeps everything it was sent.
#[derive(Clone, Default)]
struct Receiver {
    fail: Arc<AtomicUsize>,
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.got.lock().unwrap().push((headers, body));
    let left = r.fail.load(Ordering::SeqCst);
    if left == usize::MAX {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if left > 0 {
        r.fail.store(left - 1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::OK
}

async fn start_receiver(fail: usize) -> (Receiver, String) {
    let r = Receiver { fail: Arc::new(AtomicUsize::new(fail)), ..Receiver::default() };
    let app = axum::Router::new().route("/cb", axum::routing::post(receive)).with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/cb", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r, url)
}

struct Platform {
    /// The store beneath, to look at and change what the pusher works on.
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    _queues: Vec<(String, DispatchReceiver)>,
}

async fn platform(dir: &Path) -> Platform {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap().holding_paused_clocks());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (engine, queues) = Engine::new(store.clone(), Arc::new(TokioClock::new()), &[spec]).await.unwrap();
    Platform { store, engine, _queues: queues }
}

fn fresh_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hongyan-notify-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Sends `n` one-segment messages and delivers a report for each: `n` feed events.
async fn reports_for(engine: &Engine, account: &NewCredential, n: usize, tag: &str) -> Vec<hongyan_types::MessageId> {
    let to: Vec<String> = (0..n).map(|i| format!("138{:08}", i)).collect();
    let out = engine
        .accept(account.account.id, SendRequest::new(to, "您的申报已受理", Category::NOTIFICATION))
        .await
        .unwrap();
    let now = Timestamp::from_system(std::time::SystemTime::now());
    let mut outcomes = Vec::new();
    let mut reports = Vec::new();
    let mut ids = Vec::new();
    for (i, r) in out.results.iter().enumerate() {
        let hongyan_engine::NumberResult::Accepted { message_id, .. } = r else { panic!("{r:?}") };
        ids.push(*message_id);
        let carrier_msg_id = format!("{tag}-{i}");
        outcomes.push(SubmitOutcome {
            message_id: *message_id,
            segment: 1,
            carrier_msg_id: Some(carrier_msg_id.clone()),
            result: 0,
            error: None,
            at: now,
        });
        let raw = "stat:DELIVRD".to_owned();
        reports.push(ReportIn {
            channel: "mobile".into(),
            carrier_msg_id,
            stat: "DELIVRD".into(),
            done_at: None,
            received_at: now,
            raw,
        });
    }
    engine.submit_outcomes(outcomes).await.unwrap();
    engine.reports(reports).await.unwrap();
    ids
}

async fn account(engine: &Engine, url: &str) -> (NewCredential, String) {
    let cred = engine.create_account("etax").await.unwrap();
    engine.sign_with(cred.account.id, "某省税务局", "").await.unwrap();
    let cb = hongyan_notify::set_callback(engine, &hongyan_engine::admin::Actor::cli(), cred.account.id, Some(url))
        .await
        .unwrap()
        .unwrap();
    (cred, cb.secret)
}

fn start_pusher(engine: &Arc<Engine>, settings: PushSettings) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop, stopped) = watch::channel(false);
    let task = tokio::spawn(hongyan_notify::run(engine.clone(), settings, stopped));
    (stop, task)
}

fn quick() -> PushSettings {
    PushSettings {
        batch: 4,
        timeout: Duration::from_secs(2),
        max_backoff: Duration::from_secs(1),
        ..PushSettings::default()
    }
}

/// Every batch received: its signature checked with the secret, its events by `seq`.
fn received(r: &Receiver, secret: &str) -> (Vec<u64>, usize) {
    let got = r.got.lock().unwrap();
    let mut seqs = Vec::new();
    for (headers, body) in got.iter() {
        let ts: i64 = headers[sign::TIMESTAMP_HEADER].to_str().unwrap().parse().unwrap();
        let now = Timestamp::from_system(std::time::SystemTime::now()).as_millis() / 1000;
        assert!((now - ts).abs() < 60, "the timestamp is the sending time");
        assert_eq!(headers[sign::SIGNATURE_HEADER].to_str().unwrap(), sign::signature(secret, ts, body), "signed");
        let events: Vec<Value> = serde_json::from_slice(body).unwrap();
        assert!(events.len() <= 4, "batches keep their size");
        for e in events {
            assert_eq!((e["type"].as_str(), e["stat"].as_str()), (Some("report"), Some("DELIVRD")), "{e}");
            seqs.push(e["seq"].as_str().unwrap().parse().unwrap());
        }
    }
    (seqs, got.len())
}

async fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(start_paused = true)]
async fn a_receiver_that_fails_for_a_while_gets_everything_in_order() {
    let (recv, url) = start_receiver(2).await;
    let p = platform(&fresh_dir("recover")).await;
    let (cred, secret) = account(&p.engine, &url).await;
    let (stop, task) = start_pusher(&p.engine, quick());
    let ids = reports_for(&p.engine, &cred, 10, "a").await;
    // Every one of the 10 events arrived at least once (the refused batch came again: its
    // events show twice, and not next to each other, so they are counted once here).
    wait_for("10 events", || {
        let (mut unique, _) = received(&recv, &secret);
        unique.sort_unstable();
        unique.dedup();
        unique.len() >= 10
    })
    .await;
    let (seqs, posts) = received(&recv, &secret);
    // Two refused POSTs carried the first batch; it came again unchanged, then the rest. A
    // POST that timed out on a loaded machine may repeat a batch (at least once): so check
    // that every event came, and in order of first arrival.
    assert!(posts >= 5, "{posts} posts");
    assert_eq!(seqs[..4], seqs[4..8], "the refused batch is sent again unchanged");
    let mut first_seen = Vec::new();
    for s in &seqs {
        if !first_seen.contains(s) {
            first_seen.push(*s);
        }
    }
    assert_eq!(first_seen.len(), 10, "{seqs:?}");
    assert!(first_seen.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
    // The first message's detail lists every POST that carried its report: two refused, then
    // the one the receiver took.
    let tried = p.store.push_attempts_for(ids[0]).await.unwrap();
    assert!(tried.len() >= 3, "{tried:?}");
    assert!(tried[0].error.is_some() && tried[1].error.is_some(), "{tried:?}");
    assert!(tried.iter().any(|a| a.error.is_none()) && tried.iter().all(|a| a.url == url), "{tried:?}");
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_restart_in_the_middle_of_a_retry_series_loses_nothing() {
    let dir = fresh_dir("restart");
    let (recv, url) = start_receiver(usize::MAX).await;
    let p = platform(&dir).await;
    let (cred, secret) = account(&p.engine, &url).await;
    reports_for(&p.engine, &cred, 3, "b").await;
    let (stop, task) = start_pusher(&p.engine, quick());
    wait_for("a refused attempt", || recv.got.lock().unwrap().len() >= 2).await;
    stop.send(true).unwrap();
    task.await.unwrap();
    let due = p.store.push_targets(Timestamp::from_millis(i64::MAX / 2), 10).await.unwrap();
    assert!(due[0].attempts >= 2 && due[0].failing_since.is_some(), "the series is in the store: {due:?}");
    p.store.close().await.unwrap();
    drop(p);

    recv.fail.store(0, Ordering::SeqCst);
    let p = platform(&dir).await;
    let (stop, task) = start_pusher(&p.engine, quick());
    let refused = recv.got.lock().unwrap().len();
    wait_for("delivery after the restart", || recv.got.lock().unwrap().len() > refused).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (seqs, _) = received(&recv, &secret);
    let after: std::collections::BTreeSet<u64> = seqs[refused * 3..].iter().copied().collect();
    assert_eq!(after.len(), 3, "all three events, from where the series stood: {seqs:?}");
    assert!(p.store.push_targets(Timestamp::from_millis(i64::MAX / 2), 10).await.unwrap().is_empty());
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_batch_given_up_is_listed_and_can_be_sent_again() {
    let (recv, url) = start_receiver(usize::MAX).await;
    let p = platform(&fresh_dir("giveup")).await;
    let (cred, secret) = account(&p.engine, &url).await;
    reports_for(&p.engine, &cred, 2, "c").await;
    let settings = PushSettings { retry_for: Duration::from_millis(1500), ..quick() };
    let (stop, task) = start_pusher(&p.engine, settings);
    let store = p.store.clone();
    let mut failures = Vec::new();
    for _ in 0..100 {
        failures = store.push_failures(Some(cred.account.id)).await.unwrap();
        if !failures.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(failures.len(), 1, "given up after the retry period");
    assert_eq!(failures[0].error, "HTTP 500");
    let before = recv.got.lock().unwrap().len();
    recv.fail.store(0, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(recv.got.lock().unwrap().len(), before, "nothing is owed once given up");

    assert!(store.resend_push_failure(failures[0].id, Timestamp::from_millis(0)).await.unwrap());
    p.engine.feed_changed().notify_waiters();
    wait_for("the re-sent batch", || recv.got.lock().unwrap().len() > before).await;
    let (first, last): (Vec<Value>, Vec<Value>) = {
        let got = recv.got.lock().unwrap();
        (serde_json::from_slice(&got[0].1).unwrap(), serde_json::from_slice(&got.last().unwrap().1).unwrap())
    };
    let ids = |v: &[Value]| v.iter().map(|e| e["message_id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&last), ids(&first), "the same reports, under new positions");
    assert_ne!(last[0]["seq"], first[0]["seq"]);
    let _ = received(&recv, &secret);
    let mut by_type = HashMap::new();
    for e in &last {
        *by_type.entry(e["type"].as_str().unwrap().to_owned()).or_insert(0) += 1;
    }
    assert_eq!(by_type.get("report"), Some(&2));
    stop.send(true).unwrap();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_request_may_name_its_own_callback_when_the_account_has_that_right() {
    let (account_recv, account_url) = start_receiver(0).await;
    let (request_recv, request_url) = start_receiver(0).await;
    let p = platform(&fresh_dir("per-request")).await;
    let (cred, secret) = account(&p.engine, &account_url).await;
    let mut req = SendRequest::new(vec!["13900139000".into()], "您的申报已受理", Category::NOTIFICATION);
    req.callback_url = Some(request_url.clone());
    let refused = p.engine.accept(cred.account.id, req.clone()).await;
    assert!(matches!(refused, Err(hongyan_engine::AcceptError::CallbackNotAllowed)), "{refused:?}");
    assert!(p.store.set_callback_per_request(cred.account.id, true).await.unwrap());

    reports_for(&p.engine, &cred, 2, "d").await;
    let out = p.engine.accept(cred.account.id, req).await.unwrap();
    let hongyan_engine::NumberResult::Accepted { message_id, .. } = out.results[0] else { panic!() };
    let now = Timestamp::from_system(std::time::SystemTime::now());
    let sub =
        SubmitOutcome { message_id, segment: 1, carrier_msg_id: Some("own".into()), result: 0, error: None, at: now };
    p.engine.submit_outcomes(vec![sub]).await.unwrap();
    let report = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "own".into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at: now,
        raw: String::new(),
    };
    p.engine.reports(vec![report]).await.unwrap();
    reports_for(&p.engine, &cred, 1, "e").await;

    let (stop, task) = start_pusher(&p.engine, quick());
    wait_for("three reports to the account's URL", || received(&account_recv, &secret).0.len() >= 3).await;
    wait_for("one report to the request's URL", || !received(&request_recv, &secret).0.is_empty()).await;
    let own: Vec<Value> = serde_json::from_slice(&request_recv.got.lock().unwrap()[0].1).unwrap();
    assert_eq!(own[0]["message_id"], message_id.to_string(), "the request's report went to the request's URL");
    let (account_seqs, _) = received(&account_recv, &secret);
    assert!(account_seqs.windows(2).all(|w| w[0] < w[1]), "in order around the other URL: {account_seqs:?}");
    stop.send(true).unwrap();
    task.await.unwrap();
}
