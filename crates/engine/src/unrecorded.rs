//! Submit outcomes the store could not record, usually because the disk was full.
//!
//! The carrier already has those messages, so they must never be submitted again; but until
//! their outcome (the carrier's message id) is stored they look `accepted`, and their reports
//! cannot be matched. The outcomes are kept here, in memory, and recorded as soon as the store
//! has room (the channels try every half second). Only a stop while the store is still full
//! loses them; the log then says how many messages will be sent again after the next start.

use std::sync::Mutex;

use hongyan_store::SubmitOutcome;

use crate::Engine;

/// The outcomes waiting for room in the store.
#[derive(Debug, Default)]
pub(crate) struct Unrecorded(Mutex<Vec<SubmitOutcome>>);

impl Unrecorded {
    /// Keeps `outcomes`; the first kept after a good spell is logged, the rest are counted.
    pub(crate) fn keep(&self, outcomes: Vec<SubmitOutcome>) {
        let mut kept = self.0.lock().expect("unrecorded outcomes");
        if kept.is_empty() {
            tracing::error!(
                outcomes = outcomes.len(),
                "the store cannot record submit outcomes; keeping them until it has room (they are not resent)"
            );
        }
        kept.extend(outcomes);
    }

    fn take(&self) -> Vec<SubmitOutcome> {
        std::mem::take(&mut *self.0.lock().expect("unrecorded outcomes"))
    }

    fn len(&self) -> usize {
        self.0.lock().expect("unrecorded outcomes").len()
    }
}

impl Engine {
    /// Submit outcomes the store has not recorded yet.
    pub fn unrecorded_outcomes(&self) -> usize {
        self.unrecorded.len()
    }

    /// Tries again to record the kept outcomes; returns how many still wait.
    pub async fn record_unrecorded(&self) -> usize {
        let kept = self.unrecorded.take();
        if kept.is_empty() {
            return 0;
        }
        let n = kept.len();
        match self.store.record_submits(kept.clone()).await {
            Ok(()) => {
                tracing::info!(outcomes = n, "submit outcomes kept during a storage fault are recorded now");
                self.unrecorded_outcomes()
            }
            Err(e) => {
                self.unrecorded.keep(kept);
                tracing::debug!(outcomes = n, error = %e, "submit outcomes still not recordable");
                self.unrecorded_outcomes()
            }
        }
    }
}
