//! The acceptance report: what the procurement checks at six and twelve months, for a period
//! of whole Beijing days — each channel's latency, jitter, loss and availability against the
//! targets, the incidents with their clocks, and the volume and fee of each payment period.
//! The figures are the ones the other views show (link-quality minutes, incidents,
//! statements); this only gathers and judges them. Rendering (JSON, XLSX, HTML) is the edges'.

use std::time::Duration;

use hongyan_store::{Incident, IncidentFilter, StoreError, Timestamp};

use crate::incidents::clocks;
use crate::quality::{sum, QualityPoint, Targets, TARGETS};
use crate::statement::period;
use crate::Engine;

/// One channel over the period.
#[derive(Debug, Clone, PartialEq)]
pub struct ChannelLine {
    /// The channel's name.
    pub name: String,
    /// Its figures over the whole period.
    pub figures: QualityPoint,
    /// Latency, jitter, loss, availability against [`TARGETS`]; `None`: nothing measured.
    pub met: [Option<bool>; 4],
}

/// The incidents of the period, counted by how their clocks ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IncidentTally {
    /// Opened in the period.
    pub total: usize,
    /// Fixed within 4 hours.
    pub fixed_in_time: usize,
    /// Fixed, but later.
    pub fixed_late: usize,
    /// Not fixed, past 4 hours.
    pub fix_overdue: usize,
    /// Cause and result reported within 1 hour of the fix.
    pub reported_in_time: usize,
    /// Reported, but later.
    pub reported_late: usize,
    /// Not reported, past 1 hour after the fix.
    pub report_overdue: usize,
}

/// Volume and fee of one payment period (or of the report's whole period when none is set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingLine {
    /// The period's name (`—` for the report's own dates).
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// Messages sent.
    pub messages: u64,
    /// Segments billed.
    pub billed_segments: u64,
    /// Amount, yuan.
    pub amount: hongyan_types::Money,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptanceReport {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// The targets judged against.
    pub targets: Targets,
    /// Every channel.
    pub channels: Vec<ChannelLine>,
    /// The incidents opened in the period, oldest first.
    pub incidents: Vec<Incident>,
    /// Their clocks, counted.
    pub tally: IncidentTally,
    /// The payment periods that overlap the report's days.
    pub billing: Vec<BillingLine>,
    /// When it was made.
    pub made_at: Timestamp,
}

impl AcceptanceReport {
    /// Every channel met every target it was measured on, and no incident's clock ran out.
    pub fn passed(&self) -> bool {
        let channels = self.channels.iter().all(|c| c.met.iter().all(|m| *m != Some(false)));
        let t = &self.tally;
        channels && t.fixed_late + t.fix_overdue + t.reported_late + t.report_overdue == 0
    }
}

/// Counts the incidents' clocks at `now`.
pub fn tally(incidents: &[Incident], now: Timestamp) -> IncidentTally {
    let mut t = IncidentTally { total: incidents.len(), ..IncidentTally::default() };
    for i in incidents {
        let (fix, report) = clocks(i, now);
        match (fix.met, fix.overdue) {
            (Some(true), _) => t.fixed_in_time += 1,
            (Some(false), _) => t.fixed_late += 1,
            (None, true) => t.fix_overdue += 1,
            (None, false) => {}
        }
        match (report.met, report.overdue) {
            (Some(true), _) => t.reported_in_time += 1,
            (Some(false), _) => t.reported_late += 1,
            (None, true) => t.report_overdue += 1,
            (None, false) => {}
        }
    }
    t
}

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum AcceptanceError {
    /// The days are not a period.
    #[error("{0}")]
    Period(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Engine {
    /// The acceptance report of Beijing days `from` to `to` (both included, `YYYY-MM-DD`).
    pub async fn acceptance(&self, from: &str, to: &str) -> Result<AcceptanceReport, AcceptanceError> {
        let (start, until) = period(from, to).map_err(|e| AcceptanceError::Period(e.to_string()))?;
        let whole = Duration::from_millis(u64::try_from(until.as_millis() - start.as_millis()).unwrap_or(0));
        let mut channels = Vec::new();
        for (spec, _) in self.channel_states() {
            let points = self.link_quality(&spec.name, None, start, until, whole).await?;
            let figures = sum(&points).unwrap_or_else(|| QualityPoint {
                from: start,
                to: until,
                total: hongyan_store::LinkMinute::empty(&spec.name, start),
                elapsed_ms: 0,
            });
            let met = figures.judged(&TARGETS);
            channels.push(ChannelLine { name: spec.name, figures, met });
        }
        let filter = IncidentFilter {
            from: Some(start),
            to: Some(until),
            open_only: false,
            account_id: None,
            channel: None,
            limit: 100_000,
        };
        let mut incidents = self.store.incidents(filter).await?;
        incidents.reverse();
        let now = self.clock.now();
        let billing = self.billing_lines(from, to, start, until).await?;
        Ok(AcceptanceReport {
            from: from.to_owned(),
            to: to.to_owned(),
            targets: TARGETS,
            channels,
            tally: tally(&incidents, now),
            incidents,
            billing,
            made_at: now,
        })
    }

    /// The configured payment periods that overlap the days, each whole; the days themselves
    /// when none does.
    async fn billing_lines(
        &self,
        from: &str,
        to: &str,
        start: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<BillingLine>, StoreError> {
        let mut wanted: Vec<(String, String, String)> = self
            .billing_periods()
            .into_iter()
            .filter(|p| period(&p.from, &p.to).is_ok_and(|(a, b)| a < until && b > start))
            .map(|p| (p.name, p.from, p.to))
            .collect();
        if wanted.is_empty() {
            wanted.push(("—".into(), from.into(), to.into()));
        }
        let mut out = Vec::new();
        for (name, from, to) in wanted {
            let Ok((a, b)) = period(&from, &to) else { continue };
            let all = self.all_statements(a, b).await?;
            out.push(BillingLine {
                name,
                from,
                to,
                messages: all.messages,
                billed_segments: all.billed_segments,
                amount: all.amount,
            });
        }
        Ok(out)
    }
}
