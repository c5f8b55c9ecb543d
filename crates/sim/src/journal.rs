//! Reports the simulated gateway owes an SP, kept in an append-only journal file.
//!
//! Each owed report is written (`add`) before the submit is answered, and struck (`ack`) when
//! the SP acknowledges its DELIVER. Reading the journal back therefore gives exactly the
//! reports still owed, after a clean stop or a SIGKILL alike. The file is rewritten compactly
//! at start and whenever struck lines dominate it.
//!
//! The handset number of each owed report is never written in clear: sealed with the
//! platform's data keys when the book has them ([`ReportBook::open_sealed`], the embedded
//! simulators), masked otherwise (`138****8000`; a report delivered after a restart then
//! carries the masked number, which nothing matches on). A journal written before this is
//! rewritten so at the next open.
//!
//! The book also keeps the simulator's message-id counter ([`IdCounter`]) in a file beside
//! the journal, so that a restarted gateway never gives an id its last run gave.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hongyan_seal::KeyRing;
use serde::{Deserialize, Serialize};

use crate::ids::IdCounter;

/// One status report owed to an SP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwedReport {
    /// The carrier message id given in the submit response, as text: the key.
    pub msg_id: String,
    /// SP_Id it is owed to.
    pub sp: String,
    /// When it becomes deliverable (ms since the epoch).
    pub due_ms: i64,
    /// Stat text, e.g. `DELIVRD`.
    pub stat: String,
    /// Error code text (3 characters in SMGP/SMPP receipts), `000` on success.
    #[serde(default)]
    pub err: String,
    /// `YYMMDDHHMM` of the submit.
    pub submit_time: String,
    /// `YYMMDDHHMM` of the delivery.
    pub done_time: String,
    /// The handset number.
    pub dest: String,
    /// The SP's Src_Id, echoed as Dest_Id.
    pub src_id: String,
    /// Service_Id of the submit.
    pub service_id: String,
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Line {
    Add(OwedReport),
    Ack { msg_id: String },
}

#[derive(Default)]
struct Inner {
    /// Owed and not handed to a connection, by (due, msg_id).
    waiting: BTreeMap<(i64, String), OwedReport>,
    /// Handed to a connection, waiting for DELIVER_RESP.
    out: BTreeMap<String, OwedReport>,
    file: Option<File>,
    lines: usize,
}

/// How a handset number is kept in the journal file.
enum Keep {
    /// Sealed with the data keys (label [`SEAL_LABEL`]), as `sealed:BASE64`.
    Sealed(KeyRing),
    /// Masked: the first three and the last four digits.
    Masked,
}

/// The seal label of a journal's numbers: a blob sealed for another column does not open here.
const SEAL_LABEL: &str = "sim-journal-dest";
const SEALED_PREFIX: &str = "sealed:";

impl Keep {
    /// The number as written to the file.
    fn stored(&self, dest: &str) -> String {
        match self {
            Self::Sealed(ring) => format!("{SEALED_PREFIX}{}", B64.encode(ring.seal(SEAL_LABEL, dest.as_bytes()))),
            Self::Masked => mask(dest),
        }
    }

    /// The number as read back: opened when sealed, as it is otherwise (masked, or clear from
    /// a journal written before numbers were protected).
    fn restored(&self, stored: String) -> String {
        let Some(blob) = stored.strip_prefix(SEALED_PREFIX) else { return stored };
        let opened = match self {
            Self::Sealed(ring) => B64.decode(blob).ok().and_then(|b| ring.open(SEAL_LABEL, &b).ok()),
            Self::Masked => None,
        };
        opened.and_then(|b| String::from_utf8(b).ok()).unwrap_or_else(|| {
            tracing::warn!("simulated gateway: a journaled number does not open with these keys; reported without it");
            String::new()
        })
    }
}

/// `13800138000` → `138****8000`; `8613800138000` → `861******8000`; 7 digits or fewer are
/// all masked.
fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let (head, tail) = (&chars[..3], &chars[chars.len() - 4..]);
    format!("{}{}{}", head.iter().collect::<String>(), "*".repeat(chars.len() - 7), tail.iter().collect::<String>())
}

/// The owed reports, shared by all connections of one simulator.
pub struct ReportBook {
    path: Option<PathBuf>,
    inner: Mutex<Inner>,
    ids: IdCounter,
    keep: Keep,
    clock: SimClock,
}

/// When reports fall due: the wall-clock time the book was opened, moved on by tokio's clock.
/// In a running process the two agree. Under tokio's paused clock (tests) report delays pass
/// in virtual time like every other timer; due times still go into the journal as wall-clock
/// milliseconds, so a restart keeps them.
#[derive(Debug, Clone, Copy)]
struct SimClock {
    wall_ms: i64,
    at: tokio::time::Instant,
}

impl SimClock {
    fn start() -> Self {
        Self { wall_ms: crate::now_ms(), at: tokio::time::Instant::now() }
    }

    fn now_ms(&self) -> i64 {
        self.wall_ms + i64::try_from(self.at.elapsed().as_millis()).unwrap_or(i64::MAX / 2)
    }
}

