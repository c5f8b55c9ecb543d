//! What comes back from carriers: submit outcomes and status reports.

use hongyan_store::{MessageStatus, ReportIn, ReportMatch, SubmitOutcome, Timestamp};

use crate::{Engine, EngineError};

impl Engine {
    /// Records the carrier's answers to submits. When the store cannot take them, they are
    /// kept and recorded later (see `unrecorded`): the carrier has the messages already.
    pub async fn submit_outcomes(&self, outcomes: Vec<SubmitOutcome>) -> Result<(), EngineError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        if let Err(e) = self.store.record_submits(outcomes.clone()).await {
            self.unrecorded.keep(outcomes);
            return Err(e.into());
        }
        Ok(())
    }

    /// Applies status reports. When this returns `Ok` the reports are durable and the gateway
    /// may acknowledge them to the carrier; on `Err` it must not, so the carrier sends again.
    pub async fn reports(&self, reports: Vec<ReportIn>) -> Result<Vec<ReportMatch>, EngineError> {
        self.reports_or_back(reports).await.map_err(|(e, _)| e)
    }

    /// As [`Engine::reports`], giving the reports back when the store refused them, so a
    /// link can hold them and try again without keeping a copy of every batch.
    pub async fn reports_or_back(
        &self,
        reports: Vec<ReportIn>,
    ) -> Result<Vec<ReportMatch>, (EngineError, Vec<ReportIn>)> {
        let matches = match self.store.apply_reports(reports.clone()).await {
            Ok(m) => m,
            Err(e) => return Err((e.into(), reports)),
        };
        for (r, m) in reports.iter().zip(&matches) {
            let outcome = match m {
                ReportMatch::Matched { .. } if MessageStatus::from_report_stat(&r.stat) == MessageStatus::Delivered => {
                    "delivered"
                }
                ReportMatch::Matched { .. } => "failed",
                ReportMatch::Duplicate => "duplicate",
                ReportMatch::Unmatched => "early",
            };
            crate::metrics::REPORTS.with_label_values(&[r.channel.as_str(), outcome]).inc();
            match m {
                ReportMatch::Matched { message_id, status } => {
                    tracing::debug!(%message_id, %status, stat = %r.stat, "report applied");
                }
                ReportMatch::Duplicate => {
                    tracing::debug!(carrier_msg_id = %r.carrier_msg_id, "duplicate report ignored")
                }
                // Kept by the store and applied when the submit response arrives.
                ReportMatch::Unmatched => {
                    tracing::info!(channel = %r.channel, carrier_msg_id = %r.carrier_msg_id, "report before its submit response; held");
                }
            }
        }
        let stored = reports.iter().zip(&matches).filter(|(_, m)| !matches!(m, ReportMatch::Duplicate));
        self.count_reports(stored.map(|(r, _)| r.channel.as_str()));
        if matches.iter().any(|m| matches!(m, ReportMatch::Matched { .. })) {
            self.feed_changed.notify_waiters();
        }
        Ok(matches)
    }

    /// Gives segments that waited longer than `wait` since their submit the report `UNKNOWN`
    /// (a carrier's late report still replaces it) and drops early reports as old that never
    /// found their submit. Returns how many segments expired.
    pub async fn expire_unreported(&self, wait: std::time::Duration) -> Result<usize, EngineError> {
        let now = self.clock.now();
        let before = Timestamp::from_millis(now.as_millis() - i64::try_from(wait.as_millis()).unwrap_or(i64::MAX));
        let mut total = 0;
        loop {
            let n = self.store.expire_unreported(before, now).await?;
            total += n;
            if n == 0 {
                break;
            }
        }
        if total > 0 {
            tracing::info!(segments = total, "segments without a report in time are now unknown");
            self.feed_changed.notify_waiters();
        }
        Ok(total)
    }

    /// Woken whenever something is added to a feed (a report applied, a reply recorded), so
    /// that pushers need not poll hard.
    pub fn feed_changed(&self) -> &tokio::sync::Notify {
        &self.feed_changed
    }
}
