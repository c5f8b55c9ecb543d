//! SMPP 3.4 (aggregators and international SMSCs) as a link-engine adapter.

mod adapter;
mod map;

pub(crate) use adapter::SmppAdapter;
pub use adapter::SmppSettings;
