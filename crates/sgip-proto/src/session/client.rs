//! The side of an SGIP link that connects and sends Bind: an SP submitting to the SMG (Login
//! Type 1), or an SMG delivering to an SP's listener (Login Type 2).

use super::link::{Link, LinkEvent};
use super::{Request, SendError, SessionConfig, SessionError};
use crate::pdu::{Bind, EncodeError, Resp, Submit, Unbind, UnbindResp};
use crate::{CommandId, Frame, Pdu, ResultCode, Sequence};
use std::time::Instant;

/// What the application must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// Bind_Resp with Result 0: requests may be sent.
    Bound,
    /// Bind_Resp with a non-zero Result (1 = illegal login, …); the session is closed.
    BindRejected {
        /// Result from the server.
        result: ResultCode,
    },
    /// The answer to a request we sent (for a Submit, acceptance: the outcome comes as a
    /// Report naming `sequence`).
    Response {
        /// Sequence the request was sent with.
        sequence: Sequence,
        /// The request, handed back.
        request: Request,
        /// Result and Reserve.
        resp: Resp,
    },
    /// A request sent `max_attempts` times with no answer, or still unanswered when the
    /// session closed. The peer may or may not have it; the application decides whether to
    /// send it again.
    TimedOut {
        /// Sequence it was sent with.
        sequence: Sequence,
        /// The request, handed back.
        request: Request,
    },
    /// The peer sent a request (Deliver, Report, UserRpt, …). Answer with
    /// [`ClientSession::ack`] once it is stored; the peer re-sends unanswered ones.
    Request {
        /// Sequence to answer.
        sequence: Sequence,
        /// The request.
        request: Request,
    },
    /// The session ended by Unbind (from either side). The session is closed.
    Unbound,
    /// No usable Bind_Resp arrived within `response_timeout`. The session is closed.
    LinkDead,
    /// A frame could not be decoded, or came when it makes no sense. Answered where the
    /// protocol has an error answer; the link lives on unless a closing event follows.
    Malformed {
        /// What was wrong, for the log.
        error: String,
    },
}

impl LinkEvent for ClientEvent {
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
    /// `bind` not called yet.
    Idle,
    /// Bind sent; waiting for Bind_Resp until `deadline`.
    Binding { deadline: Instant },
    /// Bound.
    Bound,
    /// Unbind sent; waiting for Unbind_Resp until `deadline`.
    Unbinding { deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// An SGIP client session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct ClientSession {
    link: Link<ClientEvent>,
    bind: Bind,
    state: State,
}

impl ClientSession {
    /// A session that will log in with `bind`; nothing is sent until [`ClientSession::bind`].
    pub fn new(config: SessionConfig, bind: Bind) -> Self {
        Self { link: Link::new(config), bind, state: State::Idle }
    }

    /// Sends Bind; `time` is `mmddhhmmss` for its sequence number. Bind is not re-sent: if no
    /// answer comes within `response_timeout` the link is declared dead, and a new connection
    /// is the right retry. Does nothing unless the session is new.
    pub fn bind(&mut self, now: Instant, time: u32) -> Result<(), EncodeError> {
        if !matches!(self.state, State::Idle) {
            return Ok(());
        }
        self.bind.validate()?;
        self.link.command(CommandId::BIND, time, &self.bind);
        self.state = State::Binding { deadline: now + self.link.config.response_timeout };
        Ok(())
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

    /// Runs timers due at `now`: retransmission, the Bind and Unbind deadlines.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::Idle | State::Closed => {}
            State::Binding { deadline } if now >= deadline => self.finish(Some(ClientEvent::LinkDead)),
            // The peer never confirmed; the session is over either way.
            State::Unbinding { deadline } if now >= deadline => self.finish(Some(ClientEvent::Unbound)),
            _ => self.link.expire(now),
        }
    }

