//! Where log lines go and how they look: text or JSON (`[log] format`), on stderr or in a file
//! that starts afresh each Beijing day (`[log] file`), the last `keep_days` kept. The level is
//! `HONGYAN_LOG` (info by default). What is logged never holds a full number or a message text:
//! the code that logs masks them; this only carries the lines.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use hongyan_config::{Log, LogFormat};
use hongyan_engine::{Clock, SystemClock};
use hongyan_types::Timestamp;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

/// Installs the process's logger. A file that cannot be opened stops the start, named.
pub(crate) fn init(log: &Log) -> io::Result<()> {
    let level = std::env::var("HONGYAN_LOG").ok().and_then(|v| v.parse().ok()).unwrap_or(tracing::Level::INFO);
    let (writer, ansi) = match &log.file {
        Some(path) => (BoxMakeWriter::new(Arc::new(DailyFile::open(path, log.keep_days)?)), false),
        None => (BoxMakeWriter::new(io::stderr), io::IsTerminal::is_terminal(&io::stderr())),
    };
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(writer)
        .with_ansi(ansi)
        .with_target(false)
        // A log on a full disk must not take the process down: by default a failed write is
        // reported with `eprintln!`, which panics when stderr itself cannot be written.
        .log_internal_errors(false);
    // `try_init`: a second call (tests, a command that set up logging already) keeps the first.
    let _ = match log.format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    Ok(())
}

/// A log file per Beijing day: `DIR/STEM-YYYY-MM-DD.EXT` for the configured `DIR/STEM.EXT`.
#[derive(Debug)]
pub(crate) struct DailyFile {
    dir: PathBuf,
    stem: String,
    ext: String,
    keep_days: u32,
    // std Mutex: one line's write, never held across an await.
    current: Mutex<Option<(String, File)>>,
}

impl DailyFile {
    /// Opens today's file (creating the folder), so a path that cannot be written fails now.
    pub(crate) fn open(path: &Path, keep_days: u32) -> io::Result<Self> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
        std::fs::create_dir_all(&dir)?;
        let name = |s: Option<&std::ffi::OsStr>| s.map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let stem = name(path.file_stem());
        let ext = name(path.extension());
        let f = Self { dir, stem, ext, keep_days, current: Mutex::new(None) };
        f.write_on(&day_of(SystemClock.now()), b"")?;
        Ok(f)
    }

    fn name(&self, day: &str) -> PathBuf {
        let ext = if self.ext.is_empty() { String::new() } else { format!(".{}", self.ext) };
        self.dir.join(format!("{}-{day}{ext}", self.stem))
    }

    /// Writes `buf` into `day`'s file, opening it (and removing files past `keep_days`) when
    /// the day changed.
    fn write_on(&self, day: &str, buf: &[u8]) -> io::Result<usize> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.as_ref().is_none_or(|(d, _)| d != day) {
            let file = OpenOptions::new().create(true).append(true).open(self.name(day))?;
            *current = Some((day.to_owned(), file));
            self.prune(day);
        }
        match current.as_mut() {
            Some((_, file)) => file.write(buf),
            None => Ok(0),
        }
    }

    /// Removes this log's files of days more than `keep_days` before `today`.
    fn prune(&self, today: &str) {
        let Some(today_ms) = day_start_ms(today) else { return };
        let cutoff = day_of(Timestamp::from_millis(today_ms - i64::from(self.keep_days) * 86_400_000));
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        let prefix = format!("{}-", self.stem);
        for e in entries.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let Some(day) = file.strip_prefix(&prefix).and_then(|rest| rest.get(..10)) else { continue };
            if day_start_ms(day).is_some() && self.name(day) == e.path() && day < cutoff.as_str() {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

impl Write for &DailyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_on(&day_of(SystemClock.now()), buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// `YYYY-MM-DD` in Beijing time.
fn day_of(t: Timestamp) -> String {
    t.to_rfc3339_beijing()[..10].to_owned()
}

/// The UTC milliseconds of a Beijing day's start, if `day` is one (`YYYY-MM-DD`).
fn day_start_ms(day: &str) -> Option<i64> {
    Timestamp::parse_rfc3339(&format!("{day}T00:00:00+08:00")).map(|t| t.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_each_day_and_old_ones_removed() {
        let dir = std::env::temp_dir().join(format!("hongyan-log-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for old in ["hongyan-2027-01-01.log", "hongyan-2027-01-05.log", "other-2027-01-01.log", "hongyan-notes.log"] {
            std::fs::write(dir.join(old), "x").unwrap();
        }
        let log = DailyFile::open(&dir.join("hongyan.log"), 5).unwrap();
        log.write_on("2027-01-09", b"first\n").unwrap();
        log.write_on("2027-01-09", b"second\n").unwrap();
        log.write_on("2027-01-10", b"third\n").unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap_or_default();
        assert_eq!(
            (read("hongyan-2027-01-09.log"), read("hongyan-2027-01-10.log")),
            ("first\nsecond\n".into(), "third\n".into())
        );
        let mut left: Vec<String> =
            std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        let today = format!("hongyan-{}.log", day_of(SystemClock.now()));
        left.retain(|f| f != &today);
        assert_eq!(
            left,
            [
                "hongyan-2027-01-05.log",
                "hongyan-2027-01-09.log",
                "hongyan-2027-01-10.log",
                "hongyan-notes.log",
                "other-2027-01-01.log"
            ],
            "only this log's files older than five days go"
        );
    }
}
