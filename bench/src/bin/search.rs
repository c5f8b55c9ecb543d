//! Search by recipient over a sealed store: how long one exact search takes once the table is
//! large, now that the number is found through its keyed hash instead of its text.
//!
//! Over a real SQLite store in a temporary directory, `--messages` (default 1,000,000) messages
//! to `--numbers` distinct recipients (default 200,000) are written in batches of 5,000 with
//! the store's own insert (sealing each number and text); then `--searches` (default 2,000)
//! recipients picked at random are searched one by one as the API does (`to=`, newest 50), and
//! every answer is checked: all of that number's messages, opened to the right number and text.
//! Prints the write rate and the search latency percentiles.
//!
//! With `--rotation` the store is reopened with a second key before the searches, as between
//! `hongyan keys add` and `hongyan keys rekey`: every search then tries every slot of the ring.
//!
//! Run: `cd bench && cargo run --release --bin search -- --messages 1000000 [--algorithm sm4-gcm] [--rotation]`.

use hongyan_store::prelude::*;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use hongyan_store::{MessageFilter, NewMessage, Store};
use hongyan_store_sqlite::seal::{new_entry, Algorithm, KeyRing};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, MessageId, Timestamp};

struct Args {
    messages: u64,
    numbers: u64,
    searches: usize,
    algorithm: Algorithm,
    rotation: bool,
}

fn args() -> anyhow::Result<Args> {
    use lexopt::prelude::*;
    let mut a = Args {
        messages: 1_000_000,
        numbers: 200_000,
        searches: 2_000,
        algorithm: Algorithm::Aes256Gcm,
        rotation: false,
    };
    let mut p = lexopt::Parser::from_env();
    while let Some(arg) = p.next()? {
        match arg {
            Long("messages") => a.messages = p.value()?.parse()?,
            Long("numbers") => a.numbers = p.value()?.parse()?,
            Long("searches") => a.searches = p.value()?.parse()?,
            Long("rotation") => a.rotation = true,
            Long("algorithm") => {
                a.algorithm = match p.value()?.to_str() {
                    Some("aes-256-gcm") => Algorithm::Aes256Gcm,
                    Some("sm4-gcm") => Algorithm::Sm4Gcm,
                    _ => anyhow::bail!("--algorithm is aes-256-gcm or sm4-gcm"),
                }
            }
            other => return Err(other.unexpected().into()),
        }
    }
    ensure!(a.numbers > 0 && a.messages >= a.numbers, "need at least one message per number");
    Ok(a)
}

const TEXT: &str = "【某省税务局】您本年度个人所得税综合所得汇算清缴已受理，请登录电子税务局查看办理进度。";

fn number(i: u64) -> String {
    format!("139{i:08}")
}

fn message(id: u64, to: String, at: Timestamp) -> NewMessage {
    NewMessage {
        id: MessageId(id),
        account_id: 1,
        to,
        carrier: Carrier::ChinaMobile,
        category: Category::NOTIFICATION,
        content: TEXT.into(),
        segments: 1,
        channel: "mobile".into(),
        source_ext: String::new(),
        accepted_at: at,
        send_at: None,
        callback_url: None,
        provenance: Default::default(),
        unit_price: None,
    }
}

/// xorshift64*: a fixed sequence of picks, so two runs search the same numbers.
fn picks(n: usize, below: u64) -> Vec<u64> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            x.wrapping_mul(0x2545_F491_4F6C_DD1D) % below
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let dir = std::env::temp_dir().join(format!("hongyan-bench-search-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let first = new_entry(1);
    let ring = KeyRing::parse(&first, a.algorithm)?;
    let mut store = SqliteStore::open_with(&dir.join("db"), ring).context("store")?;
    store.create_account("bench", Timestamp::from_millis(0)).await?;

    let base = MessageId::floor(Timestamp::from_system(std::time::SystemTime::now())).0;
    let started = Instant::now();
    let mut next = 0u64;
    while next < a.messages {
        let end = (next + 5_000).min(a.messages);
        let at = Timestamp::from_system(std::time::SystemTime::now());
        let batch = (next..end).map(|i| message(base + i, number(i % a.numbers), at)).collect();
        store.insert_messages(batch, None).await?;
        next = end;
    }
    let written = started.elapsed();
    if a.rotation {
        store.close().await?;
        let both = KeyRing::parse(&format!("{first}{}", new_entry(2)), a.algorithm)?;
        store = SqliteStore::open_with(&dir.join("db"), both).context("reopening with two keys")?;
    }

    let per_number = a.messages / a.numbers;
    let mut took = Vec::with_capacity(a.searches);
    for n in picks(a.searches, a.numbers) {
        let filter = MessageFilter { account_id: Some(1), to: Some(number(n)), limit: 50, ..Default::default() };
        let t = Instant::now();
        let found = store.list_messages(filter).await?;
        took.push(t.elapsed());
        let expected = (per_number + u64::from(n < a.messages % a.numbers)).min(50);
        ensure!(found.len() as u64 == expected, "{} of {expected} found for {}", found.len(), number(n));
        ensure!(found.iter().all(|d| d.message.to == number(n) && &*d.message.content == TEXT), "opened wrongly");
    }
    took.sort();
    let size = std::fs::metadata(dir.join("db")).map(|m| m.len()).unwrap_or(0);
    println!(
        "search ({:?}{}): {} messages to {} numbers written in {:.1} s = {:.0} messages/s (file {:.0} MiB); \
         {} searches by recipient: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        a.algorithm,
        if a.rotation { ", during a rotation" } else { "" },
        a.messages,
        a.numbers,
        written.as_secs_f64(),
        a.messages as f64 / written.as_secs_f64(),
        size as f64 / 1_048_576.0,
        a.searches,
        percentile(&took, 0.5),
        percentile(&took, 0.99),
        percentile(&took, 1.0),
    );
    store.close().await?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
