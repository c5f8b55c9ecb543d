//! `[log]`: how log lines look and where they go. The level stays in `HONGYAN_LOG`, so it can
//! be raised for one run without editing the file.

use std::path::PathBuf;

use crate::walk::{self, Walker};

/// The shape of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// One readable line per event (the default).
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// `[log]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// Text or JSON.
    pub format: LogFormat,
    /// A file instead of stderr: a new one each Beijing day, named `STEM-YYYY-MM-DD.EXT`.
    pub file: Option<PathBuf>,
    /// Days of files kept; older ones are removed at the day's first line.
    pub keep_days: u32,
}

impl Default for Log {
    fn default() -> Self {
        Self { format: LogFormat::Text, file: None, keep_days: 30 }
    }
}

pub(crate) fn parse(w: &mut Walker, mut t: walk::Table) -> Log {
    let path = t.key_path("format");
    let format = match t.opt_str(w, "format").as_deref() {
        None | Some("text") => LogFormat::Text,
        Some("json") => LogFormat::Json,
        Some(other) => {
            w.problem(path, format!("`{other}` is not a log format: text or json"));
            LogFormat::Text
        }
    };
    let file = t.opt_str(w, "file").map(PathBuf::from);
    let keep_days = t.opt_int(w, "keep_days", 1, 3650).map_or(30, |v| v as u32);
    t.finish(w);
    Log { format, file, keep_days }
}
