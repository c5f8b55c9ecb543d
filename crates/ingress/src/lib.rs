//! Hongyan's servers for client systems: the business systems that send over SMPP 3.4 or
//! CMPP 2.0/3.0 instead of HTTP.
//!
//! What it owns:
//! - `smpp/`, `cmpp/`: one server per protocol: its accept loop, a connection's log-in,
//!   submits turned into [`Engine::client_submit`](hongyan_engine::Engine::client_submit)
//!   calls and answered, and receipts turned into deliver_sm / DELIVER PDUs.
//! - `clients/`: what both servers share: the socket loop of one connection, which
//!   connection of an account delivers its receipts, and the receipt pump that moves them
//!   from the account's feed onto that connection, at least once and in order.
//!
//! What it does not do: the carrier side (links toward the operators' gateways are
//! `hongyan-gateway`), frame or window a session (the proto crates), or decide anything about
//! a message (the engine). Sockets come from `hongyan-net`'s listeners.
#![warn(missing_docs)]

mod clients;
pub mod cmpp;
pub mod smpp;
