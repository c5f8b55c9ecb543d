//! The side of an SGIP link that accepts Bind: an SMG taking an SP's Submits (Login Type 1),
//! or an SP's listener taking the SMG's Delivers and Reports (Login Type 2). It also applies
//! the spec's idle rule, since SGIP has no keep-alive.

use super::link::{Link, LinkEvent};
use super::{Request, SendError, SessionConfig, SessionError};
use crate::pdu::{Bind, Deliver, Report, Resp, Unbind, UnbindResp};
use crate::{CommandId, Frame, LoginType, Pdu, ResultCode, Sequence};
use std::time::Instant;

/// What the application must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// A Bind: check it (e.g. [`Bind::verify`] and its Login Type) and call
    /// [`ServerSession::answer_bind`].
    BindRequest {
        /// Sequence to answer.
        sequence: Sequence,
        /// The login.
        bind: Bind,
    },
    /// The answer to a request we sent.
    Response {
        /// Sequence the request was sent with.
        sequence: Sequence,
        /// The request, handed back.
        request: Request,
        /// Result and Reserve.
        resp: Resp,
    },
    /// A request sent `max_attempts` times with no answer, or still unanswered when the
    /// session closed; send it again on another link.
    TimedOut {
        /// Sequence it was sent with.
        sequence: Sequence,
        /// The request, handed back.
        request: Request,
    },
    /// The peer sent a request (Submit, Deliver, Report, …). Answer with
    /// [`ServerSession::ack`] once it is stored (or refused).
    Request {
        /// Sequence to answer.
        sequence: Sequence,
        /// The request.
        request: Request,
    },
    /// The session ended by Unbind (from either side). The session is closed.
    Unbound,
    /// Nothing arrived for `idle_timeout`; the session is closed and the connection should be
    /// dropped (SGIP has no keep-alive, sgip.md §1).
    IdleClosed,
    /// A frame could not be decoded, or came when it makes no sense. Answered where the
    /// protocol has an error answer; before a successful Bind the session then closes.
    Malformed {
        /// What was wrong, for the log.
        error: String,
    },
}

impl LinkEvent for ServerEvent {
    fn response(sequence: Sequence, request: Request, resp: Resp) -> Self {
        Self::Response { sequence, request, resp }
    }
    fn timed_out(sequence: Sequence, request: Request) -> Self {
        Self::TimedOut { sequence, request }
    }
    fn request(sequence: Sequence, request: Request) -> Self {
        Self::Request { sequence, request }
    }
    fn malformed(error: String) -> Self {
        Self::Malformed { error }
    }
}

/// Where the login stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Waiting for Bind.
    AwaitingBind,
    /// Bind handed to the application as `sequence`; waiting for `answer_bind`.
    BindPending { sequence: Sequence, login_type: LoginType },
    /// Bound with `login_type`.
    Bound { login_type: LoginType },
    /// Unbind sent; waiting for Unbind_Resp until `deadline`.
    Unbinding { deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// An SGIP server session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct ServerSession {
    link: Link<ServerEvent>,
    state: State,
}

impl ServerSession {
    /// A session for a connection accepted at `now`, which starts the idle clock: a peer that
    /// never binds is dropped after `idle_timeout` too.
    pub fn new(config: SessionConfig, now: Instant) -> Self {
        let mut link = Link::new(config);
        link.last_rx = Some(now);
        Self { link, state: State::AwaitingBind }
    }

