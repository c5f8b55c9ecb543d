//! One ESME connection: drives its [`SmscSession`] over the socket, answers binds and
//! messages for the simulator, and delivers the receipts owed to its system_id.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use hongyan_smpp_proto::pdu::{Bind, DataSmResp, SubmitMultiResp};
use hongyan_smpp_proto::session::SessionConfig;
use hongyan_smpp_proto::{CommandStatus, SmscEvent, SmscSession};
use tokio::time::Instant;

use super::{receipt_pdu, Request, SmppSim, SMSC_ID};
use crate::driver::{Driven, Dropped};
use crate::journal::OwedReport;
use crate::Counters;

/// How often due receipts are looked for when nothing else wakes the connection.
/// After the ESME refuses a receipt, how long before this link offers receipts again:
/// without it a refused receipt, due at once, would be re-sent every tick.
const REFUSED_PAUSE: Duration = Duration::from_secs(1);

/// A submit_sm_resp or data_sm_resp held back by `submit_latency`.
struct Held {
    at: Instant,
    sequence: u32,
    status: CommandStatus,
    message_id: String,
    data_sm: bool,
}

/// One ESME connection's state beside its session.
pub(super) struct Conn {
    session: SmscSession,
    /// The system_id once bound.
    system_id: Option<String>,
    /// Responses held back by `submit_latency`, in arrival order.
    held: VecDeque<Held>,
    /// deliver_sm sequence_number → receipted message_id, until deliver_sm_resp.
    out: HashMap<u32, String>,
    /// Messages on this connection, for `drop_every` and `silent_every`.
    messages: u32,
    /// No receipts are offered before this (see [`REFUSED_PAUSE`]).
    deliver_after: Instant,
    /// Shutdown seen and unbind sent.
    stopping: bool,
}

impl Conn {
    pub(super) fn new(config: SessionConfig) -> Self {
        let now = Instant::now();
        Self {
            session: SmscSession::new(config, now.into_std()),
            system_id: None,
            held: VecDeque::new(),
            out: HashMap::new(),
            messages: 0,
            deliver_after: now,
            stopping: false,
        }
    }

    /// The message_ids of receipts sent on this link and not acknowledged.
    pub(super) fn system_id(&self) -> Option<&str> {
        self.system_id.as_deref()
    }

    pub(super) fn unacknowledged(&self) -> impl Iterator<Item = &String> {
        self.out.values()
    }

    /// Shutdown: answer everything held (a safe point), then unbind.
    fn stop(&mut self) {
        self.stopping = true;
        while let Some(h) = self.held.pop_front() {
            self.answer(h);
        }
        self.session.unbind(Instant::now().into_std());
    }

    fn handle_events(&mut self, sim: &SmppSim) -> Result<(), Dropped> {
        while let Some(event) = self.session.poll_event() {
            match event {
                SmscEvent::BindRequest { sequence, bind } => self.on_bind(sim, sequence, &bind),
                SmscEvent::Submit { sequence, submit } => self.on_message(sim, sequence, &(&submit).into(), false)?,
                SmscEvent::DataSm { sequence, data } => self.on_message(sim, sequence, &(&data).into(), true)?,
                SmscEvent::DeliverResp { sequence, status, .. } => self.on_deliver_resp(sim, sequence, status),
                SmscEvent::GenericNack { sequence, .. } => {
                    self.on_deliver_resp(sim, sequence, CommandStatus::ESME_RSYSERR)
                }
                SmscEvent::DeliverTimedOut { sequence, .. } => {
                    if let Some(id) = self.out.remove(&sequence) {
                        crate::mo::released(&sim.book, &sim.mo, self.system_id.as_deref().unwrap_or_default(), &id);
                    }
                }
                other => self.refuse(other),
            }
        }
        Ok(())
    }

    fn on_bind(&mut self, sim: &SmppSim, sequence: u32, bind: &Bind) {
        let status = sim.login(bind);
        self.session.answer_bind(sequence, status, SMSC_ID);
        let system_id = String::from_utf8_lossy(&bind.system_id).into_owned();
        tracing::info!(system_id = %system_id, mode = %bind.mode, status = %status, "simulated SMSC: bind");
        if status.is_ok() {
            Counters::bump(&sim.counters.logins);
            self.system_id = Some(system_id);
        } else {
            Counters::bump(&sim.counters.refused_logins);
        }
    }

    /// A submit_sm or data_sm (the session only reports them on a bound transmitter or
    /// transceiver).
    fn on_message(&mut self, sim: &SmppSim, sequence: u32, req: &Request<'_>, data_sm: bool) -> Result<(), Dropped> {
        let Some(system_id) = self.system_id.clone() else { return Ok(()) };
        Counters::bump(&sim.counters.submits);
        self.messages += 1;
        if sim.cfg.scenario.drops(self.messages) {
            return Err(Dropped);
        }
        if sim.cfg.scenario.silent(self.messages) {
            Counters::bump(&sim.counters.silenced);
            return Ok(());
        }
        let (status, message_id) = sim.accept(&system_id, req);
        let at = Instant::now() + sim.cfg.scenario.submit_latency;
        self.held.push_back(Held { at, sequence, status, message_id, data_sm });
        Ok(())
    }

