//! Records at scale: how fast the searches people run and the console's pages answer once the
//! store holds millions of messages.
//!
//! Seeds `--messages` (default 1,000,000; the records issue asks for 10,000,000) sealed
//! messages over 30 days into a real SQLite store, through the store's own insert (so the
//! daily and per-minute totals are counted by the writer as in production): 5 accounts, 40
//! senders, 200,000 recipients, the three networks and categories, three channels, 1 % failed.
//! Then every filter combination that walks an index is run `--runs` times (default 200) on
//! random picks, first page and a page deep in the middle, and the console's pages are asked
//! for in-process (the real router, a real session) at the same size. Prints p50/p99 per
//! search and per page; every answer is checked for what it must contain.
//!
//! Run: `cd bench && cargo run --release --bin records -- --messages 10000000`.

use hongyan_store::prelude::*;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use hongyan_api::{AppState, ConsoleSettings};
use hongyan_engine::{ChannelSpec, Engine, SystemClock};
use hongyan_store::{MessageFilter, MessageStatus, NewMessage, Provenance, Role, Store};
use hongyan_store_sqlite::seal::{new_entry, Algorithm, KeyRing};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, MessageId, Timestamp};
use tower::ServiceExt;

const ACCOUNTS: u64 = 5;
const SENDERS: u64 = 40;
const NUMBERS: u64 = 200_000;
const DAYS: i64 = 30;
const TEXT: &str = "【某省税务局】您本年度个人所得税综合所得汇算清缴已受理，请登录电子税务局查看办理进度。";
const CARRIERS: [Carrier; 3] = [Carrier::ChinaMobile, Carrier::ChinaUnicom, Carrier::ChinaTelecom];
const CATEGORIES: [Category; 3] = [Category::VERIFICATION, Category::NOTIFICATION, Category::MARKETING];

fn number(i: u64) -> String {
    format!("139{:08}", i % NUMBERS)
}

fn sender(i: u64) -> String {
    format!("key:HY{:016X}", i % SENDERS)
}

/// xorshift64*: the same picks every run.
struct Picks(u64);

impl Picks {
    fn next(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % below
    }
}