    /// Feeds bytes read from the connection. Errors only on an untrusted length, after which
    /// the session is closed.
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
                    self.finish(None);
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    /// Runs timers due at `now`: the idle rule, the Unbind deadline, retransmission.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.is_closed() {
            return;
        }
        if self.idle_deadline().is_some_and(|idle| now >= idle) {
            return self.finish(Some(ServerEvent::IdleClosed));
        }
        match self.state {
            State::Unbinding { deadline } if now >= deadline => self.finish(Some(ServerEvent::Unbound)),
            _ => self.link.expire(now),
        }
    }

    /// The next encoded frame to write.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.link.poll_transmit()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.link.events.pop_front()
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let state = match self.state {
            State::Closed => return None,
            State::Unbinding { deadline } => Some(deadline),
            _ => None,
        };
        [state, self.link.window_deadline(), self.idle_deadline()].into_iter().flatten().min()
    }

    /// True once the session is over; drain `poll_transmit` and `poll_event`, then close.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// The Login Type of the accepted Bind, while bound.
    pub fn login_type(&self) -> Option<LoginType> {
        match self.state {
            State::Bound { login_type } => Some(login_type),
            _ => None,
        }
    }

    /// Bound and the window has room.
    pub fn can_send(&self) -> bool {
        self.login_type().is_some() && !self.link.window_full()
    }

    /// Requests sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.link.in_flight()
    }

    /// Inbound requests handed out as events and not yet acknowledged.
    pub fn unanswered(&self) -> usize {
        self.link.unanswered()
    }

    /// Counter the next request will get.
    pub fn next_counter(&self) -> u32 {
        self.link.next_counter()
    }

    /// Answers the [`ServerEvent::BindRequest`] that came as `sequence`. Result 0 binds; any
    /// other (1 = illegal login, 4 = wrong Login Type, …) is sent and the session closes.
    /// Ignored unless that Bind is pending.
    pub fn answer_bind(&mut self, sequence: Sequence, result: ResultCode) {
        let State::BindPending { sequence: pending, login_type } = self.state else {
            return;
        };
        if pending != sequence {
            return;
        }
        self.link.answer(CommandId::BIND, sequence, result);
        if result.is_ok() {
            self.state = State::Bound { login_type };
        } else {
            self.finish(None);
        }
    }

    /// Sends a request generated at `time` (`mmddhhmmss`); returns its sequence.
    pub fn send(&mut self, now: Instant, time: u32, request: impl Into<Request>) -> Result<Sequence, SendError> {
        if self.login_type().is_none() {
            return Err(SendError::NotBound);
        }
        self.link.send(now, time, request.into())
    }

    /// Shorthand for [`ServerSession::send`] with a Deliver.
    pub fn deliver(&mut self, now: Instant, time: u32, deliver: Deliver) -> Result<Sequence, SendError> {
        self.send(now, time, deliver)
    }

    /// Shorthand for [`ServerSession::send`] with a Report.
    pub fn report(&mut self, now: Instant, time: u32, report: Report) -> Result<Sequence, SendError> {
        self.send(now, time, report)
    }

    /// Answers the inbound request that came as `sequence` (a [`ServerEvent::Request`]) with
    /// `result`. Returns false, sending nothing, when no such request is waiting or the link
    /// is gone.
    pub fn ack(&mut self, sequence: Sequence, result: ResultCode) -> bool {
        self.is_up() && self.link.ack(sequence, result)
    }

    /// Sends Unbind; unanswered requests come back as `TimedOut` when the session closes.
    pub fn unbind(&mut self, now: Instant, time: u32) {
        match self.state {
            State::Bound { .. } => {
                self.link.command(CommandId::UNBIND, time, &Unbind);
                self.state = State::Unbinding { deadline: now + self.link.config.response_timeout };
            }
            State::AwaitingBind | State::BindPending { .. } => self.finish(Some(ServerEvent::Unbound)),
            State::Unbinding { .. } | State::Closed => {}
        }
    }

    /// Ends the session at once: call it when the connection is gone. Unanswered requests
    /// come back as `TimedOut`.
    pub fn close(&mut self) {
        if !self.is_closed() {
            self.finish(None);
        }
    }

    /// Bound, possibly unbinding.
    fn is_up(&self) -> bool {
        matches!(self.state, State::Bound { .. } | State::Unbinding { .. })
    }

    /// When the idle rule closes the link.
    fn idle_deadline(&self) -> Option<Instant> {
        Some(self.link.last_rx? + self.link.config.idle_timeout)
    }

    fn on_raw(&mut self, raw: &[u8]) {
        match Frame::decode(raw) {
            Ok(frame) => self.on_frame(frame, raw),
            Err(error) => {
                self.link.on_malformed(&error);
                // Before a successful Bind nothing the peer says can be trusted.
                if !self.is_up() {
                    self.finish(None);
                }
            }
        }
    }

    fn on_frame(&mut self, frame: Frame, raw: &[u8]) {
        let sequence = frame.sequence;
        match (self.state, frame.pdu) {
            (State::AwaitingBind, Pdu::Bind(bind)) => {
                self.state = State::BindPending { sequence, login_type: bind.login_type };
                self.link.events.push_back(ServerEvent::BindRequest { sequence, bind });
            }
            (_, Pdu::Bind(_)) => {
                self.link.answer(CommandId::BIND, sequence, ResultCode::REPEATED_LOGIN);
                self.link.unexpected(CommandId::BIND, "on a connection that already has one");
            }
            (_, Pdu::Unbind) => {
                self.link.reply(CommandId::UNBIND_RESP, sequence, &UnbindResp);
                self.finish(Some(ServerEvent::Unbound));
            }
            (State::Unbinding { .. }, Pdu::UnbindResp) => self.finish(Some(ServerEvent::Unbound)),
            (State::Bound { .. } | State::Unbinding { .. }, pdu) => self.link.on_traffic(sequence, pdu, raw),
            (_, pdu) => self.before_bind(sequence, &pdu),
        }
    }

    /// Only Bind may come first (sgip.md §1). A request is refused with Result 1 (illegal
    /// login: there is no "not bound" code) and the session closes.
    fn before_bind(&mut self, sequence: Sequence, pdu: &Pdu) {
        let command = pdu.command_id();
        if command.has_result_response() {
            self.link.answer(command, sequence, ResultCode::ILLEGAL_LOGIN);
        }
        self.link.unexpected(command, "before a successful Bind");
        self.finish(None);
    }

    /// Ends the session: reports `event`, then hands back every unanswered request.
    fn finish(&mut self, event: Option<ServerEvent>) {
        self.state = State::Closed;
        self.link.events.extend(event);
        self.link.shut();
    }
}
