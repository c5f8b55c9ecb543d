//! Choosing a channel for a number: carrier, optional prefixes, priority, weight.
//!
//! Among the channels that serve the number's carrier (and, if they list prefixes, one of the
//! number's prefixes), the lowest priority value wins; channels that share it split the
//! traffic by weight, in a fixed repeating order so the split is exact over any
//! `sum(weights)` consecutive messages.
//!
//! Failover: a channel whose gateway reports it down is passed over while another channel
//! can serve the number; traffic comes back to it as soon as it reports up again. When every
//! candidate is down, the preferred one still takes the message: it waits there, stored, and
//! nothing is lost.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use hongyan_types::{Carrier, PhoneNumber};

use crate::ChannelSpec;

/// The routing table, built once from the channel list.
#[derive(Debug, Default)]
pub(crate) struct Routes {
    channels: Vec<ChannelSpec>,
    turn: AtomicU64,
    // std Mutex: a set look-up per routed number, never held across an await.
    down: Mutex<HashSet<String>>,
}

impl Routes {
    pub(crate) fn new(channels: &[ChannelSpec]) -> Self {
        Self { channels: channels.to_vec(), turn: AtomicU64::new(0), down: Mutex::default() }
    }

    /// Records what a channel's gateway says about its links.
    pub(crate) fn set_down(&self, channel: &str, down: bool) {
        let mut set = self.down.lock().expect("routes");
        if down {
            set.insert(channel.to_owned());
        } else {
            set.remove(channel);
        }
    }

    /// The channel for `number`, avoiding `channel` (failover), if another one serves it.
    pub(crate) fn pick_other(&self, number: &PhoneNumber, avoid: &str) -> Option<&str> {
        self.pick_where(number, |c| c.name != avoid && !self.is_down(&c.name))
    }

    /// Every channel with whether its gateway last reported it up.
    pub(crate) fn states(&self) -> Vec<(ChannelSpec, bool)> {
        self.channels.iter().map(|c| (c.clone(), !self.is_down(&c.name))).collect()
    }

    fn is_down(&self, channel: &str) -> bool {
        self.down.lock().expect("routes").contains(channel)
    }

    fn serves(ch: &ChannelSpec, number: &PhoneNumber) -> bool {
        ch.carriers.contains(&number.carrier())
            && (ch.prefixes.is_empty() || ch.prefixes.iter().any(|p| number.national().starts_with(p.as_str())))
    }

    /// The channel for `number`, or `None` when no channel serves it: the best one that is up,
    /// or, when all are down, the best one.
    pub(crate) fn pick(&self, number: &PhoneNumber) -> Option<&str> {
        self.pick_where(number, |c| !self.is_down(&c.name)).or_else(|| self.pick_where(number, |_| true))
    }

    fn pick_where(&self, number: &PhoneNumber, usable: impl Fn(&ChannelSpec) -> bool) -> Option<&str> {
        let ok = |c: &&ChannelSpec| Self::serves(c, number) && usable(c);
        let best = self.channels.iter().filter(ok).map(|c| c.priority).min()?;
        let tied: Vec<&ChannelSpec> = self.channels.iter().filter(|c| c.priority == best && ok(c)).collect();
        if let [only] = tied.as_slice() {
            return Some(&only.name);
        }
        let total: u64 = tied.iter().map(|c| u64::from(c.weight.max(1))).sum();
        let mut slot = self.turn.fetch_add(1, Ordering::Relaxed) % total;
        for c in &tied {
            let w = u64::from(c.weight.max(1));
            if slot < w {
                return Some(&c.name);
            }
            slot -= w;
        }
        tied.last().map(|c| c.name.as_str())
    }

    /// True when some channel serves `carrier` at all (for the rejection message).
    pub(crate) fn has_carrier(&self, carrier: Carrier) -> bool {
        self.channels.iter().any(|c| c.carriers.contains(&carrier))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, prefixes: &[&str], priority: u32, weight: u32) -> ChannelSpec {
        ChannelSpec {
            name: name.into(),
            carriers: vec![Carrier::ChinaMobile],
            prefixes: prefixes.iter().map(|p| p.to_string()).collect(),
            priority,
            weight,
        }
    }

    fn n(s: &str) -> PhoneNumber {
        PhoneNumber::parse(s).unwrap()
    }

    #[test]
    fn priority_then_weight() {
        let r = Routes::new(&[spec("backup", &[], 1, 100), spec("a", &[], 0, 3), spec("b", &[], 0, 1)]);
        let picks: Vec<&str> = (0..8).map(|_| r.pick(&n("13800138000")).unwrap()).collect();
        assert_eq!(picks.iter().filter(|p| **p == "a").count(), 6);
        assert_eq!(picks.iter().filter(|p| **p == "b").count(), 2);
        assert!(!picks.contains(&"backup"));
    }

    #[test]
    fn a_channel_that_is_down_is_passed_over_until_it_is_back() {
        let r = Routes::new(&[spec("primary", &[], 0, 1), spec("backup", &[], 1, 1)]);
        assert_eq!(r.pick(&n("13800138000")), Some("primary"));
        r.set_down("primary", true);
        assert_eq!(r.pick(&n("13800138000")), Some("backup"));
        assert_eq!(r.pick_other(&n("13800138000"), "primary"), Some("backup"));
        r.set_down("backup", true);
        assert_eq!(r.pick(&n("13800138000")), Some("primary"), "all down: the message waits at the preferred one");
        assert_eq!(r.pick_other(&n("13800138000"), "primary"), None);
        r.set_down("primary", false);
        r.set_down("backup", false);
        assert_eq!(r.pick(&n("13800138000")), Some("primary"), "traffic comes back");
    }

    #[test]
    fn prefixes_narrow_a_channel() {
        let r = Routes::new(&[spec("beijing", &["1380"], 0, 1), spec("rest", &[], 1, 1)]);
        assert_eq!(r.pick(&n("13800138000")), Some("beijing"));
        assert_eq!(r.pick(&n("13900139000")), Some("rest"));
        assert_eq!(r.pick(&n("18612345678")), None, "no channel serves Unicom");
        assert!(!r.has_carrier(Carrier::ChinaUnicom));
    }
}