impl std::fmt::Debug for ReportBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportBook").field("path", &self.path).finish_non_exhaustive()
    }
}

impl ReportBook {
    /// Now, in the book's clock (see `SimClock`): what due times are set and compared in.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A book kept only in memory (tests).
    pub fn in_memory() -> Self {
        Self {
            path: None,
            inner: Mutex::new(Inner::default()),
            ids: IdCounter::in_memory(),
            keep: Keep::Masked,
            clock: SimClock::start(),
        }
    }

    /// Opens (or creates) the journal at `path` and loads what is still owed; numbers are
    /// kept masked in the file.
    pub fn open(path: &Path) -> io::Result<Self> {
        Self::open_keeping(path, Keep::Masked)
    }

    /// As [`ReportBook::open`], with numbers sealed in the file by `ring` (the platform's data
    /// keys), so reports owed across a restart carry the whole number.
    pub fn open_sealed(path: &Path, ring: KeyRing) -> io::Result<Self> {
        Self::open_keeping(path, Keep::Sealed(ring))
    }

    fn open_keeping(path: &Path, keep: Keep) -> io::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut inner = Inner::default();
        if path.exists() {
            let mut acked = HashSet::new();
            let mut added = Vec::new();
            for line in BufReader::new(File::open(path)?).lines() {
                // A torn last line (killed mid-write) is skipped: its submit was never answered.
                match serde_json::from_str::<Line>(&line?) {
                    Ok(Line::Add(r)) => added.push(r),
                    Ok(Line::Ack { msg_id }) => drop(acked.insert(msg_id)),
                    Err(_) => {}
                }
            }
            for mut r in added.into_iter().filter(|r| !acked.contains(&r.msg_id)) {
                r.dest = keep.restored(std::mem::take(&mut r.dest));
                inner.waiting.insert((r.due_ms, r.msg_id.clone()), r);
            }
        }
        let ids = IdCounter::open(&path.with_extension("ids"))?;
        let book = Self { path: Some(path.to_owned()), inner: Mutex::new(inner), ids, keep, clock: SimClock::start() };
        book.compact(&mut book.inner.lock().expect("book lock"))?;
        Ok(book)
    }

    /// The first of `count` consecutive carrier message ids (a counter the protocol's id
    /// layout cuts to its width); never one a previous run of this book issued.
    pub(crate) fn next_ids(&self, count: u64) -> io::Result<u64> {
        self.ids.take(count)
    }

    /// Number of reports still owed (waiting or out for delivery).
    pub fn owed(&self) -> usize {
        let inner = self.inner.lock().expect("book lock");
        inner.waiting.len() + inner.out.len()
    }

    /// Records a report owed; returns only once it is in the journal.
    pub fn add(&self, r: OwedReport) -> io::Result<()> {
        let mut inner = self.inner.lock().expect("book lock");
        append(&mut inner, &Line::Add(self.on_file(&r)))?;
        inner.waiting.insert((r.due_ms, r.msg_id.clone()), r);
        Ok(())
    }

    /// Takes up to `max` reports for `sp` that are due at `now_ms`.
    pub fn take_due(&self, sp: &str, now_ms: i64, max: usize) -> Vec<OwedReport> {
        let mut inner = self.inner.lock().expect("book lock");
        let keys: Vec<(i64, String)> = inner
            .waiting
            .iter()
            .take_while(|((due, _), _)| *due <= now_ms)
            .filter(|(_, r)| r.sp == sp)
            .take(max)
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            if let Some(r) = inner.waiting.remove(&k) {
                inner.out.insert(r.msg_id.clone(), r.clone());
                out.push(r);
            }
        }
        out
    }

    /// True when a report for `sp` is due at `now_ms`.
    pub fn has_due(&self, sp: &str, now_ms: i64) -> bool {
        let inner = self.inner.lock().expect("book lock");
        inner.waiting.iter().take_while(|((due, _), _)| *due <= now_ms).any(|(_, r)| r.sp == sp)
    }

    /// The SP acknowledged the report: strike it.
    pub fn ack(&self, msg_id: &str) -> io::Result<()> {
        let mut inner = self.inner.lock().expect("book lock");
        if inner.out.remove(msg_id).is_some() {
            let msg_id = msg_id.to_owned();
            append(&mut inner, &Line::Ack { msg_id })?;
            let owed = inner.waiting.len() + inner.out.len();
            if inner.lines > 10_000 && inner.lines > owed * 4 {
                self.compact(&mut inner)?;
            }
        }
        Ok(())
    }

    /// The connection died before the acknowledgement: owe it again.
    pub fn release(&self, msg_id: &str) {
        let mut inner = self.inner.lock().expect("book lock");
        if let Some(r) = inner.out.remove(msg_id) {
            inner.waiting.insert((r.due_ms, r.msg_id.clone()), r);
        }
    }

    /// `r` as its journal line holds it: the number sealed or masked.
    fn on_file(&self, r: &OwedReport) -> OwedReport {
        OwedReport { dest: self.keep.stored(&r.dest), ..r.clone() }
    }

    /// Rewrites the journal with only what is owed (write aside, then rename).
    fn compact(&self, inner: &mut Inner) -> io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let tmp = path.with_extension("tmp");
        {
            let mut f = File::create(&tmp)?;
            for r in inner.waiting.values().chain(inner.out.values()) {
                writeln!(f, "{}", serde_json::to_string(&Line::Add(self.on_file(r)))?)?;
            }
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        inner.lines = inner.waiting.len() + inner.out.len();
        inner.file = Some(OpenOptions::new().append(true).open(path)?);
        Ok(())
    }
}