    /// The next encoded frame to write.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.link.poll_transmit()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.link.events.pop_front()
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let state = match self.state {
            State::Idle | State::Closed => return None,
            State::Binding { deadline } | State::Unbinding { deadline } => Some(deadline),
            State::Bound => None,
        };
        [state, self.link.window_deadline()].into_iter().flatten().min()
    }

    /// True once the session is over; drain `poll_transmit` and `poll_event`, then close.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Bound and not unbinding.
    pub fn is_bound(&self) -> bool {
        matches!(self.state, State::Bound)
    }

    /// Bound and the window has room.
    pub fn can_send(&self) -> bool {
        self.is_bound() && !self.link.window_full()
    }

    /// Re-sends since the last call, for the link-quality figures (SGIP has no keep-alive:
    /// an idle connection is closed and opened again).
    pub fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        self.link.take_tally()
    }

    /// Requests sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.link.in_flight()
    }

    /// Inbound requests handed out as events and not yet acknowledged.
    pub fn unanswered(&self) -> usize {
        self.link.unanswered()
    }

    /// Counter the next request will get; start the next session of this node there.
    pub fn next_counter(&self) -> u32 {
        self.link.next_counter()
    }

    /// Sends a request generated at `time` (`mmddhhmmss`); returns its sequence, which the
    /// response (and, for a Submit, the Report) will carry.
    pub fn send(&mut self, now: Instant, time: u32, request: impl Into<Request>) -> Result<Sequence, SendError> {
        if !self.is_bound() {
            return Err(SendError::NotBound);
        }
        self.link.send(now, time, request.into())
    }

    /// Shorthand for [`ClientSession::send`] with a Submit.
    pub fn submit(&mut self, now: Instant, time: u32, submit: Submit) -> Result<Sequence, SendError> {
        self.send(now, time, submit)
    }

    /// Answers the inbound request that came as `sequence` (a [`ClientEvent::Request`]) with
    /// `result`, after the application has stored it. Returns false, sending nothing, when no
    /// such request is waiting or the link is gone (the peer will send it again).
    pub fn ack(&mut self, sequence: Sequence, result: ResultCode) -> bool {
        self.is_up() && self.link.ack(sequence, result)
    }

    /// Sends Unbind; `time` is `mmddhhmmss` for its sequence. Wait for `in_flight() == 0`
    /// first to lose nothing; whatever is still unanswered comes back as `TimedOut` when the
    /// session closes.
    pub fn unbind(&mut self, now: Instant, time: u32) {
        match self.state {
            State::Binding { .. } | State::Bound => {
                self.link.command(CommandId::UNBIND, time, &Unbind);
                self.state = State::Unbinding { deadline: now + self.link.config.response_timeout };
            }
            State::Idle => self.finish(Some(ClientEvent::Unbound)),
            State::Unbinding { .. } | State::Closed => {}
        }
    }

    /// Ends the session at once, without Unbind: call it when the connection is gone (a
    /// server closes idle links). Unanswered requests come back as `TimedOut`.
    pub fn close(&mut self) {
        if !self.is_closed() {
            self.finish(None);
        }
    }

    /// Bound, possibly unbinding: responses and requests are still handled.
    fn is_up(&self) -> bool {
        matches!(self.state, State::Bound | State::Unbinding { .. })
    }

    fn on_raw(&mut self, raw: &[u8]) {
        match Frame::decode(raw) {
            Ok(frame) => self.on_frame(frame, raw),
            Err(error) => {
                let bind_resp = error.command_id() == Some(CommandId::BIND_RESP);
                self.link.on_malformed(&error);
                if bind_resp && matches!(self.state, State::Binding { .. }) {
                    self.finish(Some(ClientEvent::LinkDead));
                }
            }
        }
    }

    fn on_frame(&mut self, frame: Frame, raw: &[u8]) {
        let sequence = frame.sequence;
        match frame.pdu {
            Pdu::BindResp(resp) => self.on_bind_resp(resp),
            Pdu::Unbind => {
                self.link.reply(CommandId::UNBIND_RESP, sequence, &UnbindResp);
                self.finish(Some(ClientEvent::Unbound));
            }
            Pdu::UnbindResp if matches!(self.state, State::Unbinding { .. }) => {
                self.finish(Some(ClientEvent::Unbound));
            }
            pdu if self.is_up() => self.link.on_traffic(sequence, pdu, raw),
            pdu => self.link.unexpected(pdu.command_id(), "before Bind_Resp"),
        }
    }

    /// The sequence is not checked: only one Bind is ever outstanding.
    fn on_bind_resp(&mut self, resp: Resp) {
        if !matches!(self.state, State::Binding { .. }) {
            return self.link.unexpected(CommandId::BIND_RESP, "after the login");
        }
        if resp.result.is_ok() {
            self.state = State::Bound;
            self.link.events.push_back(ClientEvent::Bound);
        } else {
            self.finish(Some(ClientEvent::BindRejected { result: resp.result }));
        }
    }

    /// Ends the session: reports `event`, then hands back every unanswered request.
    fn finish(&mut self, event: Option<ClientEvent>) {
        self.state = State::Closed;
        self.link.events.extend(event);
        self.link.shut();
    }
}
