//! Alerts: conditions an operator must hear of before the bureau does — a channel or a whole
//! carrier down, a carrier refusing, a queue not moving, reports or callbacks drying up, a
//! quota running out, the disk filling, the data key gone.
//!
//! What it owns: the rules, judging them on each tick from the live figures and the store,
//! and the alert's life in the store — raised once, sent again every `repeat_every` while the
//! condition lasts, resolved when it ends. Each change comes back as an [`AlertNotice`]; the
//! caller sends it (webhook, e-mail, SMS — `hongyan-notify`). What it does not own: sending,
//! and incidents (`incidents.rs`), which are the record for the acceptance clocks; an alert is
//! only the warning.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use hongyan_store::{AlertRecord, StoreError};
use hongyan_types::{Carrier, Timestamp};

use crate::Engine;

/// Reports are judged over this window …
const REPORT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// … once at least this many submits were accepted in it.
const REPORT_MIN: u64 = 100;
/// Callback failures are counted over this window.
const CALLBACK_WINDOW: Duration = Duration::from_secs(5 * 60);

/// The thresholds (from `[alerts]`; channel down and the failure window from `[incidents]`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlertRules {
    /// A channel without a link up this long is down.
    pub down_after: Duration,
    /// Refusals above this share of a channel's answers …
    pub failure_share: f64,
    /// … over this window, with at least `failure_min` answers.
    pub failure_window: Duration,
    /// See `failure_window`.
    pub failure_min: u64,
    /// The oldest message due and not submitted waited longer than this.
    pub backlog_age: Duration,
    /// Reports over 15 minutes under this share of the submits accepted.
    pub report_drop_share: f64,
    /// Callback events failed over 5 minutes, at least.
    pub callback_failures: u64,
    /// An account has used this share of a quota.
    pub quota_share: f64,
    /// Free bytes under this on the store's disk.
    pub disk_free: u64,
    /// Sent again this often while it lasts.
    pub repeat_every: Duration,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self {
            down_after: Duration::from_secs(60),
            failure_share: 0.2,
            failure_window: Duration::from_secs(300),
            failure_min: 20,
            backlog_age: Duration::from_secs(300),
            report_drop_share: 0.5,
            callback_failures: 10,
            quota_share: 0.9,
            disk_free: 1 << 30,
            repeat_every: Duration::from_secs(3600),
        }
    }
}

/// What the engine cannot see itself, checked by the caller before each tick.
#[derive(Debug, Clone, Default)]
pub struct SystemChecks {
    /// What is wrong with the data key (its file gone or unreadable), if anything.
    pub data_key: Option<String>,
}

/// What happened to an alert on this tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Its condition began.
    Firing,
    /// It still holds; sent again.
    Repeat,
    /// Its condition ended.
    Resolved,
}

impl NoticeKind {
    /// `firing`, `repeat`, `resolved`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Firing => "firing",
            Self::Repeat => "repeat",
            Self::Resolved => "resolved",
        }
    }
}

/// One alert to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertNotice {
    /// What happened to it.
    pub kind: NoticeKind,
    /// The alert as now kept.
    pub alert: AlertRecord,
    /// The channel it is about, which an SMS about it must not take.
    pub channel: Option<String>,
}

impl AlertNotice {
    /// A one-line title, Chinese first: `[告警 firing] channel_down cmpp-a`.
    pub fn title(&self) -> String {
        let word = match self.kind {
            NoticeKind::Firing => "告警",
            NoticeKind::Repeat => "告警持续",
            NoticeKind::Resolved => "告警解除",
        };
        format!("[{word} {}] {} {}", self.kind.as_str(), self.alert.rule, self.alert.subject)
    }

    /// Title and what was seen, with the start (and end) in Beijing time.
    pub fn text(&self) -> String {
        let a = &self.alert;
        let mut s = format!("{}: {} (since {})", self.title(), a.message, a.started_at.to_rfc3339_beijing());
        if let Some(end) = a.resolved_at {
            s.push_str(&format!(", resolved {}", end.to_rfc3339_beijing()));
        }
        s
    }
}

/// A condition holding now.
#[derive(Debug, Clone, PartialEq)]
struct Condition {
    rule: &'static str,
    subject: String,
    message: String,
    channel: Option<String>,
}

/// Running totals sampled over time, to tell how much they grew over a window.
#[derive(Debug, Default)]
pub(crate) struct Growth {
    samples: VecDeque<(i64, [u64; 2])>,
}

