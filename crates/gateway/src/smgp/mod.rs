//! SMGP 3.0 (China Telecom) as a link-engine adapter.

mod adapter;
mod map;

pub(crate) use adapter::SmgpAdapter;
pub use adapter::SmgpSettings;
