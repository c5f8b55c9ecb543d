//! The engine handle and its wiring.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hongyan_store::{NewMessage, PendingMessage, Store, StoreError};
use hongyan_types::{Carrier, Categories, Category, IdGenerator, MessageId, PhoneNumber, UnknownCategory};

use crate::auth::KeyCache;
use crate::dispatch::{self, Dispatch, DispatchReceiver, DispatchSender, Outbound};
use crate::limits::Limiter;
use crate::route::Routes;
use crate::schedule::Schedule;
use crate::sign::RulesCache;
use crate::words::Words;
use crate::Clock;

/// A channel as the engine sees it: what it serves and how much it is preferred.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelSpec {
    /// Unique name, stored with each message.
    pub name: String,
    /// Carriers whose numbers it takes.
    pub carriers: Vec<Carrier>,
    /// If not empty, only numbers starting with one of these.
    pub prefixes: Vec<String>,
    /// Lower is preferred.
    pub priority: u32,
    /// Share among channels of the same priority.
    pub weight: u32,
}

impl ChannelSpec {
    /// A channel taking every number of `carriers`, at priority 0 and weight 100.
    pub fn new(name: &str, carriers: &[Carrier]) -> Self {
        Self { name: name.into(), carriers: carriers.to_vec(), prefixes: Vec::new(), priority: 0, weight: 100 }
    }
}

/// Errors of engine operations other than accept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The shared core. Cheap to share behind an `Arc`; no lock is held across an await.
pub struct Engine {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) ids: IdGenerator,
    pub(crate) routes: Routes,
    pub(crate) queues: HashMap<String, DispatchSender>,
    /// While true, the carrier links submit nothing new (`pause_sending`).
    paused: AtomicBool,
    pub(crate) accepting: AtomicBool,
    pub(crate) keys: KeyCache,
    pub(crate) rules: RulesCache,
    pub(crate) limiter: Limiter,
    pub(crate) words: Words,
    pub(crate) schedule: Schedule,
    pub(crate) categories: std::sync::RwLock<Categories>,
    pub(crate) periods: std::sync::RwLock<Vec<crate::statement::NamedPeriod>>,
    pub(crate) monitors: crate::monitor::Monitors,
    pub(crate) failures: crate::incidents::FailureSamples,
    pub(crate) alerts: crate::alerts::AlertState,
    pub(crate) feed_changed: tokio::sync::Notify,
    pub(crate) rights: crate::rights::RightsCache,
    pub(crate) unrecorded: crate::unrecorded::Unrecorded,
    pub(crate) login_guard: crate::login_guard::LoginGuard,
    /// One large request is built and stored at a time (see `accept`).
    pub(crate) large_turn: tokio::sync::Semaphore,
    /// The engine itself, for work that must outlive a caller (`handover.rs`).
    pub(crate) me: std::sync::Weak<Self>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("routes", &self.routes).finish_non_exhaustive()
    }
}

