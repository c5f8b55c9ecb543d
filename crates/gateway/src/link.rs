//! One connection of a channel, protocol-agnostic.
//!
//! The loop is the usual sans-I/O driver: give the session bytes and time, write out what it
//! wants sent, act on its events, and sleep until the next of: bytes arrive, work arrives,
//! the session's timer, the rate limiter, shutdown. Nothing here parses a PDU.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use hongyan_net::{Dialer, NetStream};
use hongyan_types::{ReportIn, SubmitOutcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::sync::watch;
use tokio::time::{sleep, sleep_until, Instant};

use crate::adapter::{AckToken, Adapter, LinkEvent, Mo, SubmitAnswer, Work};
use crate::backoff::Backoff;
use crate::channel::Shared;
use crate::LinkError;

/// How long to hold submits on this link after a throttling answer.
const THROTTLE_PAUSE: Duration = Duration::from_millis(200);
/// How often a link looks again whether its node paused sending (cluster mode).
const SENDING_PAUSED_RECHECK: Duration = Duration::from_millis(250);
/// How long shutdown waits for in-flight submits to be answered.
const DRAIN_GRACE: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Why one connection ended.
enum End {
    Drained,
    Lost { reason: LinkError, was_up: bool },
}

/// Keeps connection `index` of the channel up until shutdown.
/// In a cluster, only while this node holds the connection (`gates.rs`).
pub(crate) async fn run(index: usize, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    let cfg = &shared.cfg;
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
    let dialer = Dialer { addr: cfg.addr, tls: cfg.tls.clone() };
    let mut gate = shared.gates.as_ref().map(|g| g.of(index));
    while !*shutdown.borrow() {
        if let Some(g) = gate.as_mut() {
            tokio::select! {
                held = g.wait_for(|held| *held) => if held.is_err() { return },
                // A stop, or no one left to say stop (the channel is gone).
                changed = shutdown.changed() => if changed.is_err() { return } else { continue },
            }
        }
        let end = match dialer.connect(CONNECT_TIMEOUT).await {
            Ok(stream) => Conn::new(index, &shared).run(stream, &mut shutdown, &mut gate).await,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
                End::Lost { reason: LinkError::ConnectTimedOut, was_up: false }
            }
            Err(e) => End::Lost { reason: e.into(), was_up: false },
        };
        // Drained: the node stopped, or (in a cluster) let this connection go: then it waits
        // to hold it again.
        let End::Lost { reason, was_up } = end else {
            let stopping = *shutdown.borrow() || shutdown.has_changed().is_err();
            if gate.is_some() && !stopping {
                continue;
            }
            break;
        };
        if was_up {
            backoff.reset();
        }
        let delay = backoff.next_delay();
        tracing::warn!(channel = %cfg.name, link = index, kind = cfg.kind(), addr = %cfg.addr, %reason,
            retry_in_ms = delay.as_millis() as u64, "link down");
        shared.monitor.in_flight(index, 0);
        shared.monitor.error(shared.engine.clock().now(), format!("link {index}: {reason}"));
        tokio::select! {
            _ = sleep(delay) => {}
            _ = shutdown.changed() => {}
        }
    }
}

struct Conn<'a> {
    index: usize,
    shared: &'a Shared,
    adapter: Box<dyn Adapter>,
    /// Submits sent and not answered, with when they were sent (for the round trip).
    inflight: HashMap<u64, (Work, Instant)>,
    up: bool,
    draining: bool,
    shutdown_sent: bool,
    paused_until: Option<Instant>,
    drain_deadline: Option<Instant>,
    /// Reports the store could not take yet, unacknowledged, tried again at `retry_reports`.
    held_reports: Vec<(ReportIn, AckToken)>,
    retry_reports: Option<Instant>,
    /// In a cluster, this connection's share of the channel's rate (else the channel's own).
    rate: Option<crate::rate::RateLimit>,
}

/// How long reports the store refused wait before they are tried again.
const REPORT_RETRY: Duration = Duration::from_secs(1);

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400)
}

