//! Incidents and their two clocks. The platform opens one when a channel has had no link up
//! for too long or its carrier refused too many of its recent submits ([`IncidentRules`]);
//! recovery marks it fixed. People open one with a
//! fault report (故障申告), from the API or the console. Operators record cause, actions and
//! result; the report's time is when cause and result are both on record.
//!
//! The clocks are the service terms': fixed within [`FIX_WITHIN`] of the start, cause and
//! result reported within [`REPORT_WITHIN`] of the fix. A clock still running past its limit
//! is overdue.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use hongyan_store::{Incident, IncidentFilter, IncidentKind, IncidentPatch, NewIncident, Role, StoreError, Timestamp};
use serde_json::json;

use crate::admin::{invalid, Actor, AdminError};
use crate::Engine;

/// When the platform opens an incident by itself (`[incidents]` of the configuration).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncidentRules {
    /// A channel without a link up this long is down.
    pub down_after: Duration,
    /// Refusals above this share of the answers in `failure_window` open an incident …
    pub failure_share: f64,
    /// … when there were at least this many answers; below half the share again, it is fixed.
    pub failure_min: u64,
    /// The window the failure share is taken over.
    pub failure_window: Duration,
}

impl Default for IncidentRules {
    fn default() -> Self {
        Self {
            down_after: Duration::from_secs(60),
            failure_share: 0.5,
            failure_min: 20,
            failure_window: Duration::from_secs(300),
        }
    }
}
/// Fix within this of the start.
pub const FIX_WITHIN: Duration = Duration::from_secs(4 * 3600);
/// Report cause and result within this of the fix.
pub const REPORT_WITHIN: Duration = Duration::from_secs(3600);
/// Longest text of a symptom, cause, actions or result.
pub const MAX_TEXT: usize = 4000;

/// One clock of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// When it runs out; `None` while it has not started (the report clock before the fix).
    pub due: Option<Timestamp>,
    /// When it was stopped (fixed, reported).
    pub done: Option<Timestamp>,
    /// Stopped in time (`Some(true)`), late (`Some(false)`), or still running (`None`).
    pub met: Option<bool>,
    /// Still running past its limit.
    pub overdue: bool,
}

fn clock(start: Option<Timestamp>, limit: Duration, done: Option<Timestamp>, now: Timestamp) -> Clock {
    let due = start.map(|s| Timestamp::from_millis(s.as_millis() + limit.as_millis() as i64));
    let met = due.zip(done).map(|(due, done)| done <= due);
    let overdue = done.is_none() && due.is_some_and(|due| now > due);
    Clock { due, done, met, overdue }
}

/// The fix clock and the report clock of `i` at `now`.
pub fn clocks(i: &Incident, now: Timestamp) -> (Clock, Clock) {
    (clock(Some(i.opened.opened_at), FIX_WITHIN, i.fixed_at, now), clock(i.fixed_at, REPORT_WITHIN, i.reported_at, now))
}

/// What an operator records on an incident.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentRecord {
    /// Service restored at (a reported fault is fixed when an operator says so).
    pub fixed_at: Option<Timestamp>,
    /// Why it happened.
    pub cause: Option<String>,
    /// What was done.
    pub actions: Option<String>,
    /// What came of it.
    pub result: Option<String>,
}

/// Answer counts of each channel over the failure window, sampled by the watcher, and the
/// rules.
#[derive(Debug, Default)]
pub(crate) struct FailureSamples {
    // std Mutex: a few pushes per watch, never held across an await.
    by_channel: Mutex<HashMap<String, crate::alerts::Growth>>,
    rules: Mutex<IncidentRules>,
}

fn text(field: &str, v: Option<String>, required: bool) -> Result<Option<String>, AdminError> {
    let v = v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    match v {
        None if required => Err(invalid(format!("{field} is required"))),
        Some(s) if s.chars().count() > MAX_TEXT => Err(invalid(format!("{field} is at most {MAX_TEXT} characters"))),
        v => Ok(v),
    }
}

impl Engine {
    /// Sets the thresholds of the incidents the platform opens.
    pub fn set_incident_rules(&self, rules: IncidentRules) {
        *self.failures.rules.lock().expect("incident rules") = rules;
    }

    fn incident_rules(&self) -> IncidentRules {
        *self.failures.rules.lock().expect("incident rules")
    }

