//! Carrier gateway simulators: the carrier's side of each protocol, for tests and for the
//! embedded default (`hongyan serve` with no config reaches the networks through them).
//!
//! What it owns: accepting logins with the carrier's own checks (CMPP's and SMGP's MD5
//! authenticators), answering submits with carrier message ids, generating status reports
//! after a configurable delay with a configurable outcome mix ([`Scenario`]), playing a bad
//! day (rate limits answered with the flow-control code, reports that overtake their
//! response, duplicate reports, dropped connections), counting what it saw ([`Counters`]),
//! and — like a real gateway — keeping reports it could not deliver in its own journal file
//! ([`ReportBook`]) and delivering them when the SP links up again, across restarts.
//!
//! What it does not do: share any business logic with the product. It depends on the protocol
//! crates only (and `types` for Beijing-time formatting, `seal` for the numbers in its
//! journal), so a misunderstanding in the engine or gateway cannot hide itself here.

pub mod cmpp;
mod counters;
#[macro_use]
mod driver;
mod ids;
mod ismg;
mod journal;
mod mo;
mod scenario;
pub mod sgip;
pub mod smgp;
pub mod smpp;

pub use counters::Counters;
pub use journal::{OwedReport, ReportBook};
pub use mo::MoMessage;
pub use scenario::{Outcome, Scenario, SmppReceiptForm};

use std::time::SystemTime;

use hongyan_types::Timestamp;

pub(crate) fn now_ms() -> i64 {
    Timestamp::from_system(SystemTime::now()).as_millis()
}
