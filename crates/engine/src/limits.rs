//! Account rate and quotas, per-number frequency limits, and the blacklist.
//!
//! - **Rate** (messages a second) is a token bucket per account holding ten seconds' worth; a
//!   request that does not fit gets `429 rate_limited` as a whole.
//! - **Quotas** count billing segments per Beijing calendar day and month. The counters start
//!   from the store's sum at the beginning of each period (so a restart keeps them) and are
//!   reserved before the commit, so two concurrent requests cannot both squeeze under the limit.
//! - **Frequency** limits apply per number to verification messages (default 1 a minute, 5 an
//!   hour, 10 a day, configurable per account); a number over them is rejected by itself.
//! - The **blacklist** (global and per account) rejects numbers by themselves too.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use hongyan_store::{AccountLimits, StoreError};
use hongyan_types::{Category, CategoryKind, MessageId, Timestamp};

use crate::{AcceptError, Engine};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
/// How long an account's limits are used without asking the store again.
const LIMITS_TTL_MS: i64 = 10_000;
/// Platform defaults for verification messages to one number: per minute, hour, day.
pub const DEFAULT_VERIFICATION_LIMITS: (u32, u32, u32) = (1, 5, 10);

#[derive(Debug, Default)]
struct Usage {
    limits: AccountLimits,
    fetched: Option<Timestamp>,
    tokens: f64,
    refilled: Option<Timestamp>,
    day: Option<(Timestamp, u64)>,
    month: Option<(Timestamp, u64)>,
}

#[derive(Default)]
pub(crate) struct Limiter {
    // std Mutexes: map updates only, never held across an await.
    accounts: Mutex<HashMap<i64, Usage>>,
    sends: Mutex<HashMap<(i64, String), VecDeque<Timestamp>>>,
}

/// What a request reserved, to give back if its commit fails. Cloned only so a request's two
/// possible endings (its caller's, or `handover.rs`'s when the caller went away) can each hold
/// it; exactly one of them runs.
#[derive(Clone)]
pub(crate) struct Reservation {
    account_id: i64,
    segments: u64,
}

impl Engine {
    /// Makes the next request read the account's limits from the store again (after an
    /// administrator changed them through this engine).
    pub fn forget_account_limits(&self, account_id: i64) {
        if let Some(u) = self.limiter.accounts.lock().expect("limiter").get_mut(&account_id) {
            u.fetched = None;
        }
    }

    /// Loads (or refreshes) an account's limits and the period sums they are checked against.
    pub(crate) async fn refresh_usage(&self, account_id: i64, now: Timestamp) -> Result<(), StoreError> {
        let (stale, day, month) = {
            let map = self.limiter.accounts.lock().expect("limiter");
            let u = map.get(&account_id);
            let stale = u.and_then(|u| u.fetched).is_none_or(|t| now.as_millis() - t.as_millis() >= LIMITS_TTL_MS);
            let day = u.and_then(|u| u.day).is_none_or(|(start, _)| start != now.beijing_day_start());
            let month = u.and_then(|u| u.month).is_none_or(|(start, _)| start != now.beijing_month_start());
            (stale, day, month)
        };
        let limits = if stale { Some(self.store.account_limits(account_id).await?) } else { None };
        let day_used = if day {
            Some(self.store.segments_since(account_id, MessageId::floor(now.beijing_day_start())).await?)
        } else {
            None
        };
        let month_used = if month {
            Some(self.store.segments_since(account_id, MessageId::floor(now.beijing_month_start())).await?)
        } else {
            None
        };
        let mut map = self.limiter.accounts.lock().expect("limiter");
        let u = map.entry(account_id).or_default();
        if let Some(l) = limits {
            u.limits = l;
            u.fetched = Some(now);
        }
        if let Some(used) = day_used {
            u.day = Some((now.beijing_day_start(), used));
        }
        if let Some(used) = month_used {
            u.month = Some((now.beijing_month_start(), used));
        }
        Ok(())
    }

    /// Checks rate and quotas for `numbers` messages of `total` billing segments in all, and
    /// reserves them.
    pub(crate) async fn reserve(
        &self,
        account_id: i64,
        numbers: u64,
        total: u64,
        now: Timestamp,
    ) -> Result<Reservation, AcceptError> {
        self.refresh_usage(account_id, now).await?;
        let mut map = self.limiter.accounts.lock().expect("limiter");
        let u = map.entry(account_id).or_default();
        let (day_used, month_used) = (u.day.map_or(0, |d| d.1), u.month.map_or(0, |m| m.1));
        if let Some(q) = u.limits.daily_quota.filter(|q| day_used + total > *q) {
            return Err(AcceptError::QuotaExceeded { period: "daily", quota: q, used: day_used, needed: total });
        }
        if let Some(q) = u.limits.monthly_quota.filter(|q| month_used + total > *q) {
            return Err(AcceptError::QuotaExceeded { period: "monthly", quota: q, used: month_used, needed: total });
        }
        // Last, so a request refused for its quota does not use up rate.
        take_tokens(u, numbers, now)?;
        if let Some(d) = u.day.as_mut() {
            d.1 += total;
        }
        if let Some(m) = u.month.as_mut() {
            m.1 += total;
        }
        Ok(Reservation { account_id, segments: total })
    }

