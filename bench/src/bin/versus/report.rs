//! What a scenario prints: one Markdown table (a row per peer, with the Hongyan/Kannel ratio
//! when both ran) and one JSON line with the same figures.

use std::fmt::Write as _;

use crate::timeline::Percentiles;

/// One peer's figures in one scenario.
#[derive(Debug, Default)]
pub(crate) struct Row {
    pub(crate) peer: &'static str,
    pub(crate) seconds: f64,
    /// The scenario's headline rate (its title line says what it counts).
    pub(crate) rate: f64,
    pub(crate) cpu_per_1000: f64,
    pub(crate) rss_mib: f64,
    pub(crate) http_failed: u64,
    pub(crate) missing: u64,
    pub(crate) extra: u64,
    pub(crate) other_pdus: u64,
    /// Numbers not reported delivered at the receiver or the client (the receipts scenarios).
    pub(crate) reports_missing: u64,
    /// Request written → its submit_sm at the sink.
    pub(crate) to_submit: Option<Percentiles>,
    /// Request written → its report at the receiver or the client (the receipts scenarios).
    pub(crate) to_report: Option<Percentiles>,
    /// Receipts the peer refused at the sink.
    pub(crate) receipts_refused: u64,
    /// Numbers or submits the gateway refused (rejected, duplicates, error statuses).
    pub(crate) refused: u64,
    /// Anything else that went wrong, said in `failures`.
    pub(crate) other_errors: u64,
    pub(crate) completed: bool,
    /// The scenario's own figures: more columns and JSON keys.
    pub(crate) extras: Vec<Extra>,
}

/// One figure of a scenario's own: a table column and a JSON key. NaN prints as "–"/null.
#[derive(Debug, Clone)]
pub(crate) struct Extra {
    pub(crate) head: &'static str,
    pub(crate) key: &'static str,
    pub(crate) value: f64,
    pub(crate) decimals: usize,
}

impl Extra {
    pub(crate) fn new(head: &'static str, key: &'static str, value: f64, decimals: usize) -> Self {
        Self { head, key, value, decimals }
    }
}

impl Row {
    pub(crate) fn errors(&self) -> u64 {
        self.http_failed
            + self.missing
            + self.extra
            + self.other_pdus
            + self.reports_missing
            + self.receipts_refused
            + self.refused
            + self.other_errors
    }
}

/// A scenario's printout.
pub(crate) struct Table<'a> {
    pub(crate) scenario: &'static str,
    /// The line above the table: the load, and what the rate column counts.
    pub(crate) title: String,
    /// Lines under the title (a peer skipped, how to read a column).
    pub(crate) notes: Vec<String>,
    pub(crate) rows: &'a [Row],
    /// Show the request → report column.
    pub(crate) reports: bool,
    /// Scenario-level JSON fields, values already JSON.
    pub(crate) params: Vec<(&'static str, String)>,
}