fn message(i: u64, start: Timestamp, step_ms: i64) -> NewMessage {
    let at = start.plus_millis(i as i64 * step_ms);
    NewMessage {
        id: MessageId::floor(at),
        account_id: (i % ACCOUNTS) as i64 + 1,
        to: number(i.wrapping_mul(7919)),
        carrier: CARRIERS[(i % 3) as usize],
        category: CATEGORIES[(i / 3 % 3) as usize],
        content: TEXT.into(),
        segments: 1,
        channel: ["mobile", "unicom", "telecom"][(i % 3) as usize].into(),
        source_ext: String::new(),
        accepted_at: at,
        send_at: None,
        callback_url: None,
        provenance: Provenance {
            sender: sender(i),
            interface: "http".into(),
            client_addr: "10.1.2.3".into(),
            client_ref: Some(format!("ref-{i}")),
            template_id: None,
        }
        .into(),
        unit_price: Some(hongyan_types::Money(400)),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

struct Args {
    messages: u64,
    runs: usize,
}

fn args() -> anyhow::Result<Args> {
    use lexopt::prelude::*;
    let mut a = Args { messages: 1_000_000, runs: 200 };
    let mut p = lexopt::Parser::from_env();
    while let Some(arg) = p.next()? {
        match arg {
            Long("messages") => a.messages = p.value()?.parse()?,
            Long("runs") => a.runs = p.value()?.parse()?,
            other => return Err(other.unexpected().into()),
        }
    }
    ensure!(a.messages >= 100_000, "at least 100,000 messages");
    Ok(a)
}

async fn seed(store: &SqliteStore, a: &Args, start: Timestamp, step: i64) -> anyhow::Result<Duration> {
    let began = Instant::now();
    let mut next = 0u64;
    while next < a.messages {
        let end = (next + 5_000).min(a.messages);
        store.insert_messages((next..end).map(|i| message(i, start, step)).collect(), None).await?;
        // One in a hundred fails at the carrier.
        let failed = (next..end).filter(|i| i % 100 == 7).map(|i| (message(i, start, step).id, "UNDELIV".into()));
        store.fail_messages(failed.collect(), start).await?;
        next = end;
    }
    Ok(began.elapsed())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let dir = std::env::temp_dir().join(format!("hongyan-bench-records-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let ring = KeyRing::parse(&new_entry(1), Algorithm::Aes256Gcm)?;
    let store = SqliteStore::open_with(&dir.join("db"), ring).context("store")?;
    for n in 1..=ACCOUNTS {
        store.create_account(&format!("account{n}"), Timestamp::from_millis(0)).await?;
    }
    let now = Timestamp::from_system(std::time::SystemTime::now());
    let start = now.plus_millis(-DAYS * 86_400_000);
    let step = (DAYS * 86_400_000 / a.messages as i64).max(1);
    let written = seed(&store, &a, start, step).await?;
    let size = std::fs::metadata(dir.join("db")).map(|m| m.len()).unwrap_or(0);
    println!(
        "records: {} messages over {DAYS} days written in {:.0} s = {:.0}/s (file {:.0} MiB)",
        a.messages,
        written.as_secs_f64(),
        a.messages as f64 / written.as_secs_f64(),
        size as f64 / 1_048_576.0
    );
    let store: Arc<dyn Store> = Arc::new(store);
    searches(&store, &a, start, step).await?;
    pages(store.clone(), &a).await?;
    store.close().await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// One filter combination, built from a random pick.
type Make = Box<dyn Fn(u64) -> MessageFilter>;

async fn searches(store: &Arc<dyn Store>, a: &Args, start: Timestamp, step: i64) -> anyhow::Result<()> {
    let messages = a.messages;
    let day = move |i: u64| start.plus_millis((i % DAYS as u64) as i64 * 86_400_000).beijing_day_start();
    let middle = message(a.messages / 2, start, step).id;
    let f: fn() -> MessageFilter = MessageFilter::default;
    let combos: Vec<(&str, Make)> = vec![
        ("account", Box::new(move |i| MessageFilter { account_id: Some((i % ACCOUNTS) as i64 + 1), ..f() })),
        ("account, deep page", Box::new(move |i| MessageFilter { account_id: Some((i % ACCOUNTS) as i64 + 1), before: Some(middle), ..f() })),
        ("recipient in an account", Box::new(move |i| MessageFilter { account_id: Some((i % ACCOUNTS) as i64 + 1), to: Some(number(i)), ..f() })),
        ("recipient, every account", Box::new(move |i| MessageFilter { to: Some(number(i)), ..f() })),
        ("sender", Box::new(move |i| MessageFilter { sender: Some(sender(i)), ..f() })),
        ("sender, deep page", Box::new(move |i| MessageFilter { sender: Some(sender(i)), before: Some(middle), ..f() })),
        ("sender + carrier + category", Box::new(move |i| MessageFilter { sender: Some(sender(i)), carrier: Some(CARRIERS[(i % 3) as usize]), category: Some(CATEGORIES[(i / 3 % 3) as usize]), ..f() })),
        ("client_ref", Box::new(move |i| MessageFilter { client_ref: Some(format!("ref-{}", i % messages)), ..f() })),
        ("one day, every account", Box::new(move |i| MessageFilter { since: Some(day(i)), until: Some(day(i).plus_millis(86_400_000)), ..f() })),
        ("account + one day", Box::new(move |i| MessageFilter { account_id: Some((i % ACCOUNTS) as i64 + 1), since: Some(day(i)), until: Some(day(i).plus_millis(86_400_000)), ..f() })),
        ("account + status failed (1 %)", Box::new(move |i| MessageFilter { account_id: Some((i % ACCOUNTS) as i64 + 1), status: Some(MessageStatus::Failed), ..f() })),
    ];
    let mut picks = Picks(0x9E37_79B9_7F4A_7C15);
    for (name, make) in combos {
        let mut took = Vec::with_capacity(a.runs);
        let mut found_any = 0;
        for _ in 0..a.runs {
            let filter = MessageFilter { limit: 50, ..make(picks.next(u64::MAX >> 1)) };
            let t = Instant::now();
            let found = store.list_messages(filter.clone()).await?;
            took.push(t.elapsed());
            found_any += usize::from(!found.is_empty());
            ensure!(found.windows(2).all(|w| w[0].message.id > w[1].message.id), "{name}: newest first");
            if let Some(s) = &filter.sender {
                ensure!(found.iter().all(|d| &d.message.provenance.sender == s), "{name}: another sender");
            }
            if let Some(to) = &filter.to {
                ensure!(found.iter().all(|d| &d.message.to == to), "{name}: another recipient");
            }
        }
        took.sort();
        println!(
            "  search by {name:<32} first page p50 {:>7.2} ms  p99 {:>7.2} ms  ({found_any}/{} found)",
            percentile(&took, 0.5),
            percentile(&took, 0.99),
            a.runs
        );
    }
    Ok(())
}

async fn pages(store: Arc<dyn Store>, a: &Args) -> anyhow::Result<()> {
    let channels: Vec<ChannelSpec> =
        ["mobile", "unicom", "telecom"].iter().zip(CARRIERS).map(|(n, c)| ChannelSpec::new(n, &[c])).collect();
    let (engine, _queues) = Engine::new(store, Arc::new(SystemClock), &channels).await?;
    engine.create_user("boss", Role::Admin, None, "Bench-Passw0rd", false).await?;
    let (token, _) = engine.login("boss", "Bench-Passw0rd", "127.0.0.1").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = AppState { engine, ready: Arc::new(AtomicBool::new(true)), console: ConsoleSettings::default() };
    let app = hongyan_api::router(state.clone()).merge(hongyan_console::router(state));
    let today = Timestamp::from_system(std::time::SystemTime::now()).to_rfc3339_beijing();
    let month = &today[..7];
    let pages = [
        "/overview".to_owned(),
        "/messages?account=1".to_owned(),
        format!("/messages?to={}", number(12345)),
        format!("/messages?sender={}", sender(3)),
        "/messages?status=failed&account=2".to_owned(),
        format!("/statements?account=1&period=&from={month}-01&to={}", &today[..10]),
        format!("/statements?account=all&period=&from={month}-01&to={}", &today[..10]),
        "/reports".to_owned(),
        "/accounts".to_owned(),
    ];
    let cookie = format!("{}={token}", hongyan_api::SESSION_COOKIE);
    for page in pages {
        let mut took = Vec::with_capacity(a.runs / 4);
        for _ in 0..(a.runs / 4).max(10) {
            let req = axum::http::Request::get(page.as_str()).header("cookie", &cookie).body(axum::body::Body::empty())?;
            let t = Instant::now();
            let resp = app.clone().oneshot(req).await?;
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), 1 << 26).await?;
            took.push(t.elapsed());
            ensure!(status == 200, "{page}: {status}: {}", String::from_utf8_lossy(&body[..body.len().min(500)]));
        }
        took.sort();
        println!(
            "  page {page:<64} p50 {:>7.2} ms  p99 {:>7.2} ms",
            percentile(&took, 0.5),
            percentile(&took, 0.99)
        );
    }
    Ok(())
}
