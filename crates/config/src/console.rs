//! `[console]`: console logins.

use hongyan_types::Cidr;

use crate::walk::{self, Walker};

/// `[console]`: how console logins are guarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Console {
    /// Address ranges from which a user's lock-out does not apply (only the per-address
    /// throttle does), so an administrator can log in while an attacker keeps the name
    /// locked. Loopback by default.
    pub login_trusted: Vec<Cidr>,
}

impl Default for Console {
    fn default() -> Self {
        let loopback = ["127.0.0.0/8", "::1/128"].iter().filter_map(|c| Cidr::parse(c).ok()).collect();
        Self { login_trusted: loopback }
    }
}

pub(crate) fn parse(w: &mut Walker, mut t: walk::Table) -> Console {
    let path = t.key_path("login_trusted");
    let ranges = t.opt_str_array(w, "login_trusted");
    t.finish(w);
    let Some(ranges) = ranges else { return Console::default() };
    let mut login_trusted = Vec::new();
    for r in ranges {
        match Cidr::parse(&r) {
            Ok(c) => login_trusted.push(c),
            Err(e) => w.problem(path.clone(), e.to_string()),
        }
    }
    Console { login_trusted }
}