impl<'a> Conn<'a> {
    fn new(index: usize, shared: &'a Shared) -> Self {
        Self {
            index,
            shared,
            adapter: shared.cfg.new_adapter(shared.sessions.fetch_add(1, std::sync::atomic::Ordering::Relaxed)),
            inflight: HashMap::new(),
            up: false,
            draining: false,
            shutdown_sent: false,
            paused_until: None,
            drain_deadline: None,
            held_reports: Vec::new(),
            retry_reports: None,
            rate: shared.gates.as_ref().and_then(|_| {
                let share = shared.cfg.rate.map(|r| (r / shared.cfg.connections.max(1) as u32).max(1));
                crate::rate::RateLimit::new(share, Instant::now())
            }),
        }
    }

    async fn run(
        mut self,
        stream: NetStream,
        shutdown: &mut watch::Receiver<bool>,
        gate: &mut Option<watch::Receiver<bool>>,
    ) -> End {
        let (mut rd, mut wr) = tokio::io::split(stream);
        if let Err(reason) = self.adapter.start(Instant::now().into_std(), self.shared.engine.clock().now()) {
            return End::Lost { reason, was_up: false };
        }
        let mut work_added = self.shared.work_added.subscribe();
        let mut buf = vec![0u8; 16 * 1024];
        let end = loop {
            if let Err(reason) = self.step(&mut wr).await {
                break End::Lost { reason, was_up: self.up };
            }
            if self.draining && !self.up {
                break End::Drained;
            }
            if self.adapter.is_closed() {
                let reason = LinkError::SessionClosed;
                break if self.draining { End::Drained } else { End::Lost { reason, was_up: self.up } };
            }
            let timer = self.adapter.poll_timeout().map(Instant::from_std);
            tokio::select! {
                read = rd.read(&mut buf) => match read {
                    Ok(0) => break End::Lost { reason: LinkError::PeerClosed, was_up: self.up },
                    Ok(n) => if let Err(reason) = self.adapter.handle_input(&buf[..n], Instant::now().into_std()) {
                        break End::Lost { reason, was_up: self.up };
                    },
                    Err(e) => break End::Lost { reason: e.into(), was_up: self.up },
                },
                _ = work_added.changed() => {}
                _ = sleep_until(timer.unwrap_or_else(far_future)), if timer.is_some() => {
                    self.adapter.handle_timeout(Instant::now().into_std());
                }
                _ = sleep_until(self.paused_until.unwrap_or_else(far_future)), if self.paused_until.is_some() => {
                    self.paused_until = None;
                }
                _ = sleep_until(self.retry_reports.unwrap_or_else(far_future)), if self.retry_reports.is_some() => {
                    self.retry_reports = None;
                    let (reports, acks) = std::mem::take(&mut self.held_reports).into_iter().unzip();
                    self.apply_reports(reports, acks).await;
                }
                () = crate::gates::stop_or_lost(shutdown, gate), if !self.draining => self.start_drain(),
                _ = sleep_until(self.drain_deadline.unwrap_or_else(far_future)), if self.drain_deadline.is_some() => {
                    tracing::warn!(channel = %self.shared.cfg.name, link = self.index, unanswered = self.inflight.len(),
                        "drain grace over; closing with submits unanswered");
                    break End::Drained;
                }
            }
        };
        self.tally();
        if let End::Lost { was_up: true, .. } = &end {
            let now = self.shared.engine.clock().now();
            self.shared.monitor.dropped(self.index, self.inflight.len(), now);
        }
        if self.up {
            self.shared.link_down(self.index);
        }
        // Whatever the carrier did not answer goes back to the front, in submit order.
        let mut orphans: Vec<(u64, (Work, Instant))> = self.inflight.drain().collect();
        orphans.sort_by_key(|(key, _)| *key);
        self.shared.put_back_front(orphans.into_iter().map(|(_, (w, _))| w).collect());
        end
    }

    /// Hands what the session counted (re-sends, a probe's round trip) to the figures.
    fn tally(&mut self) {
        let t = self.adapter.take_tally();
        let now = self.shared.engine.clock().now();
        if let Some(rtt) = t.probe_round_trip {
            self.shared.monitor.round_trip(self.index, rtt, true, now);
        }
        self.shared.monitor.losses(self.index, t.resends, 0, now);
    }

