//! SGIP 1.2 (China Unicom): the outbound adapter (we bind to the SMG with Login Type 1 and
//! submit) and the inbound server the SMG itself connects to (Login Type 2) to deliver
//! reports and MO — SGIP sends nothing back on the SP's own connection.

mod adapter;
mod inbound;
mod map;

pub(crate) use adapter::SgipAdapter;
pub use adapter::SgipSettings;
pub(crate) use inbound::{serve_inbound, Inbound};
