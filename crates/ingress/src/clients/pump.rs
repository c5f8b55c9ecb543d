//! Receipts from an account's feed onto one client connection.
//!
//! A batch of `final` events is read past the connection's protocol position and turned into
//! PDUs (one per part id); they go out as the window allows. The position moves only when
//! every PDU of the batch was answered with success. A refusal, a time-out or a broken link
//! leaves it where it was, so the batch comes again (at least once) after [`RETRY`], on this
//! connection or on the next one the account opens. A full batch settled is followed at once
//! by the next: more events are likely waiting, and the feed's wake-up came and went while
//! this batch was on the wire (waiting for the connection's next tick capped receipts at one
//! batch a tick).

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use hongyan_engine::Engine;
use hongyan_types::{FeedConsumer, FeedItem, FinalReport};
use tokio::time::Instant;

/// After a batch was refused or lost, how long before it is offered again.
pub(crate) const RETRY: Duration = Duration::from_secs(5);
/// Feed events read per batch: a few windows' worth.
const BATCH: usize = 256;

/// Where a pump sends: a session bound to receive.
pub(crate) trait Sink<P> {
    /// The window has room.
    fn can_deliver(&self) -> bool;
    /// Sends one PDU; its sequence number, which [`Pump::settle`] will be told about.
    fn deliver(&mut self, now: std::time::Instant, pdu: P) -> Result<u32, String>;
}

struct Batch<P> {
    last_seq: u64,
    /// The read returned all it was asked for: more may be waiting.
    full: bool,
    queue: VecDeque<P>,
    outstanding: HashSet<u32>,
    failed: bool,
}

/// One connection's receipt pump.
pub(crate) struct Pump<P> {
    consumer: FeedConsumer,
    batch: Option<Batch<P>>,
    retry_at: Instant,
}

impl<P> Pump<P> {
    /// A pump reading the feed as `consumer` (`Smpp` or `Cmpp`).
    pub(crate) fn new(consumer: FeedConsumer) -> Self {
        Self { consumer, batch: None, retry_at: Instant::now() }
    }

    /// No batch on the wire: new events are worth a look.
    pub(crate) fn idle(&self) -> bool {
        self.batch.is_none()
    }

    /// The answer to a PDU of ours arrived (`ok`), or it was lost (`!ok`).
    pub(crate) fn settle(&mut self, sequence: u32, ok: bool) {
        if let Some(b) = self.batch.as_mut() {
            if b.outstanding.remove(&sequence) && !ok {
                b.failed = true;
            }
        }
    }

    /// Reads a batch when due, sends what the window allows, and settles a finished batch
    /// (reading the next at once after a full one).
    pub(crate) async fn step(
        &mut self,
        engine: &Engine,
        account: i64,
        sink: &mut impl Sink<P>,
        pdus: impl Fn(&FinalReport) -> Vec<P>,
    ) {
        // Bounded, so a long run of events with nothing to send cannot keep the connection
        // from reading its socket; the next tick goes on.
        for _ in 0..16 {
            let now = Instant::now();
            if self.batch.is_none() && now >= self.retry_at {
                self.batch = self.load(engine, account, &pdus).await;
            }
            let Some(b) = self.batch.as_mut() else { return };
            send(b, sink, now);
            if !b.outstanding.is_empty() || (!b.queue.is_empty() && !b.failed) {
                return;
            }
            let b = self.batch.take().expect("checked above");
            if b.failed {
                self.retry_at = now + RETRY;
                return;
            }
            if let Err(e) = engine.feed().ack_feed(account, self.consumer, b.last_seq).await {
                tracing::warn!(error = %e, "receipts delivered but not recorded; they will come again");
                self.retry_at = now + RETRY;
                return;
            }
            if !b.full {
                return;
            }
        }
    }

    async fn load(&self, engine: &Engine, account: i64, pdus: &impl Fn(&FinalReport) -> Vec<P>) -> Option<Batch<P>> {
        let events = match engine.feed().feed(account, self.consumer, BATCH).await {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(error = %e, "receipts could not be read");
                return None;
            }
        };
        let last_seq = events.last()?.seq;
        let full = events.len() >= BATCH;
        let queue = events
            .iter()
            .filter_map(|e| match &e.item {
                FeedItem::Final(f) => Some(pdus(f)),
                _ => None,
            })
            .flatten()
            .collect();
        Some(Batch { last_seq, full, queue, outstanding: HashSet::new(), failed: false })
    }
}

/// Sends what the window allows of the batch.
fn send<P>(b: &mut Batch<P>, sink: &mut impl Sink<P>, now: Instant) {
    while sink.can_deliver() {
        let Some(pdu) = b.queue.pop_front() else { break };
        match sink.deliver(now.into_std(), pdu) {
            Ok(sequence) => drop(b.outstanding.insert(sequence)),
            Err(e) => {
                tracing::warn!(error = %e, "receipt could not be sent");
                b.failed = true;
                break;
            }
        }
    }
}