    /// Counts the answer of a submit sent at `sent`: its round trip unless it was sent again
    /// meanwhile (then the wait is the time-out's, not the network's), and what it said.
    fn count_answer(&self, sent: Instant, answer: &SubmitAnswer) {
        let m = &self.shared.monitor;
        let now = self.shared.engine.clock().now();
        let rtt = sent.elapsed();
        if rtt < self.shared.cfg.response_timeout() {
            m.round_trip(self.index, rtt, false, now);
        }
        match answer {
            SubmitAnswer::Accepted { .. } => m.accepted(now),
            SubmitAnswer::Throttled => m.throttled(now),
            SubmitAnswer::Refused { code, .. } | SubmitAnswer::Transient { code, .. } => m.refused(*code, now),
        }
    }

    fn start_drain(&mut self) {
        self.draining = true;
        self.drain_deadline = Some(Instant::now() + DRAIN_GRACE);
    }

    /// Submits what the window and rate allow, writes what the session queued, handles its
    /// events, until nothing changes.
    async fn step(&mut self, wr: &mut WriteHalf<NetStream>) -> Result<(), LinkError> {
        loop {
            if self.up && !self.draining && self.paused_until.is_none() {
                self.fill_window();
            }
            if self.draining && self.up && self.inflight.is_empty() && !self.shutdown_sent {
                self.adapter.shutdown(Instant::now().into_std());
                self.shutdown_sent = true;
            }
            // Everything queued goes out in one write: a full window is a hundred frames, and
            // a system call each was a fifth of the runtime's time under load.
            if let Some(out) = hongyan_wire::gather(|| self.adapter.poll_transmit()) {
                wr.write_all(&out).await?;
            }
            let more = self.handle_events().await?;
            self.tally();
            self.shared.monitor.in_flight(self.index, self.inflight.len());
            if !more {
                return Ok(());
            }
        }
    }

    fn fill_window(&mut self) {
        if self.shared.engine.sending_paused() {
            // Looked at again shortly: nothing wakes a link when the pause ends.
            self.paused_until = Some(Instant::now() + SENDING_PAUSED_RECHECK);
            return;
        }
        while self.adapter.can_submit() {
            if let Some(rate) = self.rate.as_ref().or(self.shared.rate.as_ref()) {
                if let Err(wait) = rate.try_take(Instant::now()) {
                    self.paused_until = Some(Instant::now() + wait);
                    return;
                }
            }
            let Some(work) = self.shared.pop() else { return };
            let (now, wall) = (Instant::now(), self.shared.engine.clock().now());
            match self.adapter.submit(now.into_std(), wall, &work) {
                Ok(key) => {
                    self.inflight.insert(key, (work, now));
                    self.shared.monitor.submitted(self.index, wall);
                }
                Err(e) => {
                    tracing::warn!(channel = %self.shared.cfg.name, message_id = %work.message_id, error = %e, "submit not sent");
                    self.shared.put_back_front(vec![work]);
                    return;
                }
            }
        }
    }

    /// Returns true when there were events (so the caller goes round again).
    async fn handle_events(&mut self) -> Result<bool, LinkError> {
        let (mut outcomes, mut reports, mut acks) = (Vec::new(), Vec::new(), Vec::new());
        let (mut exhausted, mut replies) = (Vec::new(), Vec::new());
        let mut any = false;
        let wall = self.shared.engine.clock().now();
        while let Some(event) = self.adapter.poll_event(wall) {
            any = true;
            self.on_event(event, &mut outcomes, &mut reports, &mut acks, &mut exhausted, &mut replies)?;
        }
        outcomes.extend(self.shared.fail_over_or_give_up(exhausted).await);
        if !outcomes.is_empty() {
            if let Err(e) = self.shared.engine.submit_outcomes(outcomes).await {
                // Kept by the engine and recorded when the store has room; never resent.
                tracing::debug!(channel = %self.shared.cfg.name, error = %e, "could not record submit outcomes yet; kept");
            }
        }
        self.apply_reports(reports, acks).await;
        self.apply_replies(replies).await;
        Ok(any)
    }

    /// Replies are acknowledged only once acted on; otherwise the gateway sends them again.
    async fn apply_replies(&mut self, replies: Vec<(AckToken, Mo)>) {
        for (ack, mo) in replies {
            let done = self.shared.engine.mo(mo.arrived_on(&self.shared.cfg.name)).await;
            if let Err(e) = &done {
                tracing::error!(channel = %self.shared.cfg.name, error = %e, "could not act on a reply; not acknowledged");
            }
            self.adapter.ack(ack, done.is_ok());
        }
    }

