//! What the console login remembers in memory: failures per source address (a throttle that
//! holds whatever user names an attacker cycles through), failures per user name that does
//! not exist (counted and "locked" exactly like a real user, so the lock tells nothing about
//! which names exist), and the address ranges from which a user's lock does not apply (so an
//! administrator can still log in while someone else keeps the account locked).
//!
//! Both maps are bounded: at [`MAX_TRACKED`] entries the expired ones are dropped and, if that
//! is not enough, the whole map is cleared. Clearing forgets counts, so it favours the
//! attacker slightly; it cannot make the process run out of memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, RwLock};

use hongyan_types::Cidr;

use crate::users::{LOCK_MS, MAX_FAILED_LOGINS};

/// Failed logins from one address before the address is throttled.
pub const MAX_ADDRESS_FAILURES: u32 = 20;
/// How long an address stays throttled, and how long its failures are counted.
pub const ADDRESS_WINDOW_MS: i64 = 15 * 60 * 1000;
/// Entries kept per map before old ones are dropped.
const MAX_TRACKED: usize = 100_000;

/// Failures counted since `since`, and a block until `until` (ms since the epoch).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    failures: u32,
    since: i64,
    until: i64,
}

/// The in-memory side of the login lock-out.
#[derive(Debug)]
pub(crate) struct LoginGuard {
    addresses: Mutex<HashMap<String, Tally>>,
    unknown_names: Mutex<HashMap<String, Tally>>,
    trusted: RwLock<Vec<Cidr>>,
}

impl Default for LoginGuard {
    fn default() -> Self {
        Self { addresses: Mutex::default(), unknown_names: Mutex::default(), trusted: RwLock::new(default_trusted()) }
    }
}

/// Loopback (IPv4 and IPv6): the operator on the machine itself.
pub fn default_trusted() -> Vec<Cidr> {
    ["127.0.0.0/8", "::1/128"].iter().filter_map(|c| Cidr::parse(c).ok()).collect()
}

fn lock(map: &Mutex<HashMap<String, Tally>>) -> std::sync::MutexGuard<'_, HashMap<String, Tally>> {
    map.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Adds a failure to `key`'s tally; blocks it for `block_ms` at `max` failures (and starts the
/// count again, as the store does for users). Returns whether this failure blocked it.
fn count(map: &Mutex<HashMap<String, Tally>>, key: &str, now: i64, max: u32, block_ms: i64) -> bool {
    let mut map = lock(map);
    if map.len() >= MAX_TRACKED && !map.contains_key(key) {
        map.retain(|_, t| t.until > now || now - t.since < ADDRESS_WINDOW_MS);
        if map.len() >= MAX_TRACKED {
            map.clear();
        }
    }
    let t = map.entry(key.to_owned()).or_default();
    if now - t.since >= ADDRESS_WINDOW_MS {
        *t = Tally { failures: 0, since: now, until: t.until };
    }
    t.failures += 1;
    if t.failures >= max {
        *t = Tally { failures: 0, since: now, until: now + block_ms };
        return true;
    }
    false
}

fn blocked(map: &Mutex<HashMap<String, Tally>>, key: &str, now: i64) -> bool {
    lock(map).get(key).is_some_and(|t| t.until > now)
}

impl LoginGuard {
    /// Replaces the ranges from which a user's lock does not apply.
    pub(crate) fn set_trusted(&self, ranges: Vec<Cidr>) {
        *self.trusted.write().unwrap_or_else(std::sync::PoisonError::into_inner) = ranges;
    }

    /// Whether `address` is in one of the trusted ranges (`-` and other non-addresses are not).
    pub(crate) fn trusted(&self, address: &str) -> bool {
        let Ok(ip) = address.parse::<IpAddr>() else { return false };
        self.trusted.read().unwrap_or_else(std::sync::PoisonError::into_inner).iter().any(|c| c.contains(ip))
    }

    /// Whether `address` is throttled now.
    pub(crate) fn address_blocked(&self, address: &str, now: i64) -> bool {
        blocked(&self.addresses, address, now)
    }

    /// Counts a failure from `address`.
    pub(crate) fn address_failed(&self, address: &str, now: i64) {
        count(&self.addresses, address, now, MAX_ADDRESS_FAILURES, ADDRESS_WINDOW_MS);
    }

    /// Whether the unknown name is "locked", as a real user would be.
    pub(crate) fn name_locked(&self, name: &str, now: i64) -> bool {
        blocked(&self.unknown_names, name, now)
    }

    /// Counts a failure for an unknown name; returns whether this one locked it.
    pub(crate) fn name_failed(&self, name: &str, now: i64) -> bool {
        count(&self.unknown_names, name, now, MAX_FAILED_LOGINS, LOCK_MS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_at_the_limit_and_free_after_the_window() {
        let g = LoginGuard::default();
        for _ in 0..MAX_ADDRESS_FAILURES - 1 {
            g.address_failed("192.0.2.1", 1000);
        }
        assert!(!g.address_blocked("192.0.2.1", 1000));
        g.address_failed("192.0.2.1", 1000);
        assert!(g.address_blocked("192.0.2.1", 1000));
        assert!(!g.address_blocked("192.0.2.2", 1000), "only that address");
        assert!(!g.address_blocked("192.0.2.1", 1000 + ADDRESS_WINDOW_MS), "lifted after the window");
    }

    #[test]
    fn loopback_is_trusted_by_default_and_the_list_can_be_replaced() {
        let g = LoginGuard::default();
        assert!(g.trusted("127.0.0.1") && g.trusted("::1") && !g.trusted("10.0.0.1") && !g.trusted("-"));
        g.set_trusted(vec![Cidr::parse("10.0.0.0/8").unwrap()]);
        assert!(g.trusted("10.1.2.3") && !g.trusted("127.0.0.1"));
    }
}