    /// A fault report (故障申告) by anyone who may use the platform: a tenant for its own
    /// account, or staff. Audited.
    pub async fn report_fault(
        &self,
        actor: &Actor,
        channel: Option<String>,
        symptom: String,
    ) -> Result<Incident, AdminError> {
        let symptom = text("symptom", Some(symptom), true)?.unwrap_or_default();
        if let Some(c) = &channel {
            if !self.channel_states().iter().any(|(s, _)| &s.name == c) {
                return Err(invalid(format!("no channel {c:?}")));
            }
        }
        let new = NewIncident {
            kind: IncidentKind::Reported,
            channel,
            symptom,
            opened_at: self.clock.now(),
            opened_by: actor.username.clone(),
            account_id: actor.account_id.filter(|_| actor.role == Role::Tenant),
        };
        let incident = self.store.open_incident(new).await?;
        let after = json!({ "channel": incident.opened.channel, "kind": "reported" }).to_string();
        self.audit(
            &actor.username,
            &actor.address,
            "incident.report",
            &incident.id.to_string(),
            (None, Some(after)),
            "ok",
        )
        .await?;
        Ok(incident)
    }

    /// Records cause, actions, result and the fix time on an incident (administrators and
    /// operators). Once cause and result are both on record, the report's time is set. Audited
    /// with the state before and after.
    pub async fn record_incident(&self, actor: &Actor, id: i64, r: IncidentRecord) -> Result<Incident, AdminError> {
        if !matches!(actor.role, Role::Admin | Role::Operator) {
            return Err(AdminError::Forbidden);
        }
        let before =
            self.store.get_incident(id).await?.ok_or_else(|| AdminError::NotFound(format!("no incident {id}")))?;
        let now = self.clock.now();
        if r.fixed_at.is_some_and(|t| t < before.opened.opened_at || t > now) {
            return Err(invalid("fixed_at is between the incident's start and now"));
        }
        let mut patch = IncidentPatch {
            fixed_at: r.fixed_at,
            cause: text("cause", r.cause, false)?,
            actions: text("actions", r.actions, false)?,
            result: text("result", r.result, false)?,
            reported_at: None,
        };
        let fixed = patch.fixed_at.or(before.fixed_at).is_some();
        let cause = patch.cause.is_some() || before.cause.is_some();
        let result = patch.result.is_some() || before.result.is_some();
        if before.reported_at.is_none() && fixed && cause && result {
            patch.reported_at = Some(now);
        }
        let after = self
            .store
            .update_incident(id, patch)
            .await?
            .ok_or_else(|| AdminError::NotFound(format!("no incident {id}")))?;
        let summary = |i: &Incident| {
            json!({ "fixed_at": i.fixed_at.map(|t| t.as_millis()), "cause": i.cause.is_some(),
                    "actions": i.actions.is_some(), "result": i.result.is_some() })
            .to_string()
        };
        let change = (Some(summary(&before)), Some(summary(&after)));
        self.audit(&actor.username, &actor.address, "incident.record", &id.to_string(), change, "ok").await?;
        Ok(after)
    }