    fn on_event(
        &mut self,
        event: LinkEvent,
        outcomes: &mut Vec<SubmitOutcome>,
        reports: &mut Vec<ReportIn>,
        acks: &mut Vec<AckToken>,
        exhausted: &mut Vec<(Work, SubmitAnswer)>,
        replies: &mut Vec<(AckToken, Mo)>,
    ) -> Result<(), LinkError> {
        let name = &self.shared.cfg.name;
        match event {
            LinkEvent::Up { detail } => {
                self.up = true;
                self.shared.link_up(self.index);
                tracing::info!(channel = %name, link = self.index, addr = %self.shared.cfg.addr, %detail,
                    "link up to {}", self.shared.cfg.kind());
            }
            LinkEvent::LoginRefused { detail } => return Err(LinkError::LoginRefused(detail)),
            LinkEvent::Answered { key, answer } => {
                let Some((work, sent)) = self.inflight.remove(&key) else { return Ok(()) };
                self.count_answer(sent, &answer);
                match answer {
                    SubmitAnswer::Throttled => {
                        self.paused_until = Some(Instant::now() + THROTTLE_PAUSE);
                        self.shared.put_back_front(vec![work]);
                    }
                    SubmitAnswer::Transient { code, text } => {
                        let what = format!("transient refusal {code}: {text}");
                        self.shared.monitor.error(self.shared.engine.clock().now(), what);
                        if let Some((work, last)) = self.shared.retry_later(work, code, text) {
                            exhausted.push((work, last));
                        }
                    }
                    other => outcomes.push(outcome(&work, other, self.shared.engine.clock().now())),
                }
            }
            // Never lost: unanswered after every retry, it waits for the next turn.
            LinkEvent::TimedOut { key } => {
                if let Some((work, _)) = self.inflight.remove(&key) {
                    self.shared.monitor.losses(self.index, 0, 1, self.shared.engine.clock().now());
                    self.shared.push_back(vec![work]);
                }
            }
            LinkEvent::Report { ack, report } => {
                reports.push(report);
                acks.push(ack);
            }
            LinkEvent::Mo { ack, mo } => replies.push((ack, mo)),
            LinkEvent::Ignored { ack, what } => {
                tracing::info!(channel = %name, %what, "acknowledged without handling (not built yet)");
                self.adapter.ack(ack, true);
            }
            LinkEvent::Dead { reason } => return Err(LinkError::Dead(reason)),
            LinkEvent::Ended => tracing::info!(channel = %name, link = self.index, "link ended in order"),
            LinkEvent::Malformed { error } => tracing::warn!(channel = %name, %error, "malformed PDU from the gateway"),
        }
        Ok(())
    }

    /// Acknowledges reports only once they are stored. Reports the store refuses (it is full,
    /// or a commit failed) are held unacknowledged and tried again every second: a carrier
    /// would send them again only after its own time-out (a minute or more in CMPP), and
    /// if the link ends first, it does.
    async fn apply_reports(&mut self, reports: Vec<ReportIn>, acks: Vec<AckToken>) {
        if reports.is_empty() {
            return;
        }
        match self.shared.engine.reports_or_back(reports).await {
            Ok(_) => acks.into_iter().for_each(|a| self.adapter.ack(a, true)),
            Err((e, reports)) => {
                tracing::warn!(channel = %self.shared.cfg.name, error = %e, count = reports.len(),
                    "could not store reports; held unacknowledged and tried again");
                self.held_reports.extend(reports.into_iter().zip(acks));
                self.retry_reports = Some(Instant::now() + REPORT_RETRY);
            }
        }
    }
}

pub(crate) fn outcome(work: &Work, answer: SubmitAnswer, at: hongyan_types::Timestamp) -> SubmitOutcome {
    let (carrier_msg_id, result, error) = match answer {
        SubmitAnswer::Accepted { carrier_msg_id } => (Some(carrier_msg_id), 0, None),
        SubmitAnswer::Refused { code, text } | SubmitAnswer::Transient { code, text } => {
            (None, code.max(1), Some(text))
        }
        SubmitAnswer::Throttled => (None, 1, Some("throttled".into())),
    };
    SubmitOutcome { message_id: work.message_id, segment: work.number, carrier_msg_id, result, error, at }
}
