//! The carrier message-id counter, kept across restarts.
//!
//! A real gateway that restarts and counts its ids from where the clock puts it can reissue an
//! id it gave minutes ago; the SP then matches the new id's report to the old message. So the
//! counter persists a high-water mark beside the journal: at start it continues from the mark
//! (never below anything the last run issued, however it died), and it reserves ids in blocks
//! so that the mark is written once per block rather than once per id.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Ids reserved per write of the mark. Small next to the CMPP sequence (16 bits) that the
/// counter is cut to, so that a restart within the same second does not wrap onto ids the
/// last run issued in that second.
const BLOCK: u64 = 1024;

struct Inner {
    next: u64,
    /// First id not yet reserved by the mark on disk.
    reserved: u64,
}

/// Issues ids that never repeat across restarts of one simulator with one data folder.
pub(crate) struct IdCounter {
    path: Option<PathBuf>,
    inner: Mutex<Inner>,
}

impl IdCounter {
    /// A counter kept only in memory, seeded from the clock (tests).
    pub(crate) fn in_memory() -> Self {
        let seed = clock_seed();
        Self { path: None, inner: Mutex::new(Inner { next: seed, reserved: u64::MAX }) }
    }

    /// Opens the mark at `path`: continues from it, or from the clock when there is none yet.
    pub(crate) fn open(path: &Path) -> io::Result<Self> {
        let next = match std::fs::read_to_string(path) {
            Ok(text) => text.trim().parse::<u64>().map_err(|e| {
                io::Error::new(io::ErrorKind::InvalidData, format!("{}: not an id mark: {e}", path.display()))
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => clock_seed(),
            Err(e) => return Err(e),
        };
        let counter = Self { path: Some(path.to_owned()), inner: Mutex::new(Inner { next, reserved: next }) };
        counter.reserve(&mut counter.inner.lock().expect("id lock"), 0)?;
        Ok(counter)
    }

    /// The next id; an error only when the mark cannot be written (the id is then not issued).
    #[cfg(test)]
    pub(crate) fn next(&self) -> io::Result<u64> {
        self.take(1)
    }

    /// The first of `count` consecutive ids (SMGP numbers a submit's recipients from its
    /// MsgID); an error only when the mark cannot be written (nothing is then issued).
    pub(crate) fn take(&self, count: u64) -> io::Result<u64> {
        let mut inner = self.inner.lock().expect("id lock");
        if inner.next + count > inner.reserved {
            self.reserve(&mut inner, count)?;
        }
        let id = inner.next;
        inner.next += count;
        Ok(id)
    }

    /// Writes the mark one block ahead (aside, synced, then renamed, so a kill leaves either
    /// the old mark or the new one).
    fn reserve(&self, inner: &mut Inner, count: u64) -> io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        let reserved = inner.next + count + BLOCK;
        let tmp = path.with_extension("ids-tmp");
        {
            let mut f = File::create(&tmp)?;
            writeln!(f, "{reserved}")?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)?;
        inner.reserved = reserved;
        Ok(())
    }
}

/// Milliseconds since the epoch, shifted so that a first start (or an in-memory counter) is
/// unlikely to meet ids a counter started a little earlier gave.
fn clock_seed() -> u64 {
    (crate::now_ms().max(0) as u64) << 20
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reopened_counter_continues_past_everything_issued() {
        let dir = std::env::temp_dir().join(format!("hongyan-sim-ids-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cmpp.ids");
        let first = IdCounter::open(&path).unwrap();
        let issued: Vec<u64> = (0..BLOCK + 10).map(|_| first.next().unwrap()).collect();
        // Killed without a word: the mark on disk is all that is left.
        drop(first);
        let again = IdCounter::open(&path).unwrap();
        let fresh = again.next().unwrap();
        assert!(issued.iter().all(|&id| id < fresh), "{fresh} after {:?}", issued.last());
        std::fs::write(&path, "garbage").unwrap();
        assert!(IdCounter::open(&path).is_err(), "a damaged mark is an error, not a restart from zero");
        std::fs::remove_dir_all(&dir).ok();
    }
}
