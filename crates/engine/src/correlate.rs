//! What comes back from carriers: submit outcomes and status reports.

use hongyan_store::{ReportIn, ReportMatch, SubmitOutcome};

use crate::{Engine, EngineError};

impl Engine {
    /// Records the carrier's answers to submits.
    pub async fn submit_outcomes(&self, outcomes: Vec<SubmitOutcome>) -> Result<(), EngineError> {
        if outcomes.is_empty() {
            return Ok(());
        }
        self.store.record_submits(outcomes).await?;
        Ok(())
    }

    /// Applies status reports. When this returns `Ok` the reports are durable and the gateway
    /// may acknowledge them to the carrier; on `Err` it must not, so the carrier sends again.
    pub async fn reports(&self, reports: Vec<ReportIn>) -> Result<Vec<ReportMatch>, EngineError> {
        let matches = self.store.apply_reports(reports.clone()).await?;
        for (r, m) in reports.iter().zip(&matches) {
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
        Ok(matches)
    }
}
