//! Per-channel dispatch queues.
//!
//! Why in-memory and unbounded: the store already holds every accepted message durably, so
//! this queue is only a hand-off to the gateway task and never the copy of record. Its size is
//! bounded in practice by what accept admits; a later issue adds priority lanes and
//! backpressure from the store.

use hongyan_store::NewMessage;
use tokio::sync::mpsc;

/// A message handed to a channel's gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    /// The message as stored.
    pub message: NewMessage,
    /// Segments the carrier already accepted before a restart; do not send them again.
    pub skip_segments: Vec<u8>,
}

/// The gateway's end of a channel queue.
pub type DispatchReceiver = mpsc::UnboundedReceiver<Outbound>;
pub(crate) type DispatchSender = mpsc::UnboundedSender<Outbound>;

pub(crate) fn channel() -> (DispatchSender, DispatchReceiver) {
    mpsc::unbounded_channel()
}