    /// deliver_sm_resp: ESME_ROK strikes the receipt; anything else owes it again, after a
    /// pause. Only the first copy of a duplicated receipt is in `out`.
    fn on_deliver_resp(&mut self, sim: &SmppSim, sequence: u32, status: CommandStatus) {
        let Some(id) = self.out.remove(&sequence) else { return };
        if !status.is_ok() {
            tracing::info!(status = %status, "simulated SMSC: delivery refused; it stays owed");
            crate::mo::released(&sim.book, &sim.mo, self.system_id.as_deref().unwrap_or_default(), &id);
            self.deliver_after = Instant::now() + REFUSED_PAUSE;
            return;
        }
        crate::mo::acked(&sim.book, &sim.counters, &id);
    }

    /// Requests the simulator has no store for. Logged by kind only: their bodies hold numbers.
    fn refuse(&mut self, event: SmscEvent) {
        let answered = match event {
            SmscEvent::SubmitMulti { sequence, .. } => {
                self.session.answer_submit_multi(sequence, CommandStatus::ESME_RSUBMITFAIL, SubmitMultiResp::default())
            }
            SmscEvent::Query { sequence, .. } => {
                self.session.answer_query(sequence, CommandStatus::ESME_RQUERYFAIL, Default::default())
            }
            SmscEvent::Cancel { sequence, .. } => self.session.answer_cancel(sequence, CommandStatus::ESME_RCANCELFAIL),
            SmscEvent::Replace { sequence, .. } => {
                self.session.answer_replace(sequence, CommandStatus::ESME_RREPLACEFAIL)
            }
            SmscEvent::Malformed { error } => {
                tracing::debug!(error = %error, "simulated SMSC: malformed PDU");
                return;
            }
            _ => return,
        };
        tracing::debug!(answered, "simulated SMSC: refused a request it does not support");
    }

    fn answer(&mut self, h: Held) {
        if h.data_sm {
            self.session.answer_data_sm(h.sequence, h.status, DataSmResp::new(h.message_id));
        } else {
            self.session.answer_submit(h.sequence, h.status, h.message_id);
        }
    }

    /// Sends held responses whose time has come, then due receipts while the window allows.
    fn send_due(&mut self, sim: &SmppSim) {
        let now = Instant::now();
        while self.held.front().is_some_and(|h| h.at <= now) {
            if let Some(h) = self.held.pop_front() {
                self.answer(h);
            }
        }
        let Some(system_id) = self.system_id.clone() else { return };
        if now < self.deliver_after {
            return;
        }
        while self.session.can_deliver() {
            let Some(r) = sim.book.take_due(&system_id, sim.book.now_ms(), 1).pop() else { break };
            if !self.deliver(sim, now, &r) {
                return;
            }
        }
        while self.session.can_deliver() {
            let Some(m) = sim.mo.take(&system_id, &sim.cfg.scenario.mo) else { break };
            match self.session.deliver(now.into_std(), super::mo_pdu(&m, &system_id)) {
                Ok(sequence) => drop(self.out.insert(sequence, crate::mo::MoBox::key(&m))),
                Err(_) => {
                    sim.mo.put_back(&system_id, m);
                    break;
                }
            }
        }
    }

    /// Sends one receipt (twice with `duplicate_reports`); false when it could not go.
    fn deliver(&mut self, sim: &SmppSim, now: Instant, r: &OwedReport) -> bool {
        let copies = if sim.cfg.scenario.duplicate_reports { 2 } else { 1 };
        for copy in 0..copies {
            match self.session.deliver(now.into_std(), receipt_pdu(r, sim.cfg.scenario.smpp_receipts)) {
                Ok(sequence) => {
                    Counters::bump(&sim.counters.reports_sent);
                    // Only the first copy's acknowledgement strikes the receipt.
                    if copy == 0 {
                        self.out.insert(sequence, r.msg_id.clone());
                    }
                }
                Err(e) if copy == 0 => {
                    tracing::warn!(error = %e, "simulated SMSC: receipt not sent; it stays owed");
                    sim.book.release(&r.msg_id);
                    return false;
                }
                Err(_) => {}
            }
        }
        true
    }
}

/// A connection together with its simulator, as the driver runs it.
pub(super) struct Bound<'a> {
    pub(super) conn: &'a mut Conn,
    pub(super) sim: &'a SmppSim,
}

impl Driven for Bound<'_> {
    type Session = SmscSession;

    fn session(&mut self) -> &mut SmscSession {
        &mut self.conn.session
    }

    fn step(&mut self) -> Result<Option<Instant>, Dropped> {
        let handled = self.conn.handle_events(self.sim);
        // What was answered before a drop goes out before the connection closes.
        self.conn.send_due(self.sim);
        handled?;
        Ok(self.conn.held.front().map(|h| h.at))
    }

    fn shutdown(&mut self) {
        if !self.conn.stopping {
            self.conn.stop();
        }
    }
}
