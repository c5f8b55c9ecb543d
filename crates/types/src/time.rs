//! UTC timestamps, stored as milliseconds, shown in Beijing time.
//!
//! Hand-rolled civil-date arithmetic (Howard Hinnant's `days_from_civil`) instead of a date
//! crate: the platform only ever needs UTC ↔ UTC+8 with no daylight saving, and the carrier
//! protocols' compact formats (`MMDDHHMMSS`, `YYMMDDHHMM`).

use std::time::{SystemTime, UNIX_EPOCH};

/// China Standard Time is UTC+8 all year.
const BEIJING_OFFSET_MS: i64 = 8 * 3600 * 1000;

/// A point in time: milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// A broken-down wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    millis: u32,
}

impl Timestamp {
    /// From milliseconds since the epoch.
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Converts a system time (callers read the clock; this crate never does).
    pub fn from_system(t: SystemTime) -> Self {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Self(d.as_millis() as i64),
            Err(e) => Self(-(e.duration().as_millis() as i64)),
        }
    }

    /// RFC 3339 in Beijing time, e.g. `2026-11-29T08:06:22.123+08:00`.
    pub fn to_rfc3339_beijing(self) -> String {
        let c = civil(self.0 + BEIJING_OFFSET_MS);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+08:00",
            c.year, c.month, c.day, c.hour, c.minute, c.second, c.millis
        )
    }

    /// CMPP's CONNECT timestamp: `MMDDHHMMSS` in Beijing time as an integer.
    pub fn beijing_mmddhhmmss(self) -> u32 {
        let c = civil(self.0 + BEIJING_OFFSET_MS);
        c.month * 100_000_000 + c.day * 1_000_000 + c.hour * 10_000 + c.minute * 100 + c.second
    }

    /// The report time format of CMPP/SMGP: `YYMMDDHHMM` in Beijing time.
    pub fn beijing_yymmddhhmm(self) -> String {
        let c = civil(self.0 + BEIJING_OFFSET_MS);
        format!("{:02}{:02}{:02}{:02}{:02}", c.year.rem_euclid(100), c.month, c.day, c.hour, c.minute)
    }

    /// Parses RFC 3339 (`2026-11-29T08:00:00+08:00`, `…Z`, optional fraction). `None` when it
    /// is not a valid time.
    pub fn parse_rfc3339(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't' | b' ')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
        let (year, month, day) = (i64::from(num(0..4)?), num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let mut rest = &s[19..];
        let mut millis = 0i64;
        if let Some(frac) = rest.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            millis = frac[..digits.min(3)].parse::<i64>().ok()? * 10i64.pow(3 - digits.min(3) as u32);
            rest = &frac[digits..];
        }
        let offset_min = match rest {
            "Z" | "z" => 0,
            _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
                let sign = match rest.as_bytes()[0] {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let (h, m) = (rest[1..3].parse::<i64>().ok()?, rest[4..6].parse::<i64>().ok()?);
                sign * (h * 60 + m)
            }
            _ => return None,
        };
        let local = ((days_from_civil(year, month, day) * 24 + i64::from(hour)) * 60 + i64::from(minute)) * 60_000
            + i64::from(second) * 1000
            + millis;
        Some(Self(local - offset_min * 60_000))
    }

    /// Minutes since midnight, Beijing time (0–1439).
    pub fn beijing_minute_of_day(self) -> u32 {
        let c = civil(self.0 + BEIJING_OFFSET_MS);
        c.hour * 60 + c.minute
    }

    /// Parses `YYMMDDHHMM` (Beijing time, 20YY). `None` when it is not a valid time.
    pub fn parse_beijing_yymmddhhmm(s: &str) -> Option<Self> {
        if s.len() != 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = |i: usize| s[i..i + 2].parse::<u32>().ok();
        let (year, month, day, hour, minute) = (2000 + i64::from(n(0)?), n(2)?, n(4)?, n(6)?, n(8)?);
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) || hour > 23 || minute > 59 {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let local = ((days * 24 + i64::from(hour)) * 60 + i64::from(minute)) * 60_000;
        Some(Self(local - BEIJING_OFFSET_MS))
    }

    /// Midnight (00:00 Beijing time) of this time's Beijing day.
    pub fn beijing_day_start(self) -> Self {
        let local = self.0 + BEIJING_OFFSET_MS;
        Self(local - local.rem_euclid(86_400_000) - BEIJING_OFFSET_MS)
    }

    /// 00:00 Beijing time on the first day of this time's Beijing month.
    pub fn beijing_month_start(self) -> Self {
        let c = civil(self.0 + BEIJING_OFFSET_MS);
        Self(days_from_civil(c.year, c.month, 1) * 86_400_000 - BEIJING_OFFSET_MS)
    }

    /// The UTC month this time falls in, counted as `year × 12 + month − 1` (so consecutive
    /// months are consecutive numbers): the unit the cluster store partitions messages by.
    pub fn utc_month(self) -> i64 {
        let c = civil(self.0);
        c.year * 12 + i64::from(c.month) - 1
    }

    /// The first millisecond (UTC) of a month counted as [`Timestamp::utc_month`] counts.
    pub fn utc_month_start(month: i64) -> Self {
        let (year, month) = (month.div_euclid(12), month.rem_euclid(12) as u32 + 1);
        Self(days_from_civil(year, month, 1) * 86_400_000)
    }

    /// This time plus `ms` milliseconds.
    pub fn plus_millis(self, ms: i64) -> Self {
        Self(self.0 + ms)
    }
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(month) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(ms: i64) -> Civil {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: (in_day / 3_600_000) as u32,
        minute: (in_day / 60_000 % 60) as u32,
        second: (in_day / 1000 % 60) as u32,
        millis: (in_day % 1000) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-29T00:06:22.123Z
    const T: Timestamp = Timestamp::from_millis(1_795_910_782_123);

    #[test]
    fn formats_in_beijing_time() {
        assert_eq!(T.to_rfc3339_beijing(), "2026-11-29T08:06:22.123+08:00");
        assert_eq!(T.beijing_mmddhhmmss(), 1_129_080_622);
        assert_eq!(T.beijing_yymmddhhmm(), "2611290806");
    }

    #[test]
    fn epoch_and_leap_days() {
        assert_eq!(Timestamp::from_millis(0).to_rfc3339_beijing(), "1970-01-01T08:00:00.000+08:00");
        // 2024-02-29T12:00:00Z
        assert_eq!(Timestamp::from_millis(1_709_208_000_000).to_rfc3339_beijing(), "2024-02-29T20:00:00.000+08:00");
    }

    #[test]
    fn beijing_days_and_months_start_at_local_midnight() {
        // 2026-11-29T00:06:22Z is 08:06 in Beijing: the day began at 2026-11-28T16:00Z.
        assert_eq!(T.beijing_day_start().to_rfc3339_beijing(), "2026-11-29T00:00:00.000+08:00");
        assert_eq!(T.beijing_month_start().to_rfc3339_beijing(), "2026-11-01T00:00:00.000+08:00");
        // 2026-11-30T17:00Z is already December 1st in Beijing.
        let dec = Timestamp::from_millis(1_796_058_000_000);
        assert_eq!(dec.beijing_month_start().to_rfc3339_beijing(), "2026-12-01T00:00:00.000+08:00");
    }

    #[test]
    fn parses_rfc3339() {
        assert_eq!(Timestamp::parse_rfc3339("2026-11-29T08:06:22.123+08:00"), Some(T));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-29T00:06:22.123Z"), Some(T));
        assert_eq!(Timestamp::parse_rfc3339("2026-11-29T00:06:22.1Z"), Some(Timestamp::from_millis(1_795_910_782_100)));
        assert_eq!(Timestamp::parse_rfc3339(&T.to_rfc3339_beijing()), Some(T), "round trip");
        for bad in [
            "2026-11-29",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-29T25:00:00Z",
            "2026-11-29T08:06:22",
            "2026-11-29T08:06:22+0800",
            "2026-11-29T08:06:22.Z",
        ] {
            assert_eq!(Timestamp::parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(T.beijing_minute_of_day(), 8 * 60 + 6);
    }

    #[test]
    fn parses_report_times() {
        let t = Timestamp::parse_beijing_yymmddhhmm("2611290806").unwrap();
        assert_eq!(t.beijing_yymmddhhmm(), "2611290806");
        assert_eq!(t.as_millis(), 1_795_910_760_000);
        assert_eq!(Timestamp::parse_beijing_yymmddhhmm("2602300000"), None);
        assert_eq!(Timestamp::parse_beijing_yymmddhhmm("26112908"), None);
        assert_eq!(Timestamp::parse_beijing_yymmddhhmm("26x1290806"), None);
    }
}
