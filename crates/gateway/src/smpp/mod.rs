//! SMPP 3.4: toward aggregators and international SMSCs, a link-engine adapter. (Our SMPP
//! server for client systems is `hongyan-ingress`.)

mod adapter;
mod map;

pub(crate) use adapter::SmppAdapter;
pub use adapter::SmppSettings;
