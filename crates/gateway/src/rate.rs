//! The channel's contracted rate, shared by all its connections: a token bucket.

use std::sync::Mutex;
use std::time::Duration;

// tokio's: the monotonic clock in a running process, and a paused clock's in tests, like
// every other timer of the links.
use tokio::time::Instant;

/// Up to `rate` submits a second with bursts of at most `burst`.
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_sec: f64,
    burst: f64,
    // std Mutex: a few arithmetic operations, never held across an await.
    state: Mutex<(f64, Instant)>,
}

impl RateLimit {
    /// `None` rate = unlimited.
    pub(crate) fn new(rate: Option<u32>, now: Instant) -> Option<Self> {
        let per_sec = f64::from(rate?.max(1));
        // One tenth of a second's worth of burst, at least one.
        let burst = (per_sec / 10.0).max(1.0);
        Some(Self { per_sec, burst, state: Mutex::new((burst, now)) })
    }

    /// Takes a token, or says how long until one is there.
    pub(crate) fn try_take(&self, now: Instant) -> Result<(), Duration> {
        let mut s = self.state.lock().expect("rate lock");
        let (tokens, last) = *s;
        let refilled = (tokens + now.saturating_duration_since(last).as_secs_f64() * self.per_sec).min(self.burst);
        if refilled >= 1.0 {
            *s = (refilled - 1.0, now);
            Ok(())
        } else {
            *s = (refilled, now);
            Err(Duration::from_secs_f64((1.0 - refilled) / self.per_sec))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_rate_over_a_second() {
        let t0 = Instant::now();
        let r = RateLimit::new(Some(100), t0).unwrap();
        let mut sent = 0;
        for ms in 0..1000 {
            let now = t0 + Duration::from_millis(ms);
            while r.try_take(now).is_ok() {
                sent += 1;
            }
        }
        assert!((100..=111).contains(&sent), "{sent} in one second at 100/s (burst 10)");
    }

    #[test]
    fn says_how_long_to_wait() {
        let t0 = Instant::now();
        let r = RateLimit::new(Some(1), t0).unwrap();
        assert!(r.try_take(t0).is_ok());
        let wait = r.try_take(t0).unwrap_err();
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        assert!(RateLimit::new(None, t0).is_none());
    }
}