/// One line per write: a kill can tear at most the last line, which `open` skips.
fn append(inner: &mut Inner, line: &Line) -> io::Result<()> {
    if let Some(f) = inner.file.as_mut() {
        let mut text = serde_json::to_string(line)?;
        text.push('\n');
        f.write_all(text.as_bytes())?;
        inner.lines += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owed(msg_id: u64, due_ms: i64) -> OwedReport {
        OwedReport {
            msg_id: msg_id.to_string(),
            err: "000".into(),
            sp: "901234".into(),
            due_ms,
            stat: "DELIVRD".into(),
            submit_time: "2611290806".into(),
            done_time: "2611290806".into(),
            dest: "13800138000".into(),
            src_id: "1069".into(),
            service_id: "HONGYAN".into(),
        }
    }

    #[test]
    fn owed_reports_survive_reopening_and_acks_strike_them() {
        let dir = std::env::temp_dir().join(format!("hongyan-sim-book-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("cmpp.journal");
        let book = ReportBook::open(&path).unwrap();
        book.add(owed(1, 100)).unwrap();
        book.add(owed(2, 200)).unwrap();
        book.add(owed(3, 900)).unwrap();
        assert!(book.take_due("other", 1000, 10).is_empty(), "reports go to their own SP");
        let due = book.take_due("901234", 250, 10);
        assert_eq!(due.iter().map(|r| r.msg_id.as_str()).collect::<Vec<_>>(), vec!["1", "2"]);
        book.ack("1").unwrap();
        // 2 is out for delivery when the process dies: still owed after reopening.
        drop(book);
        let again = ReportBook::open(&path).unwrap();
        assert_eq!(again.owed(), 2);
        let due = again.take_due("901234", 1000, 10);
        assert_eq!(due.iter().map(|r| r.msg_id.as_str()).collect::<Vec<_>>(), vec!["2", "3"]);
        again.release("3");
        assert_eq!(again.take_due("901234", 1000, 10).len(), 1);
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn numbers_are_sealed_or_masked_in_the_file_and_sealed_ones_come_back_whole() {
        let dir = std::env::temp_dir().join(format!("hongyan-sim-sealed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ring = KeyRing::parse(&hongyan_seal::new_entry(1), hongyan_seal::Algorithm::Aes256Gcm).unwrap();
        let (sealed, masked) = (dir.join("cmpp.journal"), dir.join("smpp.journal"));
        let book = ReportBook::open_sealed(&sealed, ring.clone()).unwrap();
        book.add(owed(1, 100)).unwrap();
        let plain = ReportBook::open(&masked).unwrap();
        plain.add(owed(2, 100)).unwrap();
        assert_eq!(plain.take_due("901234", 100, 1)[0].dest, "13800138000", "whole while the process lives");
        drop((book, plain));
        for path in [&sealed, &masked] {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(!text.contains("13800138000"), "{text}");
        }
        assert!(std::fs::read_to_string(&masked).unwrap().contains("138****8000"));
        let again = ReportBook::open_sealed(&sealed, ring).unwrap();
        assert_eq!(again.take_due("901234", 100, 1)[0].dest, "13800138000", "opened with the keys");
        assert_eq!(ReportBook::open(&masked).unwrap().take_due("901234", 100, 1)[0].dest, "138****8000");

        // A journal written in clear before is rewritten sealed when it is opened.
        let old = dir.join("sgip.journal");
        std::fs::write(&old, format!("{}\n", serde_json::to_string(&Line::Add(owed(3, 1))).unwrap())).unwrap();
        let ring = KeyRing::parse(&hongyan_seal::new_entry(2), hongyan_seal::Algorithm::Sm4Gcm).unwrap();
        assert_eq!(ReportBook::open_sealed(&old, ring).unwrap().take_due("901234", 1, 1)[0].dest, "13800138000");
        assert!(!std::fs::read_to_string(&old).unwrap().contains("13800138000"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_torn_last_line_is_skipped() {
        let dir = std::env::temp_dir().join(format!("hongyan-sim-torn-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cmpp.journal");
        let good = serde_json::to_string(&Line::Add(owed(7, 1))).unwrap();
        std::fs::write(&path, format!("{good}\n{{\"op\":\"add\",\"msg_")).unwrap();
        assert_eq!(ReportBook::open(&path).unwrap().owed(), 1);
        std::fs::remove_dir_all(&dir).ok();
    }
}
