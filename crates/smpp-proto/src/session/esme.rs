//! The ESME side of an SMPP link: bind, submit within the window, take deliver_sm, keep
//! alive, unbind.

use super::link::{salvage, Link};
use super::window::Window;
use super::{EsmeEvent, SendError, SessionConfig, SessionError};
use crate::pdu::{
    Bind, BindMode, BindResp, CancelSm, DataSm, DataSmResp, DeliverSmResp, QuerySm, ReplaceSm, SubmitMulti, SubmitSm,
};
use crate::{CommandId, CommandStatus, Frame, FrameDecodeError, Pdu};
use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

/// Where the bind stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Connected, nothing sent yet (or an outbind received).
    Open,
    /// Bind sent; waiting for its response until `deadline`.
    Binding { mode: BindMode, sequence: u32, deadline: Instant },
    /// Bound.
    Bound(BindMode),
    /// unbind sent; waiting for unbind_resp until `deadline`.
    Unbinding { mode: BindMode, sequence: u32, deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// An SMPP ESME (client) session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct EsmeSession {
    link: Link,
    state: State,
    window: Window<Pdu>,
    /// deliver_sm / data_sm reported to the application and not yet acknowledged, by
    /// sequence_number: only these may be answered.
    inbound: BTreeMap<u32, CommandId>,
    events: VecDeque<EsmeEvent>,
}

