//! One client connection: its [`SmscSession`] over the socket, binds checked against the
//! account's SMPP login, submits taken by the engine (concurrently, so a window of submits
//! shares group commits), and receipts delivered from the account's feed.
//!
//! Receipts go out in batches read past the account's `smpp` position; the position moves only
//! when every deliver_sm of a batch was answered ESME_ROK. A refusal, a time-out or a broken
//! link leaves it where it was, so the batch comes again (at least once) on this or a later
//! bind. Only one connection per account delivers at a time (it holds the account's lease),
//! so two receiver binds do not race over the same position.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::auth::{AuthError, Caller};
use hongyan_smpp_proto::pdu::{Bind, DataSmResp, DeliverSm, QuerySmResp, SubmitMultiResp, SubmitSm};
use hongyan_smpp_proto::{CommandStatus, SmscEvent, SmscSession};
use hongyan_store::{FeedConsumer, FeedItem};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::{sleep_until, Instant};

use super::{receipts, submit, Lease, Shared};

/// Longest sleep: leases and back-offs are looked at again this often.
const TICK: Duration = Duration::from_secs(1);
/// After a batch of receipts was refused or lost, how long before it is offered again.
const RETRY: Duration = Duration::from_secs(5);
/// Final events read per batch.
const BATCH: usize = 32;

/// An answered submit: the sequence to answer, the status, the id given.
type Answer = (u32, CommandStatus, String);

/// Receipts on the wire for one batch of feed events.
struct Batch {
    last_seq: u64,
    queue: VecDeque<DeliverSm>,
    outstanding: HashSet<u32>,
    failed: bool,
}

pub(super) struct Conn {
    shared: Arc<Shared>,
    session: SmscSession,
    caller: Option<Caller>,
    lease: Option<Lease>,
    batch: Option<Batch>,
    retry_at: Instant,
}

impl Conn {
    fn new(shared: Arc<Shared>) -> Self {
        let now = Instant::now();
        let session = SmscSession::new(shared.config.session.clone(), now.into_std());
        Self { shared, session, caller: None, lease: None, batch: None, retry_at: now }
    }

    /// True when this connection is the one to deliver the account's receipts.
    fn delivers(&self) -> bool {
        self.lease.is_some() && self.session.bind_mode().is_some_and(|m| m.can_receive())
    }

    async fn on_event(&mut self, event: SmscEvent, submits: &mut JoinSet<Answer>) {
        match event {
            SmscEvent::BindRequest { sequence, bind } => self.on_bind(sequence, &bind).await,
            SmscEvent::Submit { sequence, submit } => self.on_submit(sequence, &submit, submits),
            SmscEvent::DeliverResp { sequence, status, .. } => self.settle(sequence, status.is_ok()),
            SmscEvent::DeliverTimedOut { sequence, .. } | SmscEvent::GenericNack { sequence, .. } => {
                self.settle(sequence, false)
            }
            SmscEvent::SubmitMulti { sequence, .. } => {
                self.session.answer_submit_multi(sequence, CommandStatus::ESME_RINVCMDID, SubmitMultiResp::default());
            }
            SmscEvent::DataSm { sequence, .. } => {
                self.session.answer_data_sm(sequence, CommandStatus::ESME_RINVCMDID, DataSmResp::default());
            }
            SmscEvent::Query { sequence, .. } => {
                self.session.answer_query(sequence, CommandStatus::ESME_RQUERYFAIL, QuerySmResp::default());
            }
            SmscEvent::Cancel { sequence, .. } => {
                self.session.answer_cancel(sequence, CommandStatus::ESME_RCANCELFAIL);
            }
            SmscEvent::Replace { sequence, .. } => {
                self.session.answer_replace(sequence, CommandStatus::ESME_RREPLACEFAIL);
            }
            SmscEvent::Malformed { error } => tracing::debug!(%error, "SMPP server: malformed input"),
            _ => {}
        }
    }

    /// An unknown system_id and a wrong password get the same ESME_RBINDFAIL, so a caller
    /// cannot probe for logins.
    async fn on_bind(&mut self, sequence: u32, bind: &Bind) {
        let login = String::from_utf8_lossy(&bind.system_id).into_owned();
        let password = String::from_utf8_lossy(&bind.password).into_owned();
        let status = match self.shared.engine.client_login("smpp", &login, &password).await {
            Ok(caller) => {
                tracing::info!(account = caller.account_id, mode = ?bind.mode, "SMPP client bound");
                self.lease = Lease::take(&self.shared, caller.account_id);
                self.caller = Some(caller);
                CommandStatus::ESME_ROK
            }
            Err(AuthError::Invalid) => {
                tracing::info!("SMPP bind refused: unknown system_id or wrong password");
                CommandStatus::ESME_RBINDFAIL
            }
            Err(e) => {
                tracing::warn!(error = %e, "SMPP bind could not be checked");
                CommandStatus::ESME_RSYSERR
            }
        };
        self.session.answer_bind(sequence, status, self.shared.config.system_id.as_bytes());
    }

