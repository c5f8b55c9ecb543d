//! Carrier gateway simulators: the carrier's side of each protocol, for tests and for the
//! embedded default (`hongyan serve` with no config reaches China Mobile through one).
//!
//! What it owns: accepting logins with the carrier's own checks (CMPP's MD5 authenticator),
//! answering submits with carrier message ids, generating status reports after a configurable
//! delay, and — like a real gateway — keeping reports it could not deliver in its own small
//! journal file and delivering them when the SP links up again, across restarts.
//!
//! What it does not do: share any business logic with the product. It depends on the protocol
//! crates only, so a misunderstanding in the engine or gateway cannot hide itself here.
//!
//! Today: CMPP 2.0/3.0 ([`cmpp`]). SGIP, SMGP and SMPP and scenario knobs (outcome mix,
//! throttling, dropped links, MO) follow in issue 3.

pub mod cmpp;
mod journal;

pub use journal::ReportBook;
