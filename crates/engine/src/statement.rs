//! Statements: one account's sending volume and fees over a period of whole Beijing days,
//! per carrier and category, priced with the account's price table.
//!
//! What is billed is what the carrier accepted: a segment answered with result 0. Messages
//! refused before they left (blacklist, quota, content) and segments a carrier refused cost
//! nothing. A line no price rule covers shows its volume with no amount, and the total says
//! how many segments were left unpriced, so a missing rule is seen rather than billed as zero.

use hongyan_store::{MessageId, Money, StoreError, Timestamp, Usage};

use crate::Engine;

/// The longest period one statement covers.
pub const MAX_STATEMENT_DAYS: i64 = 366;

const DAY_MS: i64 = 86_400_000;

/// One carrier and category: its volume, priced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    /// Carrier, category and counts.
    pub usage: Usage,
    /// Price per segment, when a rule covers the line.
    pub unit_price: Option<Money>,
    /// `unit_price × billed_segments`.
    pub amount: Option<Money>,
}

/// A period's lines and totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The account.
    pub account_id: i64,
    /// First instant of the first day (Beijing).
    pub from: Timestamp,
    /// First instant after the last day.
    pub until: Timestamp,
    /// Per carrier and category, in that order.
    pub lines: Vec<StatementLine>,
    /// Messages over all lines.
    pub messages: u64,
    /// Billed segments over all lines.
    pub billed_segments: u64,
    /// Sum of the priced lines.
    pub amount: Money,
    /// Billed segments on lines without a price.
    pub unpriced_segments: u64,
}

/// Why a period was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// Not YYYY-MM-DD.
    #[error("`{0}` is not a date such as 2026-11-01")]
    BadDate(String),
    /// Ends before it starts, or is too long.
    #[error("the period must run forwards and cover at most {MAX_STATEMENT_DAYS} days")]
    BadSpan,
}

/// The Beijing day `YYYY-MM-DD` starts at this instant.
pub fn beijing_day(date: &str) -> Result<Timestamp, PeriodError> {
    let b = date.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    let t = shape.then(|| Timestamp::parse_rfc3339(&format!("{date}T00:00:00+08:00"))).flatten();
    // parse_rfc3339 rolls 02-30 over into March; a date that does not print back is not one.
    t.filter(|t| t.to_rfc3339_beijing().starts_with(date)).ok_or_else(|| PeriodError::BadDate(date.to_owned()))
}

/// The days `from` to `to`, both included.
pub fn period(from: &str, to: &str) -> Result<(Timestamp, Timestamp), PeriodError> {
    let (start, last) = (beijing_day(from)?, beijing_day(to)?);
    let days = (last.as_millis() - start.as_millis()) / DAY_MS + 1;
    if !(1..=MAX_STATEMENT_DAYS).contains(&days) {
        return Err(PeriodError::BadSpan);
    }
    Ok((start, last.plus_millis(DAY_MS)))
}

impl Statement {
    /// The statement as CSV, a line per carrier and category and a total line. Every field is a
    /// carrier or category name (a-z 0-9 _ -), a count or an amount, so none needs quoting.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("carrier,category,messages,billed_segments,delivered,unit_price,amount\n");
        for l in &self.lines {
            out.push_str(&l.csv());
        }
        out.push_str(&format!("total,,{},{},,,{}\n", self.messages, self.billed_segments, self.amount));
        out
    }

    /// The lines as JSON, as the API and the console show them.
    pub fn lines_json(&self) -> Vec<serde_json::Value> {
        self.lines.iter().map(StatementLine::json).collect()
    }
}

impl StatementLine {
    /// `carrier,category,messages,billed_segments,delivered,unit_price,amount` and a newline.
    fn csv(&self) -> String {
        let u = &self.usage;
        let opt = |m: Option<Money>| m.map(|m| m.to_string()).unwrap_or_default();
        let (carrier, category) = (u.carrier.as_str(), u.category.name());
        let (price, amount) = (opt(self.unit_price), opt(self.amount));
        format!("{carrier},{category},{},{},{},{price},{amount}\n", u.messages, u.billed_segments, u.delivered)
    }

