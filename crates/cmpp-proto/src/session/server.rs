//! The ISMG side of a CMPP link: accept a login, take SUBMITs, send DELIVERs within the
//! window, keep alive. Used by the carrier simulator and by our own CMPP server.

use super::link::Link;
use super::window::Window;
use super::{SessionConfig, SessionError, SubmitError};
use crate::pdu::{
    ActiveTestResp, Connect, ConnectResp, Deliver, DeliverResp, Submit, SubmitResp, Terminate, TerminateResp,
};
use crate::{CommandId, Frame, FrameDecodeError, Pdu, SubmitResult, Version};
use std::collections::VecDeque;
use std::time::Instant;

/// What the application must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// A CONNECT: check the account (e.g. [`Connect::verify`]) and call
    /// [`ServerSession::answer_connect`].
    ConnectRequest {
        /// Sequence_Id to answer with.
        sequence_id: u32,
        /// The login.
        connect: Connect,
    },
    /// A SUBMIT: answer with [`ServerSession::answer_submit`].
    Submit {
        /// Sequence_Id to answer with.
        sequence_id: u32,
        /// The message.
        submit: Submit,
    },
    /// The answer to a DELIVER we sent.
    DeliverResp {
        /// Sequence_Id [`ServerSession::deliver`] returned.
        sequence_id: u32,
        /// Msg_Id and Result.
        resp: DeliverResp,
    },
    /// A DELIVER sent `max_attempts` times with no answer, or still unanswered when the link
    /// closed; deliver it again on another link.
    DeliverTimedOut {
        /// Sequence_Id it was sent with.
        sequence_id: u32,
        /// The DELIVER, handed back.
        deliver: Deliver,
    },
    /// The session ended by TERMINATE (from either side). The session is closed.
    Terminated,
    /// Keep-alive went unanswered `max_attempts` times. The session is closed.
    LinkDead,
    /// A frame could not be decoded, or came when it makes no sense. Answered where the
    /// protocol has an error answer; before login the session closes (see `is_closed`).
    Malformed {
        /// What was wrong, for the log.
        error: String,
    },
}

/// Where the login stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Waiting for CONNECT.
    AwaitingConnect,
    /// CONNECT handed to the application; waiting for `answer_connect`.
    ConnectPending,
    /// Logged in.
    Connected,
    /// TERMINATE sent; waiting for TERMINATE_RESP until `deadline`.
    Terminating { deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// A CMPP server (ISMG) session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct ServerSession {
    link: Link,
    state: State,
    window: Window<Deliver>,
    events: VecDeque<ServerEvent>,
}

