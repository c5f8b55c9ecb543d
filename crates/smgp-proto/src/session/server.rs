//! The SMGW side of an SMGP link: accept a login, take Submits, send Delivers within the
//! window, keep alive. Used by the carrier simulator.

use super::link::Link;
use super::window::Window;
use super::{SessionConfig, SessionError, SubmitError};
use crate::pdu::{
    ActiveTestResp, Deliver, DeliverResp, Exit, ExitResp, Login, LoginResp, Query, QueryResp, Submit, SubmitResp,
};
use crate::{Frame, FrameDecodeError, LoginMode, MsgId, Pdu, RequestId, Status};
use std::collections::VecDeque;
use std::time::Instant;

/// What the application must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// A Login: check the account (e.g. [`Login::verify`]) and call
    /// [`ServerSession::answer_login`].
    LoginRequest {
        /// SequenceID to answer with.
        sequence_id: u32,
        /// The login.
        login: Login,
    },
    /// A Submit: answer with [`ServerSession::answer_submit`].
    Submit {
        /// SequenceID to answer with.
        sequence_id: u32,
        /// The message.
        submit: Submit,
    },
    /// A Query: answer with [`ServerSession::answer_query`].
    Query {
        /// SequenceID to answer with.
        sequence_id: u32,
        /// The query.
        query: Query,
    },
    /// The answer to a Deliver we sent.
    DeliverResp {
        /// SequenceID [`ServerSession::deliver`] returned.
        sequence_id: u32,
        /// MsgID and Status.
        resp: DeliverResp,
    },
    /// A Deliver sent `max_attempts` times with no answer, or still unanswered when the link
    /// closed; deliver it again later or on another link.
    DeliverTimedOut {
        /// SequenceID it was sent with.
        sequence_id: u32,
        /// The Deliver, handed back.
        deliver: Deliver,
    },
    /// The session ended by Exit (from either side). The session is closed.
    Exited,
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
    /// Waiting for Login.
    AwaitingLogin,
    /// Login handed to the application; waiting for `answer_login`.
    LoginPending,
    /// Logged in with this LoginMode.
    LoggedIn { mode: LoginMode },
    /// Exit sent; waiting for Exit_Resp until `deadline`.
    Exiting { deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// An SMGP server (SMGW) session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct ServerSession {
    link: Link,
    state: State,
    window: Window<Deliver>,
    events: VecDeque<ServerEvent>,
}

impl ServerSession {
    /// A session for a freshly accepted connection; `config.version` is the ServerVersion
    /// announced in Login_Resp.
    pub fn new(config: SessionConfig) -> Self {
        Self {
            window: Window::new(config.window),
            link: Link::new(config),
            state: State::AwaitingLogin,
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

    /// Runs timers due at `now`: Deliver retransmission, keep-alive, exit deadline.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::AwaitingLogin | State::LoginPending | State::Closed => return,
            State::Exiting { deadline } if now >= deadline => return self.close(Some(ServerEvent::Exited)),
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
            State::AwaitingLogin | State::LoginPending | State::Closed => return None,
            State::Exiting { deadline } => Some(deadline),
            State::LoggedIn { .. } => None,
        };
        let window = self.window.deadline(self.link.config.response_timeout);
        [state, window, self.link.keepalive_deadline()].into_iter().flatten().min()
    }

    /// True once the session is over; drain `poll_transmit` and `poll_event`, then close.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// The client's LoginMode once logged in.
    pub fn login_mode(&self) -> Option<LoginMode> {
        match self.state {
            State::LoggedIn { mode } => Some(mode),
            _ => None,
        }
    }

    /// Logged in, the LoginMode allows Deliver and the window has room.
    pub fn can_deliver(&self) -> bool {
        self.login_mode().is_some_and(LoginMode::can_deliver) && !self.window.is_full()
    }