impl Growth {
    /// Adds the totals seen at `now_ms` and returns their growth since the last sample at
    /// least `window_ms` old (or the oldest kept, early on).
    pub(crate) fn push(&mut self, now_ms: i64, totals: [u64; 2], window_ms: i64) -> [u64; 2] {
        self.samples.push_back((now_ms, totals));
        let horizon = now_ms - window_ms;
        while self.samples.get(1).is_some_and(|s| s.0 <= horizon) {
            self.samples.pop_front();
        }
        let first = self.samples.front().map_or(totals, |s| s.1);
        [totals[0].saturating_sub(first[0]), totals[1].saturating_sub(first[1])]
    }
}

/// The rules and the samples they are judged on.
#[derive(Debug, Default)]
pub(crate) struct AlertState {
    // std Mutexes: a few updates per tick, never held across an await.
    rules: Mutex<AlertRules>,
    growth: Mutex<HashMap<String, Growth>>,
    callback_failures: AtomicU64,
}

impl Engine {
    /// Sets the alert thresholds.
    pub fn set_alert_rules(&self, rules: AlertRules) {
        *self.alerts.rules.lock().expect("alert rules") = rules;
    }

    /// Kept alerts, newest first; only those still holding with `active_only`.
    pub async fn list_alerts(&self, active_only: bool, limit: usize) -> Result<Vec<AlertRecord>, StoreError> {
        self.store.alerts(active_only, limit).await
    }

    /// Counts callback events that failed (tried again later or given up).
    pub fn note_callback_failures(&self, events: u64) {
        self.alerts.callback_failures.fetch_add(events, Ordering::Relaxed);
    }

    fn growth(&self, key: String, now: Timestamp, totals: [u64; 2], window: Duration) -> [u64; 2] {
        let mut all = self.alerts.growth.lock().expect("alert samples");
        all.entry(key).or_default().push(now.as_millis(), totals, window.as_millis() as i64)
    }

    /// Judges every rule, raises, repeats and resolves the kept alerts, and returns what to
    /// send. Run it every few seconds.
    pub async fn alert_tick(&self, checks: &SystemChecks) -> Result<Vec<AlertNotice>, StoreError> {
        let now = self.clock.now();
        let rules = *self.alerts.rules.lock().expect("alert rules");
        let mut holding = self.channel_conditions(now, &rules);
        holding.extend(self.store_conditions(now, &rules, checks).await?);
        let active = self.store.alerts(true, 10_000).await?;
        let mut notices = Vec::new();
        for mut a in active {
            let found = holding.iter().position(|c| c.rule == a.rule && c.subject == a.subject);
            let channel = found.and_then(|i| holding[i].channel.clone());
            let kind = match found {
                Some(i) => {
                    holding.swap_remove(i);
                    if now.as_millis() - a.last_sent_at.as_millis() < rules.repeat_every.as_millis() as i64 {
                        continue;
                    }
                    self.store.alert_sent(a.id, now).await?;
                    (a.last_sent_at, a.sends) = (now, a.sends + 1);
                    NoticeKind::Repeat
                }
                None => {
                    self.store.resolve_alert(a.id, now).await?;
                    tracing::warn!(rule = %a.rule, subject = %a.subject, "alert resolved");
                    a.resolved_at = Some(now);
                    NoticeKind::Resolved
                }
            };
            notices.push(AlertNotice { kind, channel: channel.or_else(|| channel_of(&a)), alert: a });
        }
        for c in holding {
            tracing::error!(rule = c.rule, subject = %c.subject, message = %c.message, "alert");
            let new = AlertRecord {
                id: 0,
                rule: c.rule.to_owned(),
                subject: c.subject,
                message: c.message,
                started_at: now,
                last_sent_at: now,
                sends: 1,
                resolved_at: None,
            };
            let alert = self.store.raise_alert(new).await?;
            notices.push(AlertNotice { kind: NoticeKind::Firing, alert, channel: c.channel });
        }
        Ok(notices)
    }