    fn on_submit(&mut self, sequence: u32, pdu: &SubmitSm, submits: &mut JoinSet<Answer>) {
        let Some(account) = self.caller.as_ref().map(|c| c.account_id) else { return };
        let engine = self.shared.engine.clone();
        let id = engine.next_client_msg_id().to_string();
        match submit::read(&engine, pdu, id.clone()) {
            Err(submit::Unreadable(status, why)) => {
                tracing::debug!(why, "SMPP submit refused");
                self.session.answer_submit(sequence, status, "");
            }
            Ok(s) => {
                submits.spawn(async move {
                    let outcome = engine.client_submit(account, s).await;
                    if let Err(e) = &outcome {
                        tracing::debug!(error = %e, "SMPP submit refused");
                    }
                    (sequence, submit::status(&outcome), id)
                });
            }
        }
    }

    fn settle(&mut self, sequence: u32, ok: bool) {
        if let Some(b) = self.batch.as_mut() {
            if b.outstanding.remove(&sequence) && !ok {
                b.failed = true;
            }
        }
    }

    /// Moves receipts along: takes the lease when free, reads a batch, sends what the window
    /// allows, and settles a finished batch.
    async fn pump(&mut self) {
        let Some(account) = self.caller.as_ref().map(|c| c.account_id) else { return };
        if self.lease.is_none() && self.session.bind_mode().is_some_and(|m| m.can_receive()) {
            self.lease = Lease::take(&self.shared, account);
        }
        if !self.delivers() {
            return;
        }
        let now = Instant::now();
        if self.batch.is_none() && now >= self.retry_at {
            self.batch = self.load(account).await;
        }
        let Some(b) = self.batch.as_mut() else { return };
        while self.session.can_deliver() {
            let Some(pdu) = b.queue.pop_front() else { break };
            match self.session.deliver(now.into_std(), pdu) {
                Ok(sequence) => drop(b.outstanding.insert(sequence)),
                Err(e) => {
                    tracing::warn!(error = %e, "SMPP receipt could not be sent");
                    b.failed = true;
                    break;
                }
            }
        }
        if !b.outstanding.is_empty() || (!b.queue.is_empty() && !b.failed) {
            return;
        }
        let b = self.batch.take().expect("checked above");
        if b.failed {
            self.retry_at = now + RETRY;
        } else if let Err(e) = self.shared.engine.store().ack_feed(account, FeedConsumer::Smpp, b.last_seq).await {
            tracing::warn!(error = %e, "SMPP receipts delivered but not recorded; they will come again");
            self.retry_at = now + RETRY;
        }
    }

    async fn load(&self, account: i64) -> Option<Batch> {
        let events = match self.shared.engine.store().feed(account, FeedConsumer::Smpp, BATCH).await {
            Ok(events) => events,
            Err(e) => {
                tracing::warn!(error = %e, "SMPP receipts could not be read");
                return None;
            }
        };
        let last_seq = events.last()?.seq;
        let queue = events
            .iter()
            .filter_map(|e| match &e.item {
                FeedItem::Final(f) => Some(receipts::receipts(f)),
                _ => None,
            })
            .flatten()
            .collect();
        Some(Batch { last_seq, queue, outstanding: HashSet::new(), failed: false })
    }
}

/// Runs one client connection until it closes.
pub(super) async fn run(
    shared: Arc<Shared>,
    stream: TcpStream,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let _ = stream.set_nodelay(true);
    let (mut rd, mut wr) = stream.into_split();
    let mut conn = Conn::new(shared);
    let mut submits = JoinSet::new();
    let mut buf = vec![0u8; 16 * 1024];
    let mut stopping = *shutdown.borrow();
    loop {
        while let Some(event) = conn.session.poll_event() {
            conn.on_event(event, &mut submits).await;
        }
        conn.pump().await;
        while let Some(bytes) = conn.session.poll_transmit() {
            wr.write_all(&bytes).await?;
        }
        if conn.session.is_closed() {
            // Submits still being accepted finish on their own; only their answers are lost.
            submits.detach_all();
            return Ok(());
        }
        let mut wake = Instant::now() + TICK;
        if let Some(t) = conn.session.poll_timeout() {
            wake = wake.min(Instant::from_std(t));
        }
        let idle = conn.delivers() && conn.batch.is_none();
        let engine = conn.shared.engine.clone();
        tokio::select! {
            n = rd.read(&mut buf) => match n? {
                0 => {
                    submits.detach_all();
                    return Ok(());
                }
                n => if let Err(e) = conn.session.handle_input(&buf[..n], Instant::now().into_std()) {
                    tracing::warn!(error = %e, "SMPP server: closing after a protocol error");
                },
            },
            Some(done) = submits.join_next(), if !submits.is_empty() => {
                if let Ok((sequence, status, id)) = done {
                    conn.session.answer_submit(sequence, status, id);
                }
            }
            _ = engine.feed_changed().notified(), if idle => {}
            _ = sleep_until(wake) => conn.session.handle_timeout(Instant::now().into_std()),
            _ = shutdown.changed(), if !stopping => {
                stopping = true;
                conn.session.unbind(Instant::now().into_std());
            }
        }
    }
}
