//! CMPP 2.0/3.0 (China Mobile): toward the carrier's ISMG, a link-engine adapter; toward our
//! client systems, a server (`server/`).

mod adapter;
mod map;
pub mod server;

pub(crate) use adapter::CmppAdapter;
pub use adapter::CmppSettings;