impl EsmeSession {
    /// A session for a freshly opened connection; nothing is sent until [`EsmeSession::bind`].
    pub fn new(config: SessionConfig) -> Self {
        Self {
            window: Window::new(config.window),
            link: Link::new(config),
            state: State::Open,
            inbound: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }

    /// Sends a bind (transmitter, receiver or transceiver by `bind.mode`); returns its
    /// sequence_number. The answer comes as [`EsmeEvent::Bound`] or
    /// [`EsmeEvent::BindRejected`]; none within `response_timeout` is [`EsmeEvent::LinkDead`].
    pub fn bind(&mut self, now: Instant, bind: Bind) -> Result<u32, SendError> {
        if !matches!(self.state, State::Open) {
            return Err(SendError::AlreadyBound);
        }
        bind.validate()?;
        let mode = bind.mode;
        let (sequence, _, _) = self.link.request(Pdu::Bind(bind));
        self.state = State::Binding { mode, sequence, deadline: now + self.link.config.response_timeout };
        Ok(sequence)
    }

    /// Feeds bytes read from the connection. Errors only on an untrusted command_length,
    /// after which the session is closed.
    pub fn handle_input(&mut self, data: &[u8], now: Instant) -> Result<(), SessionError> {
        if self.is_closed() {
            return Ok(());
        }
        self.link.push_input(data);
        while !self.is_closed() {
            match self.link.next_frame(now) {
                Ok(Some(raw)) => self.on_raw(&raw),
                Ok(None) => break,
                Err(e) => {
                    self.close(None);
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    /// Runs timers due at `now`: bind and unbind deadlines, retransmission, enquire_link.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::Open | State::Closed => return,
            State::Binding { deadline, .. } if now >= deadline => return self.close(Some(EsmeEvent::LinkDead)),
            // The SMSC never confirmed; the session is over either way.
            State::Unbinding { deadline, .. } if now >= deadline => return self.close(Some(EsmeEvent::Unbound)),
            _ => {}
        }
        let config = &self.link.config;
        let expired = self.window.expire(now, config.response_timeout, config.max_attempts);
        self.link.queue(expired.resend);
        for (sequence, request) in expired.timed_out {
            self.events.push_back(EsmeEvent::SubmitTimedOut { sequence, request });
        }
        if self.link.keepalive_timeout(now) {
            self.close(Some(EsmeEvent::LinkDead));
        }
    }

    /// The next encoded frame to write.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.link.poll_transmit()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<EsmeEvent> {
        self.events.pop_front()
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let state = match self.state {
            State::Open | State::Closed => return None,
            State::Binding { deadline, .. } | State::Unbinding { deadline, .. } => Some(deadline),
            State::Bound(_) => None,
        };
        let window = self.window.deadline(self.link.config.response_timeout);
        [state, window, self.link.keepalive_deadline()].into_iter().flatten().min()
    }

    /// True once the session is over; drain `poll_transmit` and `poll_event`, then close.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// The mode bound in, while bound.
    pub fn bind_mode(&self) -> Option<BindMode> {
        match self.state {
            State::Bound(mode) => Some(mode),
            _ => None,
        }
    }

    /// Bound as transmitter or transceiver and the window has room.
    pub fn can_submit(&self) -> bool {
        self.bind_mode().is_some_and(BindMode::can_transmit) && !self.window.is_full()
    }

    /// Re-sends and the keep-alive's round trip since the last call, for the link-quality
    /// figures.
    pub fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        hongyan_wire::LinkTally::take(&mut self.window, Some(self.link.keepalive_mut()))
    }

    /// Requests sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// Sends a submit_sm; returns its sequence_number, which [`EsmeEvent::SubmitResp`] carries.
    pub fn submit(&mut self, now: Instant, submit: SubmitSm) -> Result<u32, SendError> {
        self.send(now, Pdu::SubmitSm(submit))
    }

    /// Sends a data_sm; the answer is [`EsmeEvent::DataSmResp`].
    pub fn data_sm(&mut self, now: Instant, data: DataSm) -> Result<u32, SendError> {
        self.send(now, Pdu::DataSm(data))
    }

    /// Sends a submit_multi; the answer is [`EsmeEvent::Response`].
    pub fn submit_multi(&mut self, now: Instant, submit: SubmitMulti) -> Result<u32, SendError> {
        self.send(now, Pdu::SubmitMulti(submit))
    }

    /// Sends a query_sm; the answer is [`EsmeEvent::Response`].
    pub fn query(&mut self, now: Instant, query: QuerySm) -> Result<u32, SendError> {
        self.send(now, Pdu::QuerySm(query))
    }

    /// Sends a cancel_sm; the answer is [`EsmeEvent::Response`].
    pub fn cancel(&mut self, now: Instant, cancel: CancelSm) -> Result<u32, SendError> {
        self.send(now, Pdu::CancelSm(cancel))
    }

    /// Sends a replace_sm; the answer is [`EsmeEvent::Response`].
    pub fn replace(&mut self, now: Instant, replace: ReplaceSm) -> Result<u32, SendError> {
        self.send(now, Pdu::ReplaceSm(replace))
    }

    /// Answers the deliver_sm (or data_sm) reported with `sequence`: ESME_ROK once stored,
    /// or an error such as ESME_RX_T_APPN (try later). False when nothing is waiting for an
    /// answer under `sequence` (already answered, or the link is gone: the SMSC will deliver
    /// it again).
    pub fn ack_deliver(&mut self, sequence: u32, status: CommandStatus) -> bool {
        let pdu = match self.inbound.get(&sequence) {
            Some(&CommandId::DELIVER_SM) => Pdu::DeliverSmResp(DeliverSmResp::default()),
            Some(&CommandId::DATA_SM) => Pdu::DataSmResp(DataSmResp::default()),
            _ => return false,
        };
        self.inbound.remove(&sequence);
        self.link.reply(sequence, status, pdu);
        true
    }

    /// Answers a data_sm with a full data_sm_resp (message_id, TLVs). False as for
    /// [`EsmeSession::ack_deliver`], or when `sequence` was not a data_sm.
    pub fn ack_data_sm(&mut self, sequence: u32, status: CommandStatus, resp: DataSmResp) -> bool {
        if self.inbound.get(&sequence) != Some(&CommandId::DATA_SM) {
            return false;
        }
        self.inbound.remove(&sequence);
        self.link.reply(sequence, status, Pdu::DataSmResp(resp));
        true
    }

    /// Sends unbind. Wait for `in_flight() == 0` first to lose nothing; whatever is still
    /// outstanding comes back as `SubmitTimedOut` when the session closes. Before a bind
    /// completes this just closes the session.
    pub fn unbind(&mut self, now: Instant) {
        match self.state {
            State::Bound(mode) => {
                let (sequence, _, _) = self.link.request(Pdu::Unbind);
                let deadline = now + self.link.config.response_timeout;
                self.state = State::Unbinding { mode, sequence, deadline };
            }
            State::Open | State::Binding { .. } => self.close(Some(EsmeEvent::Unbound)),
            State::Unbinding { .. } | State::Closed => {}
        }
    }

    /// Sends a request through the window, if the bind state allows it.
    fn send(&mut self, now: Instant, pdu: Pdu) -> Result<u32, SendError> {
        let State::Bound(mode) = self.state else {
            return Err(SendError::NotBound);
        };
        if !mode.can_transmit() {
            return Err(SendError::WrongBindState { mode });
        }
        if self.window.is_full() {
            return Err(SendError::WindowFull);
        }
        pdu.validate()?;
        let (sequence, bytes, pdu) = self.link.request(pdu);
        self.window.insert(sequence, pdu, bytes, now);
        Ok(sequence)
    }

    /// The mode while bound or unbinding: PDUs from the SMSC are still taken while unbinding.
    fn live_mode(&self) -> Option<BindMode> {
        match self.state {
            State::Bound(mode) | State::Unbinding { mode, .. } => Some(mode),
            _ => None,
        }
    }

    fn on_raw(&mut self, raw: &[u8]) {
        match Frame::decode(raw) {
            Ok(frame) => self.on_frame(frame),
            Err(error) => self.on_malformed(raw, &error),
        }
    }

    fn on_frame(&mut self, frame: Frame) {
        let (seq, status) = (frame.sequence_number, frame.command_status);
        match frame.pdu {
            Pdu::BindResp(resp) => self.on_bind_resp(status, resp),
            Pdu::Outbind(outbind) if matches!(self.state, State::Open) => {
                self.events.push_back(EsmeEvent::Outbind(outbind));
            }
            pdu @ (Pdu::DeliverSm(_) | Pdu::DataSm(_) | Pdu::AlertNotification(_)) => self.on_inbound(seq, pdu),
            Pdu::EnquireLink => self.link.reply(seq, CommandStatus::ESME_ROK, Pdu::EnquireLinkResp),
            // Its arrival already restarted the idle clock in `Link::next_frame`.
            Pdu::EnquireLinkResp => {}
            Pdu::Unbind => {
                self.link.reply(seq, CommandStatus::ESME_ROK, Pdu::UnbindResp);
                self.close(Some(EsmeEvent::Unbound));
            }
            Pdu::UnbindResp if matches!(self.state, State::Unbinding { .. }) => self.close(Some(EsmeEvent::Unbound)),
            Pdu::GenericNack => self.on_generic_nack(seq, status),
            Pdu::Unknown { command_id, .. } => {
                self.link.reject(command_id, seq, CommandStatus::ESME_RINVCMDID);
                self.malformed(format!("unknown command {command_id} from the SMSC"));
            }
            pdu if pdu.command_id().is_response() => self.on_response(seq, status, pdu),
            pdu => {
                self.link.reject(pdu.command_id(), seq, CommandStatus::ESME_RINVBNDSTS);
                self.malformed(format!("{} is not allowed from the SMSC now", pdu.command_id()));
            }
        }
    }

    fn on_bind_resp(&mut self, status: CommandStatus, resp: BindResp) {
        // sequence_number is not checked: only one bind is ever outstanding.
        let State::Binding { mode, .. } = self.state else {
            return self.malformed(format!("unexpected {}", resp.mode.command_id().response()));
        };
        if resp.mode != mode {
            return self.malformed(format!("{} answers a {mode} bind", resp.mode.command_id().response()));
        }
        if !status.is_ok() {
            return self.close(Some(EsmeEvent::BindRejected { status }));
        }
        self.state = State::Bound(mode);
        self.link.start_keepalive();
        let sc_interface_version = resp.tlvs.sc_interface_version();
        self.events.push_back(EsmeEvent::Bound { mode, system_id: resp.system_id, sc_interface_version });
    }

    /// deliver_sm, data_sm and alert_notification: only on a receiver or transceiver bind.
    fn on_inbound(&mut self, sequence: u32, pdu: Pdu) {
        let id = pdu.command_id();
        if !self.live_mode().is_some_and(BindMode::can_receive) {
            self.link.reject(id, sequence, CommandStatus::ESME_RINVBNDSTS);
            return self.malformed(format!("{id} is not allowed in this bind state"));
        }
        let event = match pdu {
            Pdu::DeliverSm(deliver) => EsmeEvent::Deliver { sequence, deliver },
            Pdu::DataSm(data) => EsmeEvent::DataSm { sequence, data },
            Pdu::AlertNotification(alert) => return self.events.push_back(EsmeEvent::AlertNotification(alert)),
            _ => return,
        };
        self.inbound.insert(sequence, id);
        self.events.push_back(event);
    }

    /// A response settles the request it answers. One for a sequence_number no longer in the
    /// window (answered already, or given up on) is dropped: reporting it would let a late
    /// duplicate overwrite the outcome the application already has.
    fn on_response(&mut self, sequence: u32, status: CommandStatus, pdu: Pdu) {
        let Some(request) = self.window.get(sequence) else {
            return;
        };
        if request.command_id().response() != pdu.command_id() {
            let (got, want) = (pdu.command_id(), request.command_id());
            return self.malformed(format!("{got} (sequence {sequence}) does not answer the {want} sent with it"));
        }
        self.window.remove(sequence);
        let event = match pdu {
            Pdu::SubmitSmResp(resp) => EsmeEvent::SubmitResp { sequence, status, resp },
            Pdu::DataSmResp(resp) => EsmeEvent::DataSmResp { sequence, status, resp },
            pdu => EsmeEvent::Response { sequence, status, pdu },
        };
        self.events.push_back(event);
    }

    fn on_generic_nack(&mut self, sequence: u32, status: CommandStatus) {
        match self.state {
            State::Binding { sequence: s, .. } if s == sequence => {
                return self.close(Some(EsmeEvent::BindRejected { status }));
            }
            State::Unbinding { sequence: s, .. } if s == sequence => return self.close(Some(EsmeEvent::Unbound)),
            _ => {}
        }
        let request = self.window.remove(sequence);
        self.events.push_back(EsmeEvent::GenericNack { sequence, status, request });
    }

    fn on_malformed(&mut self, raw: &[u8], error: &FrameDecodeError) {
        self.malformed(error.to_string());
        match salvage(raw, error) {
            Some(frame) => self.on_frame(frame),
            None => self.link.answer_malformed(error),
        }
    }

    fn malformed(&mut self, error: String) {
        self.events.push_back(EsmeEvent::Malformed { error });
    }

    /// Ends the session: reports `event`, then hands back every unanswered request.
    fn close(&mut self, event: Option<EsmeEvent>) {
        self.state = State::Closed;
        self.link.shut();
        self.inbound.clear();
        self.events.extend(event);
        for (sequence, request) in self.window.drain() {
            self.events.push_back(EsmeEvent::SubmitTimedOut { sequence, request });
        }
    }
}