impl Engine {
    /// Builds the engine and one dispatch queue per channel; the receivers go to the gateways.
    /// The id generator is seeded from the store so ids stay unique across restarts.
    pub async fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        channels: &[ChannelSpec],
    ) -> Result<(Arc<Self>, Vec<(String, DispatchReceiver)>), EngineError> {
        let seed = store.max_message_id().await?;
        let mut queues = HashMap::new();
        let mut receivers = Vec::new();
        for ch in channels {
            let (tx, rx) = dispatch::channel();
            queues.insert(ch.name.clone(), tx);
            receivers.push((ch.name.clone(), rx));
        }
        crate::metrics::init();
        let engine = Arc::new_cyclic(|me| Self {
            store,
            clock,
            ids: IdGenerator::new(seed),
            routes: Routes::new(channels),
            queues,
            paused: AtomicBool::new(false),
            accepting: AtomicBool::new(true),
            keys: KeyCache::new(crate::auth::CACHE_TTL_MS),
            rules: RulesCache::new(crate::sign::RULES_TTL_MS),
            limiter: Limiter::default(),
            words: Words::default(),
            schedule: Schedule::default(),
            categories: std::sync::RwLock::new(Categories::default()),
            periods: std::sync::RwLock::default(),
            monitors: crate::monitor::Monitors::default(),
            failures: crate::incidents::FailureSamples::default(),
            alerts: crate::alerts::AlertState::default(),
            feed_changed: tokio::sync::Notify::new(),
            rights: crate::rights::RightsCache::new(crate::rights::RIGHTS_TTL_MS),
            unrecorded: crate::unrecorded::Unrecorded::default(),
            login_guard: crate::login_guard::LoginGuard::default(),
            large_turn: tokio::sync::Semaphore::new(1),
            me: me.clone(),
        });
        Ok((engine, receivers))
    }

    /// The address ranges from which a console user's lock does not apply (only the
    /// per-address throttle does); loopback until this is called.
    pub fn set_login_trusted(&self, ranges: Vec<hongyan_types::Cidr>) {
        self.login_guard.set_trusted(ranges);
    }

    /// The injected clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Replaces the list of categories requests may name (the configuration's `[[category]]`).
    pub fn set_categories(&self, list: Categories) {
        *self.categories.write().expect("categories lock") = list;
    }

    /// The configured categories.
    pub fn categories(&self) -> Categories {
        self.categories.read().expect("categories lock").clone()
    }

    /// The configured category called `name`.
    pub fn category(&self, name: &str) -> Result<Category, UnknownCategory> {
        self.categories.read().expect("categories lock").parse(name)
    }

    /// Stops admitting new messages (drain at shutdown); accept answers `ShuttingDown`.
    pub fn stop_accepting(&self) {
        self.accepting.store(false, Ordering::SeqCst);
    }

    /// True until [`Engine::stop_accepting`].
    pub fn is_accepting(&self) -> bool {
        self.accepting.load(Ordering::SeqCst)
    }

    /// In a cluster, this node's slot of the message ids (`hongyan_types::NODE_SLOTS` of
    /// them): its ids never equal another node's. Set before anything is accepted.
    pub fn set_id_slot(&self, slot: u64) {
        self.ids.set_slot(slot);
    }

    /// Stops (or lets again) the carrier links submit anything new; what is in flight is
    /// answered as usual. A cluster node pauses while it cannot tell that it still holds its
    /// lease: once the lease lapses another node may send the same messages.
    pub fn pause_sending(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
    }

    /// Whether the links must submit nothing new now.
    pub fn sending_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    /// Refills the channel queues with what was accepted but not yet submitted (after a crash
    /// or a drain). Messages whose channel no longer exists are failed with that reason, not
    /// left hanging. Returns how many messages were queued again. Once, at start: it first
    /// takes back the requests the last process left half written, which it never answered.
    pub async fn resume_pending(&self) -> Result<usize, EngineError> {
        const PAGE: usize = 1000;
        let taken = self.store.undo_unfinished().await?;
        if taken > 0 {
            tracing::warn!(messages = taken, "took back requests the last process left half written");
        }
        let mut after = MessageId(0);
        let mut resumed = 0;
        loop {
            let page = self.store.pending_dispatch(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.message.id;
            resumed += self.requeue(page).await?;
        }
        Ok(resumed)
    }

    /// Queues the messages `ids` that still wait to be sent, as a restart would: in a cluster,
    /// those a dead node left, once this node has adopted them. How many were queued.
    pub async fn resume_ids(&self, ids: Vec<MessageId>) -> Result<usize, EngineError> {
        let pending = self.store.pending_by_ids(ids).await?;
        self.requeue(pending).await
    }

    /// Gives messages this node will not send back to the cluster (a channel whose connections
    /// are all held by other nodes); returns those given back, which the caller drops.
    pub async fn release_messages(&self, ids: Vec<MessageId>) -> Result<Vec<MessageId>, EngineError> {
        let released = self.store.release_messages(ids).await?;
        if !released.is_empty() {
            tracing::info!(count = released.len(), "gave messages to the nodes that hold their channel's connections");
        }
        Ok(released)
    }

    /// Hands waiting messages back to their channels; those whose channel no longer exists
    /// are failed with that reason, not left hanging.
    async fn requeue(&self, page: Vec<PendingMessage>) -> Result<usize, EngineError> {
        let mut resumed = 0;
        let mut orphans = Vec::new();
        for p in page {
            let out = Outbound { skip_segments: p.done_segments, message: p.message };
            match self.queues.get(&out.message.channel) {
                Some(q) => {
                    // A closed queue: the gateway stopped; the message stays queued in the
                    // store for the next start.
                    let _ = q.send(Dispatch::One(Box::new(out)));
                    resumed += 1;
                }
                None => {
                    orphans.push((out.message.id, format!("channel `{}` is no longer configured", out.message.channel)))
                }
            }
        }
        if !orphans.is_empty() {
            self.store.fail_messages(orphans, self.clock.now()).await?;
        }
        Ok(resumed)
    }

    /// A channel's gateway reports whether any of its links is up; routing fails over while it
    /// is down and comes back when it is up.
    pub fn set_channel_up(&self, channel: &str, up: bool) {
        if up {
            tracing::info!(channel, "channel up: routing to it");
        } else {
            tracing::warn!(channel, "channel down: routing to its backups where there are any");
        }
        self.routes.set_down(channel, !up);
    }

    /// Every channel, as configured, with whether it is up (a channel is up until its gateway
    /// says otherwise).
    pub fn channel_states(&self) -> Vec<(ChannelSpec, bool)> {
        self.routes.states()
    }

    /// Moves messages that are waiting on a channel that is down to another channel serving
    /// their numbers. Returns the ids that were moved; the others stay where they are.
    /// Messages with a segment already accepted by the carrier are never moved: their
    /// remaining segments belong with the first ones.
    pub async fn reroute(&self, from: &str, ids: &[MessageId]) -> Result<Vec<MessageId>, EngineError> {
        let pending = self.store.pending_by_ids(ids.to_vec()).await?;
        let mut moves: HashMap<String, Vec<Outbound>> = HashMap::new();
        for p in pending.into_iter().filter(|p| p.done_segments.is_empty() && p.message.channel == from) {
            let number = PhoneNumber::from_parts(p.message.to.clone(), p.message.carrier);
            if let Some(to) = self.routes.pick_other(&number, from) {
                let mut message = p.message;
                message.channel = to.to_owned();
                moves.entry(to.to_owned()).or_default().push(Outbound { message, skip_segments: Vec::new() });
            }
        }
        let mut moved = Vec::new();
        for (to, outs) in moves {
            let ids: Vec<MessageId> = outs.iter().map(|o| o.message.id).collect();
            self.store.reassign_channel(ids.clone(), from.to_owned(), to.clone()).await?;
            tracing::warn!(from, to = %to, count = ids.len(), "failover: messages moved to a backup channel");
            outs.into_iter().for_each(|o| self.enqueue(o));
            moved.extend(ids);
        }
        Ok(moved)
    }

    /// Messages a channel parked as ids, read back from the store: those still waiting
    /// there, with the segments the carrier already took. Any other is left out: it was sent,
    /// failed or moved to another channel meanwhile.
    pub async fn reload(&self, channel: &str, ids: Vec<MessageId>) -> Result<Vec<Outbound>, EngineError> {
        let pending = self.store.pending_by_ids(ids).await?;
        Ok(pending
            .into_iter()
            .filter(|p| p.message.channel == channel)
            .map(|p| Outbound { message: p.message, skip_segments: p.done_segments })
            .collect())
    }

    /// Hands a message to its channel, or holds it until its `send_at`.
    pub(crate) fn enqueue(&self, out: Outbound) {
        if let Some(out) = self.hold(out) {
            self.send_to_channel(out);
        }
    }

    pub(crate) fn send_to_channel(&self, out: Outbound) {
        if let Some(q) = self.queues.get(&out.message.channel) {
            // A closed queue means the gateway stopped (shutdown): the message stays
            // `accepted` in the store and is resumed at the next start.
            let _ = q.send(Dispatch::One(Box::new(out)));
        }
    }

    /// Hands a request's new messages on: in one move when they all go to one channel now
    /// (the usual case), else one by one.
    pub(crate) fn enqueue_batch(&self, batch: Vec<NewMessage>) {
        crate::metrics::accepted(&batch);
        let now = self.clock.now();
        let Some(first) = batch.first() else { return };
        let one_channel = batch.iter().all(|m| m.channel == first.channel && m.send_at.is_none_or(|t| t <= now));
        match self.queues.get(&first.channel) {
            Some(q) if one_channel => {
                let _ = q.send(Dispatch::Batch(batch));
            }
            _ => batch.into_iter().for_each(|message| self.enqueue(Outbound { message, skip_segments: Vec::new() })),
        }
    }
}
