//! How a simulated gateway behaves: the knobs tests turn to play a carrier's bad day.

use std::sync::Mutex;
use std::time::Duration;

// tokio's, so that the window follows a paused clock in tests; outside them it is the
// monotonic clock.
use tokio::time::Instant;

/// One possible final state of a message and how often it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Report status, e.g. `DELIVRD`, `UNDELIV`, `EXPIRED`, `REJECTD`.
    pub stat: String,
    /// Error code text (e.g. `000`, `001`).
    pub err: String,
    /// Relative weight.
    pub weight: u32,
}

/// A carrier's behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Time from the submit response to the status report.
    pub report_delay: Duration,
    /// Time before each submit response.
    pub submit_latency: Duration,
    /// Final states, picked by weight in a fixed, repeatable order.
    pub outcomes: Vec<Outcome>,
    /// Most submits a second per SP account; above it the gateway answers with its
    /// flow-control code and owes nothing.
    pub rate_limit: Option<u32>,
    /// Send each report twice.
    pub duplicate_reports: bool,
    /// Make each report due at once, so it can overtake a slow submit response.
    pub report_before_response: bool,
    /// Close the connection on every Nth submit, without answering it (the submits before it
    /// that are already due are answered first; with a `submit_latency` the rest are not).
    pub drop_every: Option<u32>,
    /// Leave every Nth submit on a connection unanswered (a lost response): the SP's re-send,
    /// which counts as another submit, is answered unless it is an Nth one too.
    pub silent_every: Option<u32>,
    /// MO messages each SP account receives once, when it can take deliveries.
    pub mo: Vec<crate::MoMessage>,
    /// Refuse every Nth submit with the protocol's "system error" code (a transient failure).
    pub fail_every: Option<u32>,
    /// How the SMPP simulator words its delivery receipts (the other protocols have one form).
    pub smpp_receipts: SmppReceiptForm,
}

/// The shapes of an SMPP delivery receipt that SMSCs send in the wild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SmppReceiptForm {
    /// The receipt text in ASCII and the receipted_message_id and message_state TLVs.
    #[default]
    Both,
    /// The receipt text in ASCII (data_coding 0), no TLVs.
    AsciiText,
    /// The receipt text in UCS-2 (data_coding 8), no TLVs.
    Ucs2Text,
    /// Only the receipted_message_id and message_state TLVs; short_message empty.
    TlvsOnly,
}

impl std::str::FromStr for SmppReceiptForm {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "both" => Ok(Self::Both),
            "ascii" => Ok(Self::AsciiText),
            "ucs2" => Ok(Self::Ucs2Text),
            "tlvs" => Ok(Self::TlvsOnly),
            other => Err(format!("unknown receipt form {other:?}: expected both, ascii, ucs2 or tlvs")),
        }
    }
}

impl Scenario {
    /// Whether the `n`th submit on a connection closes it (`drop_every`).
    pub(crate) fn drops(&self, n: u32) -> bool {
        self.drop_every.is_some_and(|every| n.is_multiple_of(every))
    }

    /// Whether the `n`th submit on a connection goes unanswered (`silent_every`).
    pub(crate) fn silent(&self, n: u32) -> bool {
        self.silent_every.is_some_and(|every| n.is_multiple_of(every))
    }
}

impl Default for Scenario {
    fn default() -> Self {
        Self {
            report_delay: Duration::from_millis(500),
            submit_latency: Duration::ZERO,
            outcomes: vec![Outcome { stat: "DELIVRD".into(), err: "000".into(), weight: 1 }],
            rate_limit: None,
            duplicate_reports: false,
            report_before_response: false,
            drop_every: None,
            silent_every: None,
            mo: Vec::new(),
            fail_every: None,
            smpp_receipts: SmppReceiptForm::Both,
        }
    }
}

impl Scenario {
    /// The outcome of the `n`th message: a weighted round robin, so a test that sends
    /// `sum(weights)` messages sees each outcome exactly `weight` times.
    pub fn outcome(&self, n: u64) -> &Outcome {
        let total: u64 = self.outcomes.iter().map(|o| u64::from(o.weight)).sum();
        let mut slot = n % total.max(1);
        for o in &self.outcomes {
            if slot < u64::from(o.weight) {
                return o;
            }
            slot -= u64::from(o.weight);
        }
        &self.outcomes[0]
    }

    /// Milliseconds from now until a report for a submit answered now is due.
    pub(crate) fn report_due_in(&self) -> Duration {
        if self.report_before_response {
            Duration::ZERO
        } else {
            self.submit_latency + self.report_delay
        }
    }
}

/// Counts submits for `fail_every`.
#[derive(Debug, Default)]
pub(crate) struct FailEvery(std::sync::atomic::AtomicU32);

impl FailEvery {
    /// True when this submit is one to refuse.
    pub(crate) fn now(&self, every: Option<u32>) -> bool {
        let Some(n) = every.filter(|n| *n > 0) else { return false };
        (self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1).is_multiple_of(n)
    }
}

/// One [`RateWindow`] per account, made at the account's first submit.
#[derive(Debug, Default)]
pub(crate) struct RateWindows(Mutex<std::collections::HashMap<String, std::sync::Arc<RateWindow>>>);

impl RateWindows {
    /// True when one more submit of `account` fits this second under `limit`.
    pub(crate) fn admit(&self, account: &str, limit: Option<u32>) -> bool {
        let window = self.0.lock().expect("rates").entry(account.to_owned()).or_default().clone();
        window.admit(limit)
    }
}

/// A per-account submits-per-second window for `rate_limit`.
#[derive(Debug)]
pub(crate) struct RateWindow {
    // std Mutex: a counter update, never held across an await.
    state: Mutex<(Instant, u32)>,
}

impl Default for RateWindow {
    fn default() -> Self {
        Self { state: Mutex::new((Instant::now(), 0)) }
    }
}

impl RateWindow {
    /// True when one more submit fits this second.
    pub(crate) fn admit(&self, limit: Option<u32>) -> bool {
        let Some(limit) = limit else { return true };
        let mut s = self.state.lock().expect("rate lock");
        let now = Instant::now();
        if now.duration_since(s.0) >= Duration::from_secs(1) {
            *s = (now, 0);
        }
        if s.1 < limit {
            s.1 += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_their_weights() {
        let s = Scenario {
            outcomes: vec![
                Outcome { stat: "DELIVRD".into(), err: "000".into(), weight: 3 },
                Outcome { stat: "UNDELIV".into(), err: "001".into(), weight: 1 },
            ],
            ..Scenario::default()
        };
        let stats: Vec<&str> = (0..8).map(|n| s.outcome(n).stat.as_str()).collect();
        assert_eq!(stats, ["DELIVRD", "DELIVRD", "DELIVRD", "UNDELIV", "DELIVRD", "DELIVRD", "DELIVRD", "UNDELIV"]);
    }

    #[test]
    fn the_rate_window_admits_the_limit() {
        let w = RateWindow::default();
        assert_eq!((0..10).filter(|_| w.admit(Some(4))).count(), 4);
        assert!(w.admit(None));
    }
}
