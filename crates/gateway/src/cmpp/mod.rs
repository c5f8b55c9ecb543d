//! CMPP 2.0/3.0 (China Mobile) links.

mod map;
mod outbound;

pub use outbound::{run_client, CmppClientConfig};
