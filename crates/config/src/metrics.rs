//! `[metrics]`: who may read `GET /metrics`.

use hongyan_types::Cidr;

use crate::walk::{self, Walker};

/// `[metrics]`: the Prometheus endpoint carries no personal data, but it does tell channel
/// names and volumes, so it answers only the address ranges listed. Loopback by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metrics {
    /// Address ranges allowed to scrape.
    pub allow: Vec<Cidr>,
}

impl Default for Metrics {
    fn default() -> Self {
        let loopback = ["127.0.0.0/8", "::1/128"].iter().filter_map(|c| Cidr::parse(c).ok()).collect();
        Self { allow: loopback }
    }
}

pub(crate) fn parse(w: &mut Walker, mut t: walk::Table) -> Metrics {
    let path = t.key_path("allow");
    let ranges = t.opt_str_array(w, "allow");
    t.finish(w);
    let Some(ranges) = ranges else { return Metrics::default() };
    let mut allow = Vec::new();
    for r in ranges {
        match Cidr::parse(&r) {
            Ok(c) => allow.push(c),
            Err(e) => w.problem(path.clone(), e.to_string()),
        }
    }
    Metrics { allow }
}
