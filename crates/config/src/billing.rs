//! `[[billing.period]]`: the contract's payment periods (the bureau pays in instalments, each
//! against the volume and fees of its period), named so statements can be asked for by name.

use hongyan_types::Timestamp;

use crate::walk::{Table, Walker};

/// One payment period: whole Beijing days from `from` to `to`, both included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingPeriod {
    /// Its name, e.g. `第一期`.
    pub name: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, included.
    pub to: String,
}

/// The first instant of a Beijing day written `YYYY-MM-DD`, if it is one.
fn day(date: &str) -> Option<Timestamp> {
    let t = Timestamp::parse_rfc3339(&format!("{date}T00:00:00+08:00"))?;
    (date.len() == 10 && t.to_rfc3339_beijing().starts_with(date)).then_some(t)
}

/// Reads `[billing]`: its `period` list, every problem recorded.
pub(crate) fn parse(w: &mut Walker, mut t: Table) -> Vec<BillingPeriod> {
    let tables = t.array_of_tables(w, "period");
    t.finish(w);
    let mut out: Vec<BillingPeriod> = Vec::new();
    for (i, mut p) in tables.into_iter().enumerate() {
        let path = |key: &str| format!("billing.period[{i}].{key}");
        let name = p.req_str(w, "name");
        let from = p.req_str(w, "from");
        let to = p.req_str(w, "to");
        p.finish(w);
        let (Some(name), Some(from), Some(to)) = (name, from, to) else { continue };
        if name.trim().is_empty() || name.chars().count() > 64 || out.iter().any(|o| o.name == name) {
            w.problem(path("name"), format!("`{name}` is empty, longer than 64 characters or used twice"));
            continue;
        }
        match (day(&from), day(&to)) {
            (None, _) => w.problem(path("from"), format!("`{from}` is not a date such as 2027-01-01")),
            (_, None) => w.problem(path("to"), format!("`{to}` is not a date such as 2027-03-31")),
            (Some(a), Some(b)) if b < a || (b.as_millis() - a.as_millis()) / 86_400_000 >= 366 => {
                w.problem(path("to"), "a period runs forwards and covers at most 366 days")
            }
            _ => out.push(BillingPeriod { name, from, to }),
        }
    }
    out
}