    /// Gives back a reservation whose messages were not stored.
    pub(crate) fn release(&self, r: Reservation) {
        if let Some(u) = self.limiter.accounts.lock().expect("limiter").get_mut(&r.account_id) {
            if let Some(d) = u.day.as_mut() {
                d.1 = d.1.saturating_sub(r.segments);
            }
            if let Some(m) = u.month.as_mut() {
                m.1 = m.1.saturating_sub(r.segments);
            }
        }
    }

    /// Each account's use of its quotas this Beijing day and month, as the limiter last saw
    /// them: (account, `daily`/`monthly`, used, quota). Accounts that have not sent since the
    /// start are not in it.
    pub(crate) fn quota_use(&self, now: Timestamp) -> Vec<(i64, &'static str, u64, u64)> {
        let map = self.limiter.accounts.lock().expect("limiter");
        let mut out = Vec::new();
        for (&id, u) in map.iter() {
            let day = u.day.filter(|d| d.0 == now.beijing_day_start());
            if let (Some((_, used)), Some(q)) = (day, u.limits.daily_quota) {
                out.push((id, "daily", used, q));
            }
            let month = u.month.filter(|m| m.0 == now.beijing_month_start());
            if let (Some((_, used)), Some(q)) = (month, u.limits.monthly_quota) {
                out.push((id, "monthly", used, q));
            }
        }
        out
    }

    /// For verification messages: the numbers over their frequency limits, with the reason.
    /// Nothing is counted here; [`Engine::record_sends`] counts what was stored.
    pub(crate) async fn over_frequency(
        &self,
        account_id: i64,
        numbers: &[String],
        category: Category,
        now: Timestamp,
    ) -> Result<HashMap<String, String>, StoreError> {
        if !category.is(CategoryKind::Verification) {
            return Ok(HashMap::new());
        }
        let limits =
            self.limiter.accounts.lock().expect("limiter").get(&account_id).map(|u| u.limits).unwrap_or_default();
        let (d_min, d_hour, d_day) = DEFAULT_VERIFICATION_LIMITS;
        let rules = [
            (MINUTE, limits.verification_per_minute.unwrap_or(d_min), "minute"),
            (HOUR, limits.verification_per_hour.unwrap_or(d_hour), "hour"),
            (DAY, limits.verification_per_day.unwrap_or(d_day), "day"),
        ];
        for n in numbers {
            let known = self.limiter.sends.lock().expect("sends").contains_key(&(account_id, n.clone()));
            if !known {
                let since = MessageId::floor(now.plus_millis(-DAY));
                let past = self.store.sent_to_since(account_id, n, category, since).await?;
                self.limiter.sends.lock().expect("sends").entry((account_id, n.clone())).or_insert_with(|| past.into());
            }
        }
        let mut over = HashMap::new();
        let mut sends = self.limiter.sends.lock().expect("sends");
        for n in numbers {
            let times = sends.entry((account_id, n.clone())).or_default();
            while times.front().is_some_and(|t| now.as_millis() - t.as_millis() >= DAY) {
                times.pop_front();
            }
            let hit = rules.iter().find(|(window, limit, _)| {
                *limit > 0
                    && times.iter().filter(|t| now.as_millis() - t.as_millis() < *window).count() >= *limit as usize
            });
            if let Some((_, limit, per)) = hit {
                over.insert(n.clone(), format!("at most {limit} verification message(s) per {per} to one number"));
            }
        }
        Ok(over)
    }

    /// Counts stored verification messages toward their numbers' frequency limits. (Two
    /// requests racing for one number may both pass the check; counting after the commit
    /// means a refused request never uses up the number's allowance.)
    pub(crate) fn record_sends<'a>(&self, account_id: i64, numbers: impl Iterator<Item = &'a str>, now: Timestamp) {
        let mut sends = self.limiter.sends.lock().expect("sends");
        for n in numbers {
            sends.entry((account_id, n.to_owned())).or_default().push_back(now);
        }
    }
}

fn take_tokens(u: &mut Usage, n: u64, now: Timestamp) -> Result<(), AcceptError> {
    let Some(rate) = u.limits.rate.filter(|r| *r > 0) else { return Ok(()) };
    let capacity = f64::from(rate) * 10.0;
    let elapsed =
        u.refilled.map_or(capacity, |t| (now.as_millis() - t.as_millis()).max(0) as f64 / 1000.0 * f64::from(rate));
    u.tokens = (u.tokens + elapsed).min(capacity);
    u.refilled = Some(now);
    if (n as f64) > u.tokens {
        let wait_ms = ((n as f64 - u.tokens) / f64::from(rate) * 1000.0).ceil() as u64;
        return Err(AcceptError::RateLimited { rate, retry_after_ms: wait_ms });
    }
    u.tokens -= n as f64;
    Ok(())
}
