//! The SMSC side of an SMPP link: accept (or, after outbind, await) a bind, take requests
//! for the application to answer, send deliver_sm within the window, keep alive, unbind.
//! Used by the carrier simulator and by our own SMPP server.

use super::link::{salvage, Link};
use super::window::Window;
use super::{SendError, SessionConfig, SessionError, SmscEvent};
use crate::pdu::{
    AlertNotification, Bind, BindMode, BindResp, DataSm, DataSmResp, DeliverSm, Outbind, QuerySmResp, SubmitMultiResp,
    SubmitSmResp,
};
use crate::{CommandId, CommandStatus, Frame, FrameDecodeError, Pdu, TlvTag};
use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

/// Where the bind stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Waiting for a bind until `deadline` (session_init_timer).
    Open { deadline: Instant },
    /// outbind sent; waiting for the ESME's bind until `deadline`.
    Outbound { deadline: Instant },
    /// A bind handed to the application; waiting for `answer_bind`.
    BindPending { mode: BindMode, sequence: u32, interface_version: u8, deadline: Instant },
    /// Bound.
    Bound(BindMode),
    /// unbind sent; waiting for unbind_resp until `deadline`.
    Unbinding { sequence: u32, deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// An SMPP SMSC (server) session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct SmscSession {
    link: Link,
    state: State,
    window: Window<Pdu>,
    /// Requests reported to the application and not yet answered, by sequence_number: only
    /// these may be answered, and only with their own response.
    inbound: BTreeMap<u32, CommandId>,
    events: VecDeque<SmscEvent>,
}

impl SmscSession {
    /// A session for a connection opened at `now` (accepted, or dialled out for outbind).
    /// It closes with [`SmscEvent::LinkDead`] unless bound within `session_init_timeout`.
    pub fn new(config: SessionConfig, now: Instant) -> Self {
        let deadline = now + config.session_init_timeout;
        Self {
            window: Window::new(config.window),
            link: Link::new(config),
            state: State::Open { deadline },
            inbound: BTreeMap::new(),
            events: VecDeque::new(),
        }
    }