impl Table<'_> {
    pub(crate) fn print(&self) {
        println!("{}", self.title);
        println!();
        for n in &self.notes {
            println!("{n}");
        }
        if !self.notes.is_empty() {
            println!();
        }
        let extras: Vec<&'static str> =
            self.rows.first().map(|r| r.extras.iter().map(|e| e.head).collect()).unwrap_or_default();
        let mut head = "| peer | msg/s | seconds | CPU s / 1000 msg | peak RSS MB | errors \
                        | request → submit ms p50 / p99 / max |"
            .to_owned();
        let mut rule = "|---|---:|---:|---:|---:|---:|---:|".to_owned();
        if self.reports {
            head.push_str(" request → report ms p50 / p99 / max |");
            rule.push_str("---:|");
        }
        for h in &extras {
            let _ = write!(head, " {h} |");
            rule.push_str("---:|");
        }
        println!("{head}\n{rule}");
        for r in self.rows {
            println!("{}", self.line(r));
        }
        let ratio = ratio(self.rows);
        if let Some((rate, cpu, rss)) = ratio {
            let rest = " |".repeat(usize::from(self.reports) + extras.len());
            println!("| Hongyan / Kannel | {rate:.2}× | | {cpu:.2}× | {rss:.2}× | | |{rest}");
        }
        println!();
        println!("{}", self.json(ratio));
    }

    fn line(&self, r: &Row) -> String {
        let mut line = format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.peer,
            num(r.rate, 0),
            num(r.seconds, 2),
            num(r.cpu_per_1000, 3),
            num(r.rss_mib, 1),
            r.errors(),
            cell(r.to_submit)
        );
        if self.reports {
            let _ = write!(line, " {} |", cell(r.to_report));
        }
        for e in &r.extras {
            let _ = write!(line, " {} |", num(e.value, e.decimals));
        }
        line
    }

    fn json(&self, ratio: Option<(f64, f64, f64)>) -> String {
        let peers: Vec<String> = self.rows.iter().map(peer_json).collect();
        let ratio = ratio.map_or_else(
            || "null".to_owned(),
            |(rate, cpu, rss)| format!(r#"{{"msg_per_s":{rate:.3},"cpu_per_msg":{cpu:.3},"peak_rss":{rss:.3}}}"#),
        );
        let mut out = format!(r#"{{"scenario":"{}""#, self.scenario);
        for (k, v) in &self.params {
            let _ = write!(out, r#","{k}":{v}"#);
        }
        let _ = write!(out, r#","peers":[{}],"ratio_hongyan_over_kannel":{ratio}}}"#, peers.join(","));
        out
    }
}

fn peer_json(r: &Row) -> String {
    let mut out = format!(
        r#"{{"peer":"{}","completed":{},"msg_per_s":{},"seconds":{},"cpu_s_per_1000":{},"peak_rss_mb":{},"errors":{},"http_failed":{},"missing":{},"extra":{},"other_pdus":{},"reports_missing":{},"receipts_refused":{},"refused":{},"other_errors":{},"request_to_submit_ms":{},"request_to_report_ms":{}"#,
        r.peer,
        r.completed,
        json_num(r.rate, 1),
        json_num(r.seconds, 3),
        json_num(r.cpu_per_1000, 4),
        json_num(r.rss_mib, 1),
        r.errors(),
        r.http_failed,
        r.missing,
        r.extra,
        r.other_pdus,
        r.reports_missing,
        r.receipts_refused,
        r.refused,
        r.other_errors,
        json_percentiles(r.to_submit),
        json_percentiles(r.to_report)
    );
    for e in &r.extras {
        let _ = write!(out, r#","{}":{}"#, e.key, json_num(e.value, e.decimals.max(1)));
    }
    out.push('}');
    out
}

fn num(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "–".to_owned()
    }
}

fn json_num(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "null".to_owned()
    }
}

fn cell(p: Option<Percentiles>) -> String {
    p.map_or_else(|| "–".to_owned(), |p| format!("{:.1} / {:.1} / {:.1}", p.p50, p.p99, p.max))
}

fn json_percentiles(p: Option<Percentiles>) -> String {
    p.map_or_else(
        || "null".to_owned(),
        |p| format!(r#"{{"p50":{:.2},"p99":{:.2},"p99_9":{:.2},"max":{:.2}}}"#, p.p50, p.p99, p.p999, p.max),
    )
}

/// Hongyan's figures over Kannel's: msg/s, CPU per message, peak RSS.
fn ratio(rows: &[Row]) -> Option<(f64, f64, f64)> {
    let [h, k] = rows else { return None };
    if k.peer != crate::peers::Peer::Kannel.label() {
        return None;
    }
    Some((h.rate / k.rate, h.cpu_per_1000 / k.cpu_per_1000, h.rss_mib / k.rss_mib))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extras_become_columns_and_keys_and_nan_prints_as_missing() {
        let row = Row {
            peer: "Hongyan",
            rate: f64::NAN,
            completed: true,
            extras: vec![Extra::new("ready ms", "ready_ms", 412.345, 1)],
            ..Row::default()
        };
        let table = Table {
            scenario: "startup",
            title: String::new(),
            notes: Vec::new(),
            rows: std::slice::from_ref(&row),
            reports: false,
            params: vec![("messages", "10".into())],
        };
        assert!(table.line(&row).starts_with("| Hongyan | – |"), "{}", table.line(&row));
        assert!(table.line(&row).ends_with(" 412.3 |"));
        let v: serde_json::Value = serde_json::from_str(&table.json(None)).expect("JSON");
        assert_eq!(v["peers"][0]["ready_ms"], 412.3);
        assert_eq!(v["peers"][0]["msg_per_s"], serde_json::Value::Null);
        assert_eq!(v["messages"], 10);
    }
}
