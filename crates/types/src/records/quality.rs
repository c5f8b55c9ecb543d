//! Link quality, one row per channel per minute (per process run: a minute in which the
//! process restarted has two rows, and readers add them up).

use std::collections::BTreeMap;

use crate::{RttHistogram, Timestamp};

/// What one channel's links did in one minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkMinute {
    /// The channel's name.
    pub channel: String,
    /// The connection (its index in the channel) for a connection's row; `None` for the
    /// channel's, which counts all of them.
    pub link: Option<u16>,
    /// The minute's start.
    pub minute: Timestamp,
    /// Milliseconds of the minute with at least one link logged in.
    pub up_ms: u32,
    /// Submits sent (first sends).
    pub submits: u32,
    /// Submits the carrier accepted.
    pub accepted: u32,
    /// Submits the carrier refused, for good or for now.
    pub refused: u32,
    /// Throttling answers.
    pub throttled: u32,
    /// Requests never answered: given up after every re-send, or in flight when a link
    /// was lost.
    pub unanswered: u32,
    /// Requests and keep-alive probes sent again because no answer came within the time-out.
    pub resends: u32,
    /// Links lost after they had logged in.
    pub drops: u32,
    /// Keep-alive probes answered.
    pub probes: u32,
    /// Round trips of submits and probes.
    pub rtt: RttHistogram,
    /// Their sum, in microseconds (for the mean).
    pub rtt_sum_us: u64,
    /// The longest, in microseconds.
    pub rtt_max_us: u64,
    /// Sum of the differences between successive round trips on a link, in microseconds.
    pub jitter_sum_us: u64,
    /// How many differences that sum holds.
    pub jitter_pairs: u32,
    /// Most submits in flight at once, over all links.
    pub in_flight_max: u32,
    /// Refusals by the carrier's result code.
    pub codes: BTreeMap<u32, u32>,
}

impl LinkMinute {
    /// A minute in which nothing happened yet.
    pub fn empty(channel: &str, minute: Timestamp) -> Self {
        Self {
            channel: channel.to_owned(),
            link: None,
            minute,
            up_ms: 0,
            submits: 0,
            accepted: 0,
            refused: 0,
            throttled: 0,
            unanswered: 0,
            resends: 0,
            drops: 0,
            probes: 0,
            rtt: RttHistogram::default(),
            rtt_sum_us: 0,
            rtt_max_us: 0,
            jitter_sum_us: 0,
            jitter_pairs: 0,
            in_flight_max: 0,
            codes: BTreeMap::new(),
        }
    }

    /// The refusal counts as stored: `code:count` pairs, space-separated (`"8:2 13:1"`).
    pub fn codes_text(&self) -> String {
        self.codes.iter().map(|(c, n)| format!("{c}:{n}")).collect::<Vec<_>>().join(" ")
    }

    /// The refusal counts from their stored form; `None` when it is not `code:count` pairs.
    pub fn parse_codes(text: &str) -> Option<BTreeMap<u32, u32>> {
        text.split_whitespace()
            .map(|pair| {
                let (c, n) = pair.split_once(':')?;
                Some((c.parse().ok()?, n.parse().ok()?))
            })
            .collect()
    }

    /// True when the row says nothing: no link up and no event.
    pub fn is_empty(&self) -> bool {
        self.up_ms == 0
            && self.submits == 0
            && self.resends == 0
            && self.drops == 0
            && self.unanswered == 0
            && self.rtt.count() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_junk_is_refused() {
        let mut m = LinkMinute::empty("cmcc", Timestamp::from_millis(0));
        m.codes = BTreeMap::from([(8, 2), (1, 40)]);
        assert_eq!(LinkMinute::parse_codes(&m.codes_text()), Some(m.codes.clone()));
        assert_eq!(LinkMinute::parse_codes(""), Some(BTreeMap::new()));
        assert_eq!(LinkMinute::parse_codes("8:x"), None);
    }
}