    /// Opens and fixes the platform's own incidents from the channels' live figures; run it
    /// every few seconds.
    pub async fn watch_incidents(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        let rules = self.incident_rules();
        let open = self
            .store
            .incidents(IncidentFilter {
                from: None,
                to: None,
                open_only: true,
                account_id: None,
                channel: None,
                limit: 1000,
            })
            .await?;
        let open_of = |channel: &str, kind: IncidentKind| {
            open.iter().find(|i| i.opened.kind == kind && i.opened.channel.as_deref() == Some(channel)).map(|i| i.id)
        };
        for f in self.channel_figures() {
            match (f.down_since, open_of(&f.name, IncidentKind::ChannelDown)) {
                (Some(since), None) if now.as_millis() - since.as_millis() >= rules.down_after.as_millis() as i64 => {
                    let why = f.last_error.as_ref().map_or(String::new(), |(_, e)| format!(": {e}"));
                    let symptom = format!("no link of channel {} up since {}{why}", f.name, since.to_rfc3339_beijing());
                    self.open_system_incident(IncidentKind::ChannelDown, &f.name, symptom, since).await?;
                }
                (None, Some(id)) => {
                    let back = f.up_since.unwrap_or(now);
                    self.fix_system_incident(id, &f.name, "channel_down", back).await?;
                }
                _ => {}
            }
            let share = self.failure_share(&f.name, (f.accepted, f.refused), now, &rules);
            match (share, open_of(&f.name, IncidentKind::FailureRate)) {
                (Some(s), None) if s > rules.failure_share => {
                    let symptom = format!(
                        "channel {}: the carrier refused {:.0} % of submits in the last {} minutes",
                        f.name,
                        s * 100.0,
                        rules.failure_window.as_secs() / 60
                    );
                    self.open_system_incident(IncidentKind::FailureRate, &f.name, symptom, now).await?;
                }
                (Some(s), Some(id)) if s < rules.failure_share / 2.0 => {
                    self.fix_system_incident(id, &f.name, "failure_rate", now).await?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    async fn open_system_incident(
        &self,
        kind: IncidentKind,
        channel: &str,
        symptom: String,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        tracing::error!(channel, kind = kind.as_str(), %symptom, "incident opened");
        let new = NewIncident {
            kind,
            channel: Some(channel.to_owned()),
            symptom,
            opened_at: at,
            opened_by: "system".into(),
            account_id: None,
        };
        let i = self.store.open_incident(new).await?;
        let after = json!({ "channel": channel, "kind": kind.as_str() }).to_string();
        self.audit("system", "-", "incident.open", &i.id.to_string(), (None, Some(after)), "ok").await
    }

    async fn fix_system_incident(&self, id: i64, channel: &str, kind: &str, at: Timestamp) -> Result<(), StoreError> {
        tracing::warn!(channel, kind, incident = id, "incident fixed: the channel recovered");
        let patch = IncidentPatch { fixed_at: Some(at), ..IncidentPatch::default() };
        self.store.update_incident(id, patch).await?;
        let after = json!({ "fixed_at": at.as_millis() }).to_string();
        self.audit("system", "-", "incident.fixed", &id.to_string(), (None, Some(after)), "ok").await
    }

    /// The share of refusals among a channel's answers over the failure window, from samples
    /// of its running totals; `None` with too few answers to judge.
    fn failure_share(
        &self,
        channel: &str,
        (ok, refused): (u64, u64),
        now: Timestamp,
        rules: &IncidentRules,
    ) -> Option<f64> {
        let mut all = self.failures.by_channel.lock().expect("failure samples");
        let window_ms = rules.failure_window.as_millis() as i64;
        let [d_ok, d_refused] =
            all.entry(channel.to_owned()).or_default().push(now.as_millis(), [ok, refused], window_ms);
        let n = d_ok + d_refused;
        (n >= rules.failure_min).then(|| d_refused as f64 / n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(opened: i64, fixed: Option<i64>, reported: Option<i64>) -> Incident {
        let h = |x: i64| Timestamp::from_millis(x * 3_600_000);
        Incident {
            id: 1,
            opened: NewIncident {
                kind: IncidentKind::Reported,
                channel: None,
                symptom: "x".into(),
                opened_at: h(opened),
                opened_by: "u".into(),
                account_id: None,
            },
            fixed_at: fixed.map(h),
            cause: None,
            actions: None,
            result: None,
            reported_at: reported.map(h),
        }
    }

    #[test]
    fn the_fix_clock_runs_four_hours_and_the_report_clock_one_hour_from_the_fix() {
        let h = |x: i64| Timestamp::from_millis(x * 3_600_000);
        let (fix, report) = clocks(&incident(0, None, None), h(3));
        assert_eq!((fix.due, fix.met, fix.overdue), (Some(h(4)), None, false));
        assert_eq!((report.due, report.met, report.overdue), (None, None, false), "not started before the fix");
        let (fix, _) = clocks(&incident(0, None, None), h(5));
        assert!(fix.overdue);
        let (fix, report) = clocks(&incident(0, Some(4), None), h(6));
        assert_eq!((fix.met, fix.overdue), (Some(true), false), "fixed at the limit is in time");
        assert_eq!((report.due, report.overdue), (Some(h(5)), true));
        let (fix, report) = clocks(&incident(0, Some(5), Some(5)), h(9));
        assert_eq!((fix.met, report.met, report.overdue), (Some(false), Some(true), false));
    }
}
