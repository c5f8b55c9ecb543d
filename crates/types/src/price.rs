//! Money for statements: a price per billed segment, and an account's price table.
//!
//! Amounts are whole ten-thousandths of a yuan (0.0001 元), the finest unit SMS contracts
//! quote in, so sums are exact integers and never floating point. They are written as decimal
//! yuan: `"0.045"` in, `"0.0450"` out.

use std::fmt;

use crate::Carrier;

/// An amount of money in 0.0001 yuan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(pub i64);

/// The most a per-segment price may be (100 yuan): anything above is a typo.
pub const MAX_PRICE: Money = Money(1_000_000);

/// Not a price.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a price in yuan from 0 to 100 with at most 4 decimals, such as \"0.045\"")]
pub struct BadPrice(pub String);

impl Money {
    /// Parses a price per segment in yuan: digits, optionally a point and up to 4 decimals.
    pub fn parse_price(s: &str) -> Result<Self, BadPrice> {
        let bad = || BadPrice(s.to_owned());
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 3 || frac.len() > 4 || !digits(whole) || !digits(frac) {
            return Err(bad());
        }
        if s.ends_with('.') {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| bad())?;
        let frac: i64 = format!("{frac:0<4}").parse().map_err(|_| bad())?;
        let m = Self(whole * 10_000 + frac);
        if m > MAX_PRICE {
            return Err(bad());
        }
        Ok(m)
    }

    /// `self × n`, saturating (a statement never wraps round to a small bill).
    pub fn times(self, n: u64) -> Self {
        Self(self.0.saturating_mul(i64::try_from(n).unwrap_or(i64::MAX)))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let v = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:04}", v / 10_000, v % 10_000)
    }
}

impl std::ops::Add for Money {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

/// One line of a price table: a price for a carrier and/or a category; either left out
/// means "any".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRule {
    /// The carrier it applies to, or any.
    pub carrier: Option<Carrier>,
    /// The category name it applies to, or any.
    pub category: Option<String>,
    /// Per billed segment.
    pub price: Money,
}

/// An account's prices. The most specific rule wins: carrier and category, then category,
/// then carrier, then the rule with neither (the account's default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PriceTable(pub Vec<PriceRule>);

impl PriceTable {
    /// The table as stores keep it: one rule a line, `carrier|category|price` with `*` for
    /// any and the price in ten-thousandths of a yuan.
    pub fn stored(&self) -> String {
        let line = |r: &PriceRule| {
            let carrier = r.carrier.map_or("*", Carrier::as_str);
            format!("{carrier}|{}|{}", r.category.as_deref().unwrap_or("*"), r.price.0)
        };
        self.0.iter().map(line).collect::<Vec<_>>().join("\n")
    }

    /// The table from its stored form; a line that does not read is left out.
    pub fn from_stored(s: &str) -> Self {
        let rule = |l: &str| {
            let mut f = l.split('|');
            let (carrier, category, price) = (f.next()?, f.next()?, f.next()?.parse().ok()?);
            let carrier = if carrier == "*" { None } else { Some(Carrier::parse(carrier)?) };
            let category = (category != "*").then(|| category.to_owned());
            Some(PriceRule { carrier, category, price: Money(price) })
        };
        Self(s.lines().filter_map(rule).collect())
    }

    /// The price of one segment to `carrier` under `category`, if any rule covers it.
    pub fn price(&self, carrier: Carrier, category: &str) -> Option<Money> {
        self.0
            .iter()
            .filter(|r| r.carrier.is_none_or(|c| c == carrier))
            .filter(|r| r.category.as_deref().is_none_or(|c| c == category))
            .max_by_key(|r| (r.category.is_some(), r.carrier.is_some()))
            .map(|r| r.price)
    }

    /// Two rules for the same carrier and category would make the price depend on order.
    pub fn duplicate(&self) -> Option<&PriceRule> {
        self.0.iter().enumerate().find_map(|(i, r)| {
            self.0[..i].iter().any(|o| o.carrier == r.carrier && o.category == r.category).then_some(r)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_parse_exactly_and_print_with_four_decimals() {
        assert_eq!(Money::parse_price("0.045"), Ok(Money(450)));
        assert_eq!(Money::parse_price("0.0455").unwrap().to_string(), "0.0455");
        assert_eq!(Money::parse_price("1").unwrap().to_string(), "1.0000");
        assert_eq!(Money::parse_price("100").unwrap(), MAX_PRICE);
        for bad in ["", ".5", "1.", "0.00001", "-0.04", "1e-2", "0,045", "100.0001", "abc", "0.04 "] {
            assert!(Money::parse_price(bad).is_err(), "{bad:?} was taken");
        }
        assert_eq!(Money(450).times(3).to_string(), "0.1350");
        assert_eq!(Money(i64::MAX).times(2), Money(i64::MAX), "saturates, never wraps");
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let rule = |carrier, category: Option<&str>, price| PriceRule {
            carrier,
            category: category.map(str::to_owned),
            price: Money(price),
        };
        let table = PriceTable(vec![
            rule(None, None, 400),
            rule(Some(Carrier::ChinaTelecom), None, 380),
            rule(None, Some("marketing"), 550),
            rule(Some(Carrier::ChinaTelecom), Some("marketing"), 520),
        ]);
        assert_eq!(table.price(Carrier::ChinaMobile, "verification"), Some(Money(400)));
        assert_eq!(table.price(Carrier::ChinaTelecom, "verification"), Some(Money(380)));
        assert_eq!(table.price(Carrier::ChinaMobile, "marketing"), Some(Money(550)));
        assert_eq!(table.price(Carrier::ChinaTelecom, "marketing"), Some(Money(520)));
        assert_eq!(PriceTable(vec![rule(Some(Carrier::ChinaUnicom), None, 1)]).price(Carrier::ChinaMobile, "x"), None);
        assert!(table.duplicate().is_none());
        let twice = PriceTable(vec![rule(None, Some("a"), 1), rule(None, Some("a"), 2)]);
        assert_eq!(twice.duplicate().map(|r| r.price), Some(Money(2)));
    }
}
