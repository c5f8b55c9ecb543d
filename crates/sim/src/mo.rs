//! MO (mobile-originated) messages a simulated gateway sends to an SP, e.g. a "TD" reply.
//!
//! Each SP account gets the scenario's list once, delivered when one of its sessions can take
//! deliveries; one that is not acknowledged goes back to wait for the next session.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

/// One MO message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoMessage {
    /// The handset that sent it (11 digits).
    pub from: String,
    /// Its text.
    pub text: String,
    /// The SP number it was sent to (access number and extension); empty: the SP's login.
    pub to: String,
}

impl MoMessage {
    /// The destination to put in the PDU for SP account `sp`.
    pub(crate) fn dest<'a>(&'a self, sp: &'a str) -> &'a str {
        if self.to.is_empty() {
            sp
        } else {
            &self.to
        }
    }
}

/// Prefix of the in-flight key that tells an MO from a report.
const KEY_PREFIX: &str = "MO:";

/// MO messages waiting per SP account.
#[derive(Debug, Default)]
pub(crate) struct MoBox {
    // std Mutex: queue operations only, never held across an await.
    inner: Mutex<Queues>,
}

#[derive(Debug, Default)]
struct Queues {
    waiting: HashMap<String, VecDeque<MoMessage>>,
    /// Accounts whose copy of the scenario's list has been queued.
    seeded: HashSet<String>,
}

impl Queues {
    fn of(&mut self, sp: &str, all: &[MoMessage]) -> &mut VecDeque<MoMessage> {
        if self.seeded.insert(sp.to_owned()) {
            self.waiting.insert(sp.to_owned(), all.iter().cloned().collect());
        }
        self.waiting.entry(sp.to_owned()).or_default()
    }
}

impl MoBox {
    /// The next MO for `sp`; the scenario's list is queued for it the first time it asks.
    pub(crate) fn take(&self, sp: &str, all: &[MoMessage]) -> Option<MoMessage> {
        self.inner.lock().expect("mo lock").of(sp, all).pop_front()
    }

    /// True when `sp` has MO waiting (seeding its list as `take` would).
    pub(crate) fn pending(&self, sp: &str, all: &[MoMessage]) -> bool {
        !self.inner.lock().expect("mo lock").of(sp, all).is_empty()
    }

    /// An MO that was not acknowledged waits again, first in line.
    pub(crate) fn put_back(&self, sp: &str, mo: MoMessage) {
        self.inner.lock().expect("mo lock").waiting.entry(sp.to_owned()).or_default().push_front(mo);
    }

    /// The key an in-flight MO is tracked under, beside report ids.
    pub(crate) fn key(mo: &MoMessage) -> String {
        format!("{KEY_PREFIX}{}:{}:{}", mo.to, mo.from, mo.text)
    }

    /// The MO behind an in-flight key, or `None` for a report id.
    pub(crate) fn parse(key: &str) -> Option<MoMessage> {
        let (to, rest) = key.strip_prefix(KEY_PREFIX)?.split_once(':')?;
        let (from, text) = rest.split_once(':')?;
        Some(MoMessage { from: from.to_owned(), text: text.to_owned(), to: to.to_owned() })
    }
}

/// An in-flight delivery (report or MO) was acknowledged: count it, strike a report.
pub(crate) fn acked(book: &crate::ReportBook, counters: &crate::Counters, key: &str) {
    if MoBox::parse(key).is_some() {
        crate::Counters::bump(&counters.mo_acked);
    } else {
        crate::Counters::bump(&counters.reports_acked);
        if let Err(e) = book.ack(key) {
            tracing::error!(error = %e, "simulator: journal write failed");
        }
    }
}

/// An in-flight delivery was not acknowledged: it is owed again.
pub(crate) fn released(book: &crate::ReportBook, mo: &MoBox, sp: &str, key: &str) {
    match MoBox::parse(key) {
        Some(m) => mo.put_back(sp, m),
        None => book.release(key),
    }
}

/// UTF-16BE, how every simulator carries MO text.
pub(crate) fn ucs2(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_account_gets_the_list_once_and_refusals_wait_again() {
        let all = vec![MoMessage { from: "13800138000".into(), text: "TD".into(), to: String::new() }];
        let b = MoBox::default();
        let mo = b.take("a", &all).unwrap();
        assert_eq!(MoBox::parse(&MoBox::key(&mo)), Some(mo.clone()));
        assert!(b.take("a", &all).is_none());
        b.put_back("a", mo);
        assert!(b.take("a", &all).is_some());
        assert!(b.take("b", &all).is_some(), "another account gets its own copy");
        assert_eq!(MoBox::parse("12345"), None);
        assert_eq!(ucs2("TD退订"), vec![0, b'T', 0, b'D', 0x90, 0x00, 0x8B, 0xA2]);
    }
}
