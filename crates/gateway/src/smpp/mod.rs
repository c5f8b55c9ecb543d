//! SMPP 3.4: toward aggregators and international SMSCs, a link-engine adapter; toward our
//! client systems, a server (`server/`).

mod adapter;
mod map;
pub mod server;

pub(crate) use adapter::SmppAdapter;
pub use adapter::SmppSettings;
