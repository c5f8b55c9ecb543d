//! Field-level encryption at rest, per value: what sealing costs each message on its way into
//! the store and each read on its way out. A message seals its recipient and its content and
//! computes the recipient's search hash; a search computes the hash under every slot of the
//! ring (two with one key).
//!
//! Run: `cd bench && cargo bench --bench seal`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hongyan_store_sqlite::seal::{new_entry, Algorithm, KeyRing};

/// A 70-character notice, the usual single-segment content (UTF-8, as stored).
const CONTENT: &str =
    "【某省税务局】您的验证码是 867530，5 分钟内有效。请勿将验证码告诉他人，如非本人操作请忽略本短信。";
const NUMBER: &str = "13912345678";

fn seal(c: &mut Criterion) {
    for (name, algorithm) in [("aes-256-gcm", Algorithm::Aes256Gcm), ("sm4-gcm", Algorithm::Sm4Gcm)] {
        let ring = KeyRing::parse(&new_entry(1), algorithm).expect("a fresh key");
        let sealed = ring.seal("content", CONTENT.as_bytes());
        assert_eq!(ring.open("content", &sealed).expect("opens"), CONTENT.as_bytes());
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(1));
        g.bench_function("seal content", |b| b.iter(|| ring.seal("content", black_box(CONTENT.as_bytes()))));
        g.bench_function("open content", |b| b.iter(|| ring.open("content", black_box(&sealed))));
        g.bench_function("seal number", |b| b.iter(|| ring.seal("to", black_box(NUMBER.as_bytes()))));
        g.bench_function("search hash", |b| b.iter(|| ring.index(black_box(NUMBER), 0)));
        g.finish();
    }
}

criterion_group!(benches, seal);
criterion_main!(benches);
