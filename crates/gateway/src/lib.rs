//! Hongyan's protocol edges: the carrier links.
//!
//! What it owns: running a protocol session (from a `*-proto` crate) over a TCP stream,
//! feeding it work from the engine's dispatch queue, and mapping what comes back (submit
//! responses, status reports) to domain values for the engine. One module per protocol, each
//! split into `outbound` (we are the client of a carrier) and `map` (PDU ↔ domain, the only
//! place the two meet).
//!
//! What it does not do: decide anything about a message (engine), parse bytes (the proto
//! crates), or know whether the peer is a real gateway or a simulator.
//!
//! Today: CMPP 2.0/3.0 client links. SGIP, SMGP, SMPP and the servers for client systems
//! follow (issues 3 and 5).
#![warn(missing_docs)]

mod backoff;
pub mod cmpp;