    /// Delivers sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// Answers a [`ServerEvent::LoginRequest`]. Status 0 logs the client in with its
    /// LoginMode and AuthenticatorServer = MD5(Status ‖ AuthenticatorClient ‖ `secret`); any
    /// other status (21 authentication error, 22 version too high, …) is sent with an empty
    /// authenticator and the session closes. Ignored unless a Login is pending.
    pub fn answer_login(&mut self, sequence_id: u32, login: &Login, status: Status, secret: &[u8]) {
        if !matches!(self.state, State::LoginPending) {
            return;
        }
        let resp = LoginResp::new(status, &login.authenticator, secret, self.link.config.version);
        self.link.reply(sequence_id, &resp);
        if status.is_ok() {
            self.link.start_keepalive();
            self.state = State::LoggedIn { mode: login.login_mode };
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

    /// Answers a [`ServerEvent::Query`]. Dropped if the link is gone.
    pub fn answer_query(&mut self, sequence_id: u32, resp: QueryResp) {
        if self.is_up() {
            self.link.reply(sequence_id, &resp);
        }
    }

    /// Sends a Deliver (MO or status report); returns its SequenceID.
    pub fn deliver(&mut self, now: Instant, deliver: Deliver) -> Result<u32, SubmitError> {
        let State::LoggedIn { mode } = self.state else {
            return Err(SubmitError::NotConnected);
        };
        if !mode.can_deliver() {
            return Err(SubmitError::LoginMode(mode));
        }
        if self.window.is_full() {
            return Err(SubmitError::WindowFull);
        }
        deliver.validate()?;
        let (sequence_id, bytes) = self.link.request(&deliver);
        self.window.insert(sequence_id, deliver, bytes, now);
        Ok(sequence_id)
    }

    /// Sends Exit; unanswered Delivers come back as `DeliverTimedOut` when it closes.
    pub fn exit(&mut self, now: Instant) {
        match self.state {
            State::LoggedIn { .. } => {
                self.link.request(&Exit);
                let deadline = now + self.link.config.response_timeout;
                self.state = State::Exiting { deadline };
            }
            State::AwaitingLogin | State::LoginPending => self.close(Some(ServerEvent::Exited)),
            State::Exiting { .. } | State::Closed => {}
        }
    }

    /// Logged in, possibly exiting.
    fn is_up(&self) -> bool {
        matches!(self.state, State::LoggedIn { .. } | State::Exiting { .. })
    }

    fn on_raw(&mut self, raw: &[u8]) {
        match Frame::decode(raw) {
            Ok(frame) if self.is_up() => self.on_frame(frame),
            Ok(frame) => self.before_login(frame),
            Err(error) => self.on_malformed(&error),
        }
    }

    fn on_frame(&mut self, frame: Frame) {
        let seq = frame.sequence_id;
        match frame.pdu {
            Pdu::Submit(submit) => self.on_submit(seq, submit),
            Pdu::Query(query) => self.events.push_back(ServerEvent::Query { sequence_id: seq, query }),
            Pdu::DeliverResp(resp) => {
                // Responses to Delivers no longer outstanding are dropped, as on the client.
                if self.window.remove_if(seq, |_| true).is_some() {
                    self.events.push_back(ServerEvent::DeliverResp { sequence_id: seq, resp });
                }
            }
            Pdu::ActiveTest => self.link.reply(seq, &ActiveTestResp),
            Pdu::ActiveTestResp => {}
            Pdu::Exit => {
                self.link.reply(seq, &ExitResp);
                self.close(Some(ServerEvent::Exited));
            }
            Pdu::ExitResp if matches!(self.state, State::Exiting { .. }) => self.close(Some(ServerEvent::Exited)),
            other => self.malformed(format!("unexpected {} from the SP", other.request_id())),
        }
    }

    /// A Submit on a receive-only link (LoginMode 1) is refused with "command word error":
    /// the SP asked for a link that does not carry MT.
    fn on_submit(&mut self, sequence_id: u32, submit: Submit) {
        match self.state {
            State::LoggedIn { mode } if !mode.can_submit() => {
                let resp = SubmitResp { msg_id: MsgId::default(), status: Status::COMMAND_ERROR };
                self.link.reply(sequence_id, &resp);
                self.malformed(format!("Submit on a link logged in as {mode}"));
            }
            _ => self.events.push_back(ServerEvent::Submit { sequence_id, submit }),
        }
    }

    /// Only Login may come first. Active_Test and Exit are answered as they cost nothing;
    /// anything else closes the session, a Submit after an error answer.
    fn before_login(&mut self, frame: Frame) {
        let seq = frame.sequence_id;
        match (self.state, frame.pdu) {
            (State::AwaitingLogin, Pdu::Login(login)) => {
                self.state = State::LoginPending;
                self.events.push_back(ServerEvent::LoginRequest { sequence_id: seq, login });
            }
            (_, Pdu::ActiveTest) => self.link.reply(seq, &ActiveTestResp),
            (_, Pdu::Exit) => {
                self.link.reply(seq, &ExitResp);
                self.close(Some(ServerEvent::Exited));
            }
            (_, other) => {
                if let Pdu::Submit(_) = other {
                    // No status says "not logged in"; "command word error" says the command
                    // is not acceptable here, and the SP will not retry it blindly.
                    let resp = SubmitResp { msg_id: MsgId::default(), status: Status::COMMAND_ERROR };
                    self.link.reply(seq, &resp);
                }
                self.malformed(format!("{} before a successful Login", other.request_id()));
                self.close(None);
            }
        }
    }

    /// A frame whose length was sane but whose body was not: Submit gets Submit_Resp with
    /// "message structure error" and the link lives on; a bad Login gets Login_Resp with the
    /// same status and the session closes (there is no login to keep).
    fn on_malformed(&mut self, error: &FrameDecodeError) {
        self.malformed(error.to_string());
        let Some(seq) = error.sequence_id() else {
            return;
        };
        match error.request_id() {
            Some(RequestId::SUBMIT) if self.is_up() => {
                let resp = SubmitResp { msg_id: MsgId::default(), status: Status::STRUCTURE_ERROR };
                self.link.reply(seq, &resp);
            }
            Some(RequestId::LOGIN) if matches!(self.state, State::AwaitingLogin) => {
                let resp = LoginResp::new(Status::STRUCTURE_ERROR, &[0; 16], &[], self.link.config.version);
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

    /// Ends the session: reports `event`, then hands back every unanswered Deliver.
    fn close(&mut self, event: Option<ServerEvent>) {
        self.state = State::Closed;
        self.link.shut();
        self.events.extend(event);
        for (sequence_id, deliver) in self.window.drain() {
            self.events.push_back(ServerEvent::DeliverTimedOut { sequence_id, deliver });
        }
    }
}