impl ServerSession {
    /// A session for a freshly accepted connection. The version is learnt from CONNECT;
    /// `config.version` is the highest accepted.
    pub fn new(config: SessionConfig) -> Self {
        Self {
            window: Window::new(config.window),
            link: Link::new(config),
            state: State::AwaitingConnect,
            events: VecDeque::new(),
        }
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
                    self.close(None);
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    /// Runs timers due at `now`: DELIVER retransmission, keep-alive, terminate deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::AwaitingConnect | State::ConnectPending | State::Closed => return,
            State::Terminating { deadline } if now >= deadline => {
                return self.close(Some(ServerEvent::Terminated));
            }
            _ => {}
        }
        let config = &self.link.config;
        let expired = self.window.expire(now, config.response_timeout, config.max_attempts);
        self.link.queue(expired.resend);
        for (sequence_id, deliver) in expired.timed_out {
            self.events.push_back(ServerEvent::DeliverTimedOut { sequence_id, deliver });
        }
        if self.link.keepalive_timeout(now) {
            self.close(Some(ServerEvent::LinkDead));
        }
    }

    /// The next encoded frame to write.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.link.poll_transmit()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// When `handle_timeout` should next be called. Before login there is no timer: the
    /// connection layer bounds how long an unauthenticated socket may stay.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let state = match self.state {
            State::AwaitingConnect | State::ConnectPending | State::Closed => return None,
            State::Terminating { deadline } => Some(deadline),
            State::Connected => None,
        };
        let window = self.window.deadline(self.link.config.response_timeout);
        [state, window, self.link.keepalive_deadline()].into_iter().flatten().min()
    }

    /// True once the session is over; drain `poll_transmit` and `poll_event`, then close.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// The negotiated version once logged in (`config.version` before).
    pub fn version(&self) -> Version {
        self.link.version
    }

    /// Logged in and the window has room for a DELIVER.
    pub fn can_deliver(&self) -> bool {
        matches!(self.state, State::Connected) && !self.window.is_full()
    }

    /// DELIVERs sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// Answers a [`ServerEvent::ConnectRequest`]. Status 0 logs the client in with the lower
    /// of its version and ours; any other status (3 = authentication error, 4 = version too
    /// high, …) is sent and the session closes. Ignored unless a CONNECT is pending.
    pub fn answer_connect(&mut self, sequence_id: u32, connect: &Connect, status: u32, secret: &[u8]) {
        if !matches!(self.state, State::ConnectPending) {
            return;
        }
        let ours = self.link.config.version;
        let negotiated = connect.version.min(ours);
        let resp = ConnectResp::new(status, &connect.authenticator, secret, ours, negotiated);
        // The response already goes out in the negotiated layout: a 2.0 client expects the
        // 1-byte Status.
        self.link.version = negotiated;
        self.link.reply(sequence_id, &resp);
        if status == ConnectResp::STATUS_OK {
            self.link.start_keepalive();
            self.state = State::Connected;
        } else {
            self.close(None);
        }
    }

    /// Answers a [`ServerEvent::Submit`]. Dropped if the link is gone.
    pub fn answer_submit(&mut self, sequence_id: u32, resp: SubmitResp) {
        if self.is_up() {
            self.link.reply(sequence_id, &resp);
        }
    }

    /// Sends a DELIVER (MO or status report); returns its Sequence_Id.
    pub fn deliver(&mut self, now: Instant, deliver: Deliver) -> Result<u32, SubmitError> {
        if !matches!(self.state, State::Connected) {
            return Err(SubmitError::NotConnected);
        }
        if self.window.is_full() {
            return Err(SubmitError::WindowFull);
        }
        deliver.validate(self.link.version)?;
        let (sequence_id, bytes) = self.link.request(&deliver);
        self.window.insert(sequence_id, deliver, bytes, now);
        Ok(sequence_id)
    }

    /// Sends TERMINATE; unanswered DELIVERs come back as `DeliverTimedOut` when it closes.
    pub fn terminate(&mut self, now: Instant) {
        match self.state {
            State::Connected => {
                self.link.request(&Terminate);
                let deadline = now + self.link.config.response_timeout;
                self.state = State::Terminating { deadline };
            }
            State::AwaitingConnect | State::ConnectPending => {
                self.close(Some(ServerEvent::Terminated));
            }
            State::Terminating { .. } | State::Closed => {}
        }
    }

    /// Logged in, possibly terminating.
    fn is_up(&self) -> bool {
        matches!(self.state, State::Connected | State::Terminating { .. })
    }

    fn on_raw(&mut self, raw: &[u8]) {
        match Frame::decode(raw, self.link.version) {
            Ok(frame) if self.is_up() => self.on_frame(frame),
            Ok(frame) => self.before_login(frame),
            Err(error) => self.on_malformed(&error),
        }
    }

    fn on_frame(&mut self, frame: Frame) {
        let seq = frame.sequence_id;
        match frame.pdu {
            Pdu::Submit(submit) => {
                self.events.push_back(ServerEvent::Submit { sequence_id: seq, submit });
            }
            Pdu::DeliverResp(resp) => {
                // Responses to DELIVERs no longer outstanding are dropped, as on the client.
                if self.window.remove(seq).is_some() {
                    self.events.push_back(ServerEvent::DeliverResp { sequence_id: seq, resp });
                }
            }
            Pdu::ActiveTest => self.link.reply(seq, &ActiveTestResp::default()),
            Pdu::ActiveTestResp(_) => {}
            Pdu::Terminate => {
                self.link.reply(seq, &TerminateResp);
                self.close(Some(ServerEvent::Terminated));
            }
            Pdu::TerminateResp if matches!(self.state, State::Terminating { .. }) => {
                self.close(Some(ServerEvent::Terminated));
            }
            other => self.malformed(format!("unexpected {} from the SP", other.command_id())),
        }
    }

    /// Only CONNECT may come first (cmpp.md §1). ACTIVE_TEST and TERMINATE are answered as
    /// they cost nothing; anything else closes the session, a SUBMIT after an error answer.
    fn before_login(&mut self, frame: Frame) {
        let seq = frame.sequence_id;
        match (self.state, frame.pdu) {
            (State::AwaitingConnect, Pdu::Connect(connect)) => {
                self.state = State::ConnectPending;
                self.events.push_back(ServerEvent::ConnectRequest { sequence_id: seq, connect });
            }
            (_, Pdu::ActiveTest) => self.link.reply(seq, &ActiveTestResp::default()),
            (_, Pdu::Terminate) => {
                self.link.reply(seq, &TerminateResp);
                self.close(Some(ServerEvent::Terminated));
            }
            (_, other) => {
                if let Pdu::Submit(_) = other {
                    // There is no "not logged in" Result; "command word error" says the
                    // command is not acceptable here, and the SP will not retry it blindly.
                    let resp = SubmitResp { msg_id: 0, result: SubmitResult::COMMAND_ERROR };
                    self.link.reply(seq, &resp);
                }
                self.malformed(format!("{} before a successful CONNECT", other.command_id()));
                self.close(None);
            }
        }
    }

    fn on_malformed(&mut self, error: &FrameDecodeError) {
        self.malformed(error.to_string());
        let Some(seq) = error.sequence_id() else {
            return;
        };
        match error.command_id() {
            Some(CommandId::SUBMIT) if self.is_up() => {
                let resp = SubmitResp { msg_id: 0, result: SubmitResult::STRUCTURE_ERROR };
                self.link.reply(seq, &resp);
            }
            Some(CommandId::CONNECT) if matches!(self.state, State::AwaitingConnect) => {
                let version = self.link.config.version;
                let resp = ConnectResp::new(ConnectResp::STATUS_STRUCTURE_ERROR, &[0; 16], &[], version, version);
                self.link.reply(seq, &resp);
                self.close(None);
            }
            _ if !self.is_up() => self.close(None),
            _ => {}
        }
    }

    fn malformed(&mut self, error: String) {
        self.events.push_back(ServerEvent::Malformed { error });
    }

    /// Ends the session: reports `event`, then hands back every unanswered DELIVER.
    fn close(&mut self, event: Option<ServerEvent>) {
        self.state = State::Closed;
        self.link.shut();
        self.events.extend(event);
        for (sequence_id, deliver) in self.window.drain() {
            self.events.push_back(ServerEvent::DeliverTimedOut { sequence_id, deliver });
        }
    }
}
