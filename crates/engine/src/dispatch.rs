//! Per-channel dispatch queues.
//!
//! Why in-memory and unbounded: the store already holds every accepted message durably, so
//! this queue is only a hand-off to the gateway task and never the copy of record. The
//! gateway bounds what it keeps: past a lane's cap it keeps only ids and reads the messages
//! back from the store.
//!
//! A request's messages for one channel cross as one batch, moved and not copied: a request
//! of 100,000 numbers would otherwise exist twice for a moment, once in the accepted batch
//! and once in the queue's blocks.

use hongyan_store::NewMessage;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;

/// A message handed to a channel's gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    /// The message as stored.
    pub message: NewMessage,
    /// Segments the carrier already accepted before a restart; do not send them again.
    pub skip_segments: Vec<u8>,
}

/// What crosses the queue: one message, or a request's new messages for the channel.
#[derive(Debug)]
pub(crate) enum Dispatch {
    One(Box<Outbound>),
    Batch(Vec<NewMessage>),
}

/// The gateway's end of a channel queue; gives messages one at a time.
#[derive(Debug)]
pub struct DispatchReceiver {
    rx: mpsc::UnboundedReceiver<Dispatch>,
    batch: std::vec::IntoIter<NewMessage>,
}

pub(crate) type DispatchSender = mpsc::UnboundedSender<Dispatch>;

pub(crate) fn channel() -> (DispatchSender, DispatchReceiver) {
    let (tx, rx) = mpsc::unbounded_channel();
    (tx, DispatchReceiver { rx, batch: Vec::new().into_iter() })
}

fn fresh(message: NewMessage) -> Outbound {
    Outbound { message, skip_segments: Vec::new() }
}

impl DispatchReceiver {
    /// The next message; `None` once every sender is gone and the queue is empty.
    /// Cancel-safe: nothing is taken before the only await completes.
    pub async fn recv(&mut self) -> Option<Outbound> {
        loop {
            if let Some(m) = self.batch.next() {
                return Some(fresh(m));
            }
            match self.rx.recv().await? {
                Dispatch::One(out) => return Some(*out),
                Dispatch::Batch(b) => self.batch = b.into_iter(),
            }
        }
    }

    /// The next message if one is queued.
    pub fn try_recv(&mut self) -> Result<Outbound, TryRecvError> {
        loop {
            if let Some(m) = self.batch.next() {
                return Ok(fresh(m));
            }
            match self.rx.try_recv()? {
                Dispatch::One(out) => return Ok(*out),
                Dispatch::Batch(b) => self.batch = b.into_iter(),
            }
        }
    }
}
