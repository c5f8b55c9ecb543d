//! `[incidents]`: when the platform opens an incident by itself.

use std::time::Duration;

use crate::walk::{self, Walker};

/// Thresholds of the incidents the platform opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Incidents {
    /// A channel with no link up this long is down.
    pub channel_down_after: Duration,
    /// A channel whose carrier refuses more than this percentage of submits is failing …
    pub failure_percent: u32,
    /// … over this window …
    pub failure_window: Duration,
    /// … when it answered at least this many.
    pub failure_min_answers: u32,
}

impl Default for Incidents {
    fn default() -> Self {
        Self {
            channel_down_after: Duration::from_secs(60),
            failure_percent: 50,
            failure_window: Duration::from_secs(300),
            failure_min_answers: 20,
        }
    }
}

pub(crate) fn parse(w: &mut Walker, mut t: walk::Table) -> Incidents {
    let d = Incidents::default();
    let secs = |v: i64| Duration::from_secs(v as u64);
    let i = Incidents {
        channel_down_after: t.opt_int(w, "channel_down_after_s", 1, 86_400).map_or(d.channel_down_after, secs),
        failure_percent: t.opt_int(w, "failure_percent", 1, 100).map_or(d.failure_percent, |v| v as u32),
        failure_window: t.opt_int(w, "failure_window_s", 60, 86_400).map_or(d.failure_window, secs),
        failure_min_answers: t
            .opt_int(w, "failure_min_answers", 1, 1_000_000)
            .map_or(d.failure_min_answers, |v| v as u32),
    };
    t.finish(w);
    i
}
