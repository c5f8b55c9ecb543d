//! CMPP 2.0/3.0 (China Mobile): toward the carrier's ISMG, a link-engine adapter. (Our CMPP
//! server for client systems is `hongyan-ingress`.)

mod adapter;
mod map;

pub(crate) use adapter::CmppAdapter;
pub use adapter::CmppSettings;