    /// Channel down, carrier down, failure rate, reports fallen.
    fn channel_conditions(&self, now: Timestamp, rules: &AlertRules) -> Vec<Condition> {
        let figures = self.channel_figures();
        let carriers: HashMap<String, Vec<Carrier>> =
            self.channel_states().into_iter().map(|(s, _)| (s.name, s.carriers)).collect();
        let mut out = Vec::new();
        let down_long = |since: Option<Timestamp>| {
            since.is_some_and(|s| now.as_millis() - s.as_millis() >= rules.down_after.as_millis() as i64)
        };
        for f in &figures {
            let on =
                |rule, message| Condition { rule, subject: f.name.clone(), message, channel: Some(f.name.clone()) };
            if down_long(f.down_since) {
                let why = f.last_error.as_ref().map_or(String::new(), |(_, e)| format!(": {e}"));
                out.push(on("channel_down", format!("no link of channel {} up{why}", f.name)));
            }
            let [ok, refused] =
                self.growth(format!("answers {}", f.name), now, [f.accepted, f.refused], rules.failure_window);
            let n = ok + refused;
            if n >= rules.failure_min && refused as f64 > rules.failure_share * n as f64 {
                let share = refused as f64 * 100.0 / n as f64;
                out.push(on("failure_rate", format!("the carrier refused {share:.0} % of {n} submits")));
            }
            let [sent, reports] =
                self.growth(format!("reports {}", f.name), now, [f.accepted, f.reports], REPORT_WINDOW);
            if sent >= REPORT_MIN && (reports as f64) < rules.report_drop_share * sent as f64 {
                let m = format!("{reports} reports for {sent} submits accepted in the last 15 minutes");
                out.push(on("report_drop", m));
            }
        }
        for carrier in Carrier::ALL {
            let serving: Vec<_> =
                figures.iter().filter(|f| carriers.get(&f.name).is_some_and(|c| c.contains(&carrier))).collect();
            if !serving.is_empty() && serving.iter().all(|f| down_long(f.down_since)) {
                let names: Vec<&str> = serving.iter().map(|f| f.name.as_str()).collect();
                out.push(Condition {
                    rule: "carrier_down",
                    subject: carrier.as_str().to_owned(),
                    message: format!("every channel of {carrier} is down: {}", names.join(", ")),
                    channel: None,
                });
            }
        }
        out
    }

    /// Backlog, callbacks, quotas, disk, data key.
    async fn store_conditions(
        &self,
        now: Timestamp,
        rules: &AlertRules,
        checks: &SystemChecks,
    ) -> Result<Vec<Condition>, StoreError> {
        let mut out = Vec::new();
        let mut on = |rule, subject: &str, message| {
            out.push(Condition { rule, subject: subject.to_owned(), message, channel: None });
        };
        if let Some(t) = self.store.oldest_due(now).await? {
            let age = (now.as_millis() - t.as_millis()) / 1000;
            if age > rules.backlog_age.as_secs() as i64 {
                on("backlog_age", "queue", format!("a message due since {} s is not submitted yet", age));
            }
        }
        let failed = self.alerts.callback_failures.load(Ordering::Relaxed);
        let [failed, _] = self.growth("callbacks".into(), now, [failed, 0], CALLBACK_WINDOW);
        if failed >= rules.callback_failures {
            on("callback_failures", "callbacks", format!("{failed} callback events failed in the last 5 minutes"));
        }
        for (account, period, used, quota) in self.quota_use(now) {
            if used as f64 >= rules.quota_share * quota as f64 {
                let m = format!("account {account} used {used} of its {period} quota of {quota} segments");
                on("quota", &format!("account {account} {period}"), m);
            }
        }
        if let Some(free) = self.store.free_bytes().filter(|&f| f < rules.disk_free) {
            on("disk_low", "store", format!("{} MiB free on the store's disk", free >> 20));
        }
        if let Some(problem) = &checks.data_key {
            on("data_key", "data_key", problem.clone());
        }
        Ok(out)
    }
}

/// The channel a kept alert is about, for rules whose subject is one.
fn channel_of(a: &AlertRecord) -> Option<String> {
    matches!(a.rule.as_str(), "channel_down" | "failure_rate" | "report_drop").then(|| a.subject.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_is_taken_over_the_window() {
        let mut g = Growth::default();
        assert_eq!(g.push(0, [0, 0], 1000), [0, 0]);
        assert_eq!(g.push(500, [10, 1], 1000), [10, 1]);
        // The sample at 0 is the last one at least a window old: growth since it.
        assert_eq!(g.push(1000, [20, 2], 1000), [20, 2]);
        // Now the sample at 500 is: the first 10 fall out.
        assert_eq!(g.push(1600, [25, 2], 1000), [15, 1]);
        // Totals that went back (a restart of a counter) never give a negative growth.
        assert_eq!(g.push(2700, [3, 0], 1000), [0, 0]);
    }
}
