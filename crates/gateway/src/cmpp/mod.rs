//! CMPP 2.0/3.0 (China Mobile) as a link-engine adapter.

mod adapter;
mod map;

pub(crate) use adapter::CmppAdapter;
pub use adapter::CmppSettings;
