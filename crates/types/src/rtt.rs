//! A histogram of round-trip times, small enough to keep one per channel per minute and to
//! merge any number of them into a period's percentiles.
//!
//! Buckets grow by a fifth: bucket `i` holds times up to `100 µs × 1.2^i`, so a percentile
//! read back is at most 20 % above the true value, from 0.1 ms to about 9 s; longer times
//! land in the last bucket (the exact maximum is kept beside the histogram by its owner).
//! Stored sparse: one byte of bucket index and four of count per bucket in use.

/// Number of buckets.
pub const RTT_BUCKETS: usize = 64;
const FIRST_US: f64 = 100.0;
const GROWTH: f64 = 1.2;

/// Counts of round trips by bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RttHistogram {
    counts: [u32; RTT_BUCKETS],
}

impl Default for RttHistogram {
    fn default() -> Self {
        Self { counts: [0; RTT_BUCKETS] }
    }
}

/// Bytes that are not a stored histogram.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a stored round-trip histogram: {0}")]
pub struct BadHistogram(&'static str);

impl RttHistogram {
    /// The upper bound of bucket `i`, in microseconds.
    pub fn bound_us(i: usize) -> u64 {
        (FIRST_US * GROWTH.powi(i as i32)).round() as u64
    }

    fn bucket(us: u64) -> usize {
        if us <= FIRST_US as u64 {
            return 0;
        }
        // The log gives the bucket to within one; the bounds decide exactly.
        let guess = ((us as f64 / FIRST_US).ln() / GROWTH.ln()).floor() as usize;
        (guess.saturating_sub(1)..RTT_BUCKETS).find(|&i| us <= Self::bound_us(i)).unwrap_or(RTT_BUCKETS - 1)
    }

    /// Counts one round trip.
    pub fn add(&mut self, us: u64) {
        let b = &mut self.counts[Self::bucket(us)];
        *b = b.saturating_add(1);
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &Self) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a = a.saturating_add(*b);
        }
    }

    /// Round trips counted.
    pub fn count(&self) -> u64 {
        self.counts.iter().map(|&c| u64::from(c)).sum()
    }

    /// The bound of the bucket that holds the `q`-quantile (`0.5` for the median), in
    /// microseconds; `None` when nothing was counted.
    pub fn quantile_us(&self, q: f64) -> Option<u64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * n as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return Some(Self::bound_us(i));
            }
        }
        Some(Self::bound_us(RTT_BUCKETS - 1))
    }

    /// The sparse stored form.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (i, &c) in self.counts.iter().enumerate().filter(|(_, &c)| c > 0) {
            out.push(i as u8);
            out.extend_from_slice(&c.to_le_bytes());
        }
        out
    }

    /// Reads the stored form back.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BadHistogram> {
        if !bytes.len().is_multiple_of(5) {
            return Err(BadHistogram("length is not a multiple of five"));
        }
        let mut h = Self::default();
        for entry in bytes.chunks_exact(5) {
            let i = usize::from(entry[0]);
            let slot = h.counts.get_mut(i).ok_or(BadHistogram("bucket out of range"))?;
            *slot = u32::from_le_bytes([entry[1], entry[2], entry[3], entry[4]]);
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_fifth_above_the_truth() {
        let mut h = RttHistogram::default();
        // 1..=1000 ms: median 500 ms, p99 990 ms.
        (1..=1000u64).for_each(|ms| h.add(ms * 1000));
        let p50 = h.quantile_us(0.5).unwrap();
        let p99 = h.quantile_us(0.99).unwrap();
        assert!((500_000..=600_000).contains(&p50), "{p50}");
        assert!((990_000..=1_188_000).contains(&p99), "{p99}");
        assert_eq!(h.count(), 1000);
        assert_eq!(RttHistogram::default().quantile_us(0.5), None);
    }

    #[test]
    fn every_value_lands_in_the_first_bucket_that_holds_it() {
        for us in [0, 1, 100, 101, 119, 120, 121, 5_000, 9_999_999, u64::MAX] {
            let b = RttHistogram::bucket(us);
            assert!(us <= RttHistogram::bound_us(b) || b == RTT_BUCKETS - 1, "{us} in {b}");
            assert!(b == 0 || us > RttHistogram::bound_us(b - 1), "{us} in {b}");
        }
    }

    #[test]
    fn stored_form_round_trips_and_merges() {
        let mut a = RttHistogram::default();
        [150, 150, 20_000, 3_000_000].into_iter().for_each(|us| a.add(us));
        let bytes = a.to_bytes();
        assert_eq!(bytes.len(), 15, "three buckets in use");
        let back = RttHistogram::from_bytes(&bytes).unwrap();
        assert_eq!(back, a);
        let mut m = back.clone();
        m.merge(&a);
        assert_eq!(m.count(), 8);
        assert!(RttHistogram::from_bytes(&[200, 1, 0, 0, 0]).is_err());
        assert!(RttHistogram::from_bytes(&[1, 2]).is_err());
    }
}