    /// Sends outbind on a connection we opened to the ESME, asking it to bind (as a
    /// receiver). Only before any bind.
    pub fn outbind(&mut self, outbind: Outbind) -> Result<(), SendError> {
        let State::Open { deadline } = self.state else {
            return Err(SendError::AlreadyBound);
        };
        outbind.validate()?;
        self.link.request(Pdu::Outbind(outbind));
        self.state = State::Outbound { deadline };
        Ok(())
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

    /// Runs timers due at `now`: session_init, unbind deadline, retransmission, enquire_link.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::Closed => return,
            State::Open { deadline } | State::Outbound { deadline } | State::BindPending { deadline, .. } => {
                if now >= deadline {
                    self.close(Some(SmscEvent::LinkDead));
                }
                return;
            }
            State::Unbinding { deadline, .. } if now >= deadline => return self.close(Some(SmscEvent::Unbound)),
            _ => {}
        }
        let config = &self.link.config;
        let expired = self.window.expire(now, config.response_timeout, config.max_attempts);
        self.link.queue(expired.resend);
        for (sequence, request) in expired.timed_out {
            self.events.push_back(SmscEvent::DeliverTimedOut { sequence, request });
        }
        if self.link.keepalive_timeout(now) {
            self.close(Some(SmscEvent::LinkDead));
        }
    }

    /// The next encoded frame to write.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.link.poll_transmit()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<SmscEvent> {
        self.events.pop_front()
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let state = match self.state {
            State::Closed => return None,
            State::Open { deadline }
            | State::Outbound { deadline }
            | State::BindPending { deadline, .. }
            | State::Unbinding { deadline, .. } => Some(deadline),
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

    /// Bound as receiver or transceiver and the window has room for a deliver_sm.
    pub fn can_deliver(&self) -> bool {
        self.bind_mode().is_some_and(BindMode::can_receive) && !self.window.is_full()
    }

    /// deliver_sm / data_sm sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// Answers a [`SmscEvent::BindRequest`]. ESME_ROK binds the session (with
    /// sc_interface_version 0x34 when the ESME spoke 3.4); any other status (ESME_RINVPASWD,
    /// ESME_RBINDFAIL, …) is sent without a body and the session closes. False when no bind
    /// is pending under `sequence`.
    pub fn answer_bind(&mut self, sequence: u32, status: CommandStatus, system_id: impl Into<Vec<u8>>) -> bool {
        let State::BindPending { mode, sequence: pending, interface_version, .. } = self.state else {
            return false;
        };
        if pending != sequence {
            return false;
        }
        let mut resp = BindResp::new(mode, Vec::new());
        if status.is_ok() {
            resp.system_id = system_id.into();
            if interface_version >= Bind::INTERFACE_VERSION_34 {
                resp.tlvs.set(TlvTag::SC_INTERFACE_VERSION, [Bind::INTERFACE_VERSION_34]);
            }
        }
        self.link.reply(sequence, status, Pdu::BindResp(resp));
        if status.is_ok() {
            self.state = State::Bound(mode);
            self.link.start_keepalive();
        } else {
            self.close(None);
        }
        true
    }

    /// Answers a [`SmscEvent::Submit`]: ESME_ROK with the message_id receipts will carry, or
    /// an error (ESME_RTHROTTLED, ESME_RINVDSTADR, …; the message_id is then left out).
    pub fn answer_submit(&mut self, sequence: u32, status: CommandStatus, message_id: impl Into<Vec<u8>>) -> bool {
        let message_id = if status.is_ok() { message_id.into() } else { Vec::new() };
        self.answer(sequence, status, Pdu::SubmitSmResp(SubmitSmResp { message_id }))
    }

    /// Answers a [`SmscEvent::SubmitMulti`].
    pub fn answer_submit_multi(&mut self, sequence: u32, status: CommandStatus, resp: SubmitMultiResp) -> bool {
        self.answer(sequence, status, Pdu::SubmitMultiResp(resp))
    }

    /// Answers a [`SmscEvent::DataSm`].
    pub fn answer_data_sm(&mut self, sequence: u32, status: CommandStatus, resp: DataSmResp) -> bool {
        self.answer(sequence, status, Pdu::DataSmResp(resp))
    }

    /// Answers a [`SmscEvent::Query`].
    pub fn answer_query(&mut self, sequence: u32, status: CommandStatus, resp: QuerySmResp) -> bool {
        self.answer(sequence, status, Pdu::QuerySmResp(resp))
    }

    /// Answers a [`SmscEvent::Cancel`].
    pub fn answer_cancel(&mut self, sequence: u32, status: CommandStatus) -> bool {
        self.answer(sequence, status, Pdu::CancelSmResp)
    }

    /// Answers a [`SmscEvent::Replace`].
    pub fn answer_replace(&mut self, sequence: u32, status: CommandStatus) -> bool {
        self.answer(sequence, status, Pdu::ReplaceSmResp)
    }

    /// Sends a deliver_sm (MO message or receipt); returns its sequence_number. Only on a
    /// receiver or transceiver bind.
    pub fn deliver(&mut self, now: Instant, deliver: DeliverSm) -> Result<u32, SendError> {
        self.send(now, Pdu::DeliverSm(deliver))
    }

    /// Sends a data_sm to the ESME; the answer is [`SmscEvent::DataSmResp`].
    pub fn data_sm(&mut self, now: Instant, data: DataSm) -> Result<u32, SendError> {
        self.send(now, Pdu::DataSm(data))
    }

    /// Sends an alert_notification (it has no response, so it takes no window slot).
    pub fn alert(&mut self, alert: AlertNotification) -> Result<(), SendError> {
        self.check_can_receive()?;
        alert.validate()?;
        self.link.request(Pdu::AlertNotification(alert));
        Ok(())
    }

    /// Sends unbind; unanswered deliver_sm come back as `DeliverTimedOut` when it closes.
    /// Before a bind completes this just closes the session.
    pub fn unbind(&mut self, now: Instant) {
        match self.state {
            State::Bound(_) => {
                let (sequence, _, _) = self.link.request(Pdu::Unbind);
                let deadline = now + self.link.config.response_timeout;
                self.state = State::Unbinding { sequence, deadline };
            }
            State::Unbinding { .. } | State::Closed => {}
            _ => self.close(Some(SmscEvent::Unbound)),
        }
    }

    fn answer(&mut self, sequence: u32, status: CommandStatus, pdu: Pdu) -> bool {
        if self.inbound.get(&sequence).map(|id| id.response()) != Some(pdu.command_id()) {
            return false;
        }
        self.inbound.remove(&sequence);
        self.link.reply(sequence, status, pdu);
        true
    }

    fn check_can_receive(&self) -> Result<(), SendError> {
        match self.state {
            State::Bound(mode) if mode.can_receive() => Ok(()),
            State::Bound(mode) => Err(SendError::WrongBindState { mode }),
            _ => Err(SendError::NotBound),
        }
    }

    fn send(&mut self, now: Instant, pdu: Pdu) -> Result<u32, SendError> {
        self.check_can_receive()?;
        if self.window.is_full() {
            return Err(SendError::WindowFull);
        }
        pdu.validate()?;
        let (sequence, bytes, pdu) = self.link.request(pdu);
        self.window.insert(sequence, pdu, bytes, now);
        Ok(sequence)
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
            Pdu::Bind(bind) => self.on_bind(seq, bind),
            Pdu::EnquireLink => self.link.reply(seq, CommandStatus::ESME_ROK, Pdu::EnquireLinkResp),
            Pdu::EnquireLinkResp => {}
            Pdu::Unbind => {
                self.link.reply(seq, CommandStatus::ESME_ROK, Pdu::UnbindResp);
                self.close(Some(SmscEvent::Unbound));
            }
            Pdu::UnbindResp if matches!(self.state, State::Unbinding { .. }) => self.close(Some(SmscEvent::Unbound)),
            Pdu::GenericNack => self.on_generic_nack(seq, status),
            Pdu::Unknown { command_id, .. } => {
                self.link.reject(command_id, seq, CommandStatus::ESME_RINVCMDID);
                self.malformed(format!("unknown command {command_id} from the ESME"));
            }
            pdu @ (Pdu::SubmitSm(_)
            | Pdu::SubmitMulti(_)
            | Pdu::DataSm(_)
            | Pdu::QuerySm(_)
            | Pdu::CancelSm(_)
            | Pdu::ReplaceSm(_)) => self.on_request(seq, pdu),
            pdu if pdu.command_id().is_response() => self.on_response(seq, status, pdu),
            pdu => {
                self.link.reject(pdu.command_id(), seq, CommandStatus::ESME_RINVBNDSTS);
                self.malformed(format!("{} is not allowed from an ESME", pdu.command_id()));
            }
        }
    }

    /// A bind is taken only before any bind; a second one gets ESME_RALYBND.
    fn on_bind(&mut self, sequence: u32, bind: Bind) {
        let (State::Open { deadline } | State::Outbound { deadline }) = self.state else {
            let resp = BindResp::new(bind.mode, Vec::new());
            self.link.reply(sequence, CommandStatus::ESME_RALYBND, Pdu::BindResp(resp));
            return self.malformed(format!("{} on a session already bound", bind.mode.command_id()));
        };
        let (mode, interface_version) = (bind.mode, bind.interface_version);
        self.state = State::BindPending { mode, sequence, interface_version, deadline };
        self.events.push_back(SmscEvent::BindRequest { sequence, bind });
    }

    /// ESME requests: only on a transmitter or transceiver bind (not while unbinding).
    fn on_request(&mut self, sequence: u32, pdu: Pdu) {
        let id = pdu.command_id();
        if !self.bind_mode().is_some_and(BindMode::can_transmit) {
            self.link.reject(id, sequence, CommandStatus::ESME_RINVBNDSTS);
            return self.malformed(format!("{id} is not allowed in this bind state"));
        }
        self.inbound.insert(sequence, id);
        let event = match pdu {
            Pdu::SubmitSm(submit) => SmscEvent::Submit { sequence, submit },
            Pdu::SubmitMulti(submit) => SmscEvent::SubmitMulti { sequence, submit },
            Pdu::DataSm(data) => SmscEvent::DataSm { sequence, data },
            Pdu::QuerySm(query) => SmscEvent::Query { sequence, query },
            Pdu::CancelSm(cancel) => SmscEvent::Cancel { sequence, cancel },
            Pdu::ReplaceSm(replace) => SmscEvent::Replace { sequence, replace },
            _ => return,
        };
        self.events.push_back(event);
    }

    /// A response settles the deliver_sm / data_sm it answers; late duplicates are dropped.
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
            Pdu::DeliverSmResp(resp) => SmscEvent::DeliverResp { sequence, status, resp },
            Pdu::DataSmResp(resp) => SmscEvent::DataSmResp { sequence, status, resp },
            _ => return,
        };
        self.events.push_back(event);
    }

    fn on_generic_nack(&mut self, sequence: u32, status: CommandStatus) {
        if matches!(self.state, State::Unbinding { sequence: s, .. } if s == sequence) {
            return self.close(Some(SmscEvent::Unbound));
        }
        let request = self.window.remove(sequence);
        self.events.push_back(SmscEvent::GenericNack { sequence, status, request });
    }

    fn on_malformed(&mut self, raw: &[u8], error: &FrameDecodeError) {
        self.malformed(error.to_string());
        match salvage(raw, error) {
            Some(frame) => self.on_frame(frame),
            None => self.link.answer_malformed(error),
        }
    }

    fn malformed(&mut self, error: String) {
        self.events.push_back(SmscEvent::Malformed { error });
    }

    /// Ends the session: reports `event`, then hands back every unanswered deliver_sm.
    fn close(&mut self, event: Option<SmscEvent>) {
        self.state = State::Closed;
        self.link.shut();
        self.inbound.clear();
        self.events.extend(event);
        for (sequence, request) in self.window.drain() {
            self.events.push_back(SmscEvent::DeliverTimedOut { sequence, request });
        }
    }
}