    fn json(&self) -> serde_json::Value {
        let u = &self.usage;
        let money = |m: Option<Money>| m.map(|m| m.to_string());
        serde_json::json!({
            "carrier": u.carrier.as_str(), "category": u.category.name(), "messages": u.messages,
            "billed_segments": u.billed_segments, "delivered": u.delivered,
            "unit_price": money(self.unit_price), "amount": money(self.amount),
        })
    }
}

/// A contract's payment period, by name (from the configuration's `[[billing.period]]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPeriod {
    /// Its name.
    pub name: String,
    /// First Beijing day, `YYYY-MM-DD`.
    pub from: String,
    /// Last Beijing day, included.
    pub to: String,
}

/// Every account's statement over one period, for the platform's own invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllStatements {
    /// One per account that sent in the period, with its name, by account id.
    pub accounts: Vec<(String, Statement)>,
    /// Messages over all accounts.
    pub messages: u64,
    /// Billed segments over all accounts.
    pub billed_segments: u64,
    /// Amount over all accounts.
    pub amount: Money,
}

impl AllStatements {
    /// As CSV: the accounts' lines with the account first, then the grand total.
    pub fn to_csv(&self) -> String {
        let mut out =
            String::from("account_id,account,carrier,category,messages,billed_segments,delivered,unit_price,amount\n");
        for (name, s) in &self.accounts {
            let name = crate::csv::field(name);
            for l in &s.lines {
                out.push_str(&format!("{},{name},{}", s.account_id, l.csv()));
            }
        }
        out.push_str(&format!("total,,,,{},{},,,{}\n", self.messages, self.billed_segments, self.amount));
        out
    }
}

impl Engine {
    /// Sets the contract's payment periods (at start, from the configuration).
    pub fn set_billing_periods(&self, periods: Vec<NamedPeriod>) {
        *self.periods.write().expect("periods") = periods;
    }

    /// The contract's payment periods.
    pub fn billing_periods(&self) -> Vec<NamedPeriod> {
        self.periods.read().expect("periods").clone()
    }

    /// The days of a named payment period.
    pub fn billing_period(&self, name: &str) -> Option<(Timestamp, Timestamp)> {
        let periods = self.periods.read().expect("periods");
        periods.iter().find(|p| p.name == name).and_then(|p| period(&p.from, &p.to).ok())
    }

    /// Every account's statement of `[from, until)` (accounts that sent nothing left out).
    pub async fn all_statements(&self, from: Timestamp, until: Timestamp) -> Result<AllStatements, StoreError> {
        let mut all = AllStatements { accounts: Vec::new(), messages: 0, billed_segments: 0, amount: Money(0) };
        for a in self.store.list_accounts().await? {
            let s = self.statement(a.id, from, until).await?;
            if s.lines.is_empty() {
                continue;
            }
            all.messages += s.messages;
            all.billed_segments += s.billed_segments;
            all.amount = all.amount + s.amount;
            all.accounts.push((a.name, s));
        }
        Ok(all)
    }

    /// The statement of `[from, until)`: each message at the price fixed when it was accepted.
    pub async fn statement(&self, account_id: i64, from: Timestamp, until: Timestamp) -> Result<Statement, StoreError> {
        let usage = self.store.usage(account_id, MessageId::floor(from), MessageId::floor(until)).await?;
        Ok(total(account_id, (from, until), usage))
    }
}

fn total(account_id: i64, (from, until): (Timestamp, Timestamp), usage: Vec<Usage>) -> Statement {
    let mut s = Statement {
        account_id,
        from,
        until,
        lines: Vec::new(),
        messages: 0,
        billed_segments: 0,
        amount: Money(0),
        unpriced_segments: 0,
    };
    for u in usage {
        // The price per segment: the one price of the line, or the average over the period
        // when the price changed within it.
        let unit_price = (u.priced_segments > 0).then(|| Money(u.amount.0 / u.priced_segments as i64));
        // An amount when every billed segment had its price (none billed yet: zero).
        let amount = (u.priced_segments >= u.billed_segments).then_some(u.amount);
        s.messages += u.messages;
        s.billed_segments += u.billed_segments;
        s.amount = s.amount + u.amount;
        s.unpriced_segments += u.billed_segments - u.priced_segments.min(u.billed_segments);
        s.lines.push(StatementLine { usage: u, unit_price, amount });
    }
    s
}
