//! Quiet hours: a daily period (Beijing time) when marketing is held, not sent.

use crate::Timestamp;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// Beijing-time minutes of day `[start, end)` when marketing is not sent; may span midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// Start, minutes after midnight.
    pub start: u32,
    /// End, minutes after midnight.
    pub end: u32,
}

impl QuietHours {
    /// Parses `21:00-08:00`.
    pub fn parse(s: &str) -> Option<Self> {
        let (a, b) = s.split_once('-')?;
        let minutes = |t: &str| {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let (start, end) = (minutes(a)?, minutes(b)?);
        (start != end).then_some(Self { start, end })
    }

    fn covers(self, minute: u32) -> bool {
        if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }

    /// `t`, or the end of the quiet period `t` falls in.
    pub fn next_allowed(self, t: Timestamp) -> Timestamp {
        if !self.covers(t.beijing_minute_of_day()) {
            return t;
        }
        let end = t.beijing_day_start().plus_millis(i64::from(self.end) * 60_000);
        if end > t {
            end
        } else {
            end.plus_millis(DAY_MS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-29 at `h:m` Beijing time.
    fn at(h: i64, m: i64) -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-29T00:00:00+08:00").unwrap().plus_millis((h * 60 + m) * 60_000)
    }

    #[test]
    fn quiet_hours_span_midnight() {
        let q = QuietHours::parse("21:00-08:00").unwrap();
        assert_eq!(q.next_allowed(at(12, 0)), at(12, 0));
        assert_eq!(q.next_allowed(at(21, 30)), at(32, 0), "held to 08:00 the next day");
        assert_eq!(q.next_allowed(at(3, 0)), at(8, 0));
        assert_eq!(q.next_allowed(at(8, 0)), at(8, 0));
        let day = QuietHours::parse("12:00-13:30").unwrap();
        assert_eq!(day.next_allowed(at(12, 15)), at(13, 30));
        assert!(QuietHours::parse("25:00-08:00").is_none());
        assert!(QuietHours::parse("08:00-08:00").is_none());
    }
}
