//! The SP side of an SMGP link: log in, submit within the window, take Delivers, keep alive.

use super::link::Link;
use super::window::Window;
use super::{SessionConfig, SessionError, SubmitError};
use crate::pdu::{ActiveTestResp, DeliverResp, Exit, ExitResp, Login, LoginResp, Query, QueryResp, Submit, SubmitResp};
use crate::{Frame, FrameDecodeError, LoginMode, MsgId, Pdu, RequestId, Status, Version};
use std::collections::VecDeque;
use std::time::Instant;

/// What the application must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// Login_Resp with Status 0: the link is up.
    LoggedIn {
        /// ServerVersion: the highest version the SMGW supports.
        server_version: Version,
    },
    /// Login_Resp with a non-zero Status (21 = authentication error); the session is closed.
    LoginRejected {
        /// Status from the SMGW.
        status: Status,
    },
    /// The answer to a Submit.
    SubmitResp {
        /// SequenceID [`ClientSession::submit`] returned.
        sequence_id: u32,
        /// MsgID and Status.
        resp: SubmitResp,
    },
    /// A Submit sent `max_attempts` times with no answer, or still unanswered when the link
    /// closed. The SMGW may or may not have it; the application decides whether to resend.
    SubmitTimedOut {
        /// SequenceID it was sent with.
        sequence_id: u32,
        /// The Submit, handed back.
        submit: Submit,
    },
    /// The answer to a Query.
    QueryResp {
        /// SequenceID [`ClientSession::query`] returned.
        sequence_id: u32,
        /// The counters.
        resp: QueryResp,
    },
    /// A Query that got no answer (see `SubmitTimedOut`).
    QueryTimedOut {
        /// SequenceID it was sent with.
        sequence_id: u32,
        /// The Query, handed back.
        query: Query,
    },
    /// An MO message or status report. Answer with [`ClientSession::ack_deliver`] once it is
    /// stored; the SMGW re-sends unanswered Delivers.
    Deliver {
        /// SequenceID to answer with.
        sequence_id: u32,
        /// The Deliver.
        deliver: crate::pdu::Deliver,
    },
    /// The link is unusable: keep-alive went unanswered `max_attempts` times, or no usable
    /// Login_Resp arrived. The session is closed.
    LinkDead,
    /// The session ended by Exit (from either side). The session is closed.
    Exited,
    /// A frame could not be decoded, or came when it makes no sense. Answered where the
    /// protocol has an error answer; the link lives on unless a closing event follows.
    Malformed {
        /// What was wrong, for the log.
        error: String,
    },
}

/// Where the login stands.
#[derive(Debug, Clone, Copy)]
enum State {
    /// `login` not called yet.
    Idle,
    /// Login sent; waiting for Login_Resp until `deadline`.
    LoggingIn { auth_client: [u8; 16], deadline: Instant },
    /// Logged in.
    LoggedIn,
    /// Exit sent; waiting for Exit_Resp until `deadline`.
    Exiting { deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// A request in the window.
///
/// Submits are nearly every entry; boxing them to shrink the rare Query variant would cost an
/// allocation per message to save space nobody is short of.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Outstanding {
    Submit(Submit),
    Query(Query),
}

impl Outstanding {
    /// The event that hands this request back unanswered.
    fn timed_out(self, sequence_id: u32) -> ClientEvent {
        match self {
            Self::Submit(submit) => ClientEvent::SubmitTimedOut { sequence_id, submit },
            Self::Query(query) => ClientEvent::QueryTimedOut { sequence_id, query },
        }
    }
}

/// An SMGP client (SP) session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct ClientSession {
    link: Link,
    client_id: Vec<u8>,
    secret: Vec<u8>,
    login_mode: LoginMode,
    state: State,
    window: Window<Outstanding>,
    events: VecDeque<ClientEvent>,
    /// Whether the SMGW's authenticator checked out; advisory (see `server_authenticated`).
    server_authenticated: Option<bool>,
}

impl ClientSession {
    /// A session for account `client_id` with its shared secret, asking for `login_mode`;
    /// nothing is sent yet.
    pub fn new(config: SessionConfig, client_id: Vec<u8>, secret: Vec<u8>, login_mode: LoginMode) -> Self {
        Self {
            window: Window::new(config.window),
            link: Link::new(config),
            client_id,
            secret,
            login_mode,
            state: State::Idle,
            events: VecDeque::new(),
            server_authenticated: None,
        }
    }

    /// Sends Login. `timestamp` is MMDDHHMMSS in Beijing time, computed by the caller.
    /// Login is not re-sent: if no answer comes within `response_timeout` the link is
    /// declared dead, and a new connection (with a fresh timestamp) is the right retry.
    pub fn login(&mut self, now: Instant, timestamp: u32) {
        if !matches!(self.state, State::Idle) {
            return;
        }
        let mut login = Login::new(&self.client_id, &self.secret, self.login_mode, timestamp);
        login.version = self.link.config.version;
        self.link.request(&login);
        let deadline = now + self.link.config.response_timeout;
        self.state = State::LoggingIn { auth_client: login.authenticator, deadline };
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

    /// Runs timers due at `now`: retransmission, keep-alive, login and exit deadlines.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::Idle | State::Closed => return,
            State::LoggingIn { deadline, .. } if now >= deadline => return self.close(Some(ClientEvent::LinkDead)),
            // The peer never confirmed; the session is over either way.
            State::Exiting { deadline } if now >= deadline => return self.close(Some(ClientEvent::Exited)),
            _ => {}
        }
        let config = &self.link.config;
        let expired = self.window.expire(now, config.response_timeout, config.max_attempts);
        self.link.queue(expired.resend);
        self.events.extend(expired.timed_out.into_iter().map(|(seq, request)| request.timed_out(seq)));
        if self.link.keepalive_timeout(now) {
            self.close(Some(ClientEvent::LinkDead));
        }
    }

    /// The next encoded frame to write.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.link.poll_transmit()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// When `handle_timeout` should next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let state = match self.state {
            State::Idle | State::Closed => return None,
            State::LoggingIn { deadline, .. } | State::Exiting { deadline } => Some(deadline),
            State::LoggedIn => None,
        };
        let window = self.window.deadline(self.link.config.response_timeout);
        [state, window, self.link.keepalive_deadline()].into_iter().flatten().min()
    }

    /// True once the session is over; drain `poll_transmit` and `poll_event`, then close.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Logged in, the LoginMode allows Submit and the window has room.
    pub fn can_submit(&self) -> bool {
        matches!(self.state, State::LoggedIn) && self.login_mode.can_submit() && !self.window.is_full()
    }

    /// Re-sends and the keep-alive's round trip since the last call, for the link-quality
    /// figures.
    pub fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        hongyan_wire::LinkTally::take(&mut self.window, Some(self.link.keepalive_mut()))
    }

    /// Requests (Submit, Query) sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// The LoginMode this session logs in with.
    pub fn login_mode(&self) -> LoginMode {
        self.login_mode
    }

    /// Whether the SMGW's AuthenticatorServer matched our secret; `None` before login.
    /// Advisory only: some gateways send it empty even on success, so a mismatch is for the
    /// log, not a reason to drop a working link.
    pub fn server_authenticated(&self) -> Option<bool> {
        self.server_authenticated
    }

    /// Sends a Submit; returns its SequenceID, which the response will carry.
    pub fn submit(&mut self, now: Instant, submit: Submit) -> Result<u32, SubmitError> {
        if !self.login_mode.can_submit() {
            return Err(SubmitError::LoginMode(self.login_mode));
        }
        self.check_room()?;
        submit.validate()?;
        let (sequence_id, bytes) = self.link.request(&submit);
        self.window.insert(sequence_id, Outstanding::Submit(submit), bytes, now);
        Ok(sequence_id)
    }

    /// Sends a Query; returns its SequenceID. It shares the window with Submits.
    pub fn query(&mut self, now: Instant, query: Query) -> Result<u32, SubmitError> {
        self.check_room()?;
        let (sequence_id, bytes) = self.link.request(&query);
        self.window.insert(sequence_id, Outstanding::Query(query), bytes, now);
        Ok(sequence_id)
    }

    /// Answers the Deliver that came with `sequence_id`. Dropped if the link is gone: the
    /// SMGW will deliver again on the next one.
    pub fn ack_deliver(&mut self, sequence_id: u32, msg_id: MsgId, status: Status) {
        if self.is_up() {
            self.link.reply(sequence_id, &DeliverResp { msg_id, status });
        }
    }

    /// Sends Exit. Drain the window first (wait for `in_flight() == 0`) to lose nothing;
    /// whatever is still outstanding comes back as `SubmitTimedOut` when the session closes.
    pub fn exit(&mut self, now: Instant) {
        match self.state {
            State::LoggingIn { .. } | State::LoggedIn => {
                self.link.request(&Exit);
                let deadline = now + self.link.config.response_timeout;
                self.state = State::Exiting { deadline };
            }
            State::Idle => self.close(Some(ClientEvent::Exited)),
            State::Exiting { .. } | State::Closed => {}
        }
    }

    /// Logged in with room in the window.
    fn check_room(&self) -> Result<(), SubmitError> {
        if !matches!(self.state, State::LoggedIn) {
            return Err(SubmitError::NotConnected);
        }
        if self.window.is_full() {
            return Err(SubmitError::WindowFull);
        }
        Ok(())
    }

    /// Logged in, possibly exiting: responses and Delivers are still handled.
    fn is_up(&self) -> bool {
        matches!(self.state, State::LoggedIn | State::Exiting { .. })
    }

    fn on_raw(&mut self, raw: &[u8]) {
        match Frame::decode(raw) {
            Ok(frame) => self.on_frame(frame),
            Err(error) => self.on_malformed(&error, raw),
        }
    }

    /// Responses for a SequenceID no longer in the window (answered already, or given up
    /// on) are dropped: reporting one would let a late duplicate ("duplicate sequence
    /// number") overwrite the outcome the application already has.
    fn on_frame(&mut self, frame: Frame) {
        let seq = frame.sequence_id;
        match frame.pdu {
            Pdu::LoginResp(resp) => self.on_login_resp(resp),
            Pdu::SubmitResp(resp) => {
                if self.window.remove_if(seq, |r| matches!(r, Outstanding::Submit(_))).is_some() {
                    self.events.push_back(ClientEvent::SubmitResp { sequence_id: seq, resp });
                }
            }
            Pdu::QueryResp(resp) => {
                if self.window.remove_if(seq, |r| matches!(r, Outstanding::Query(_))).is_some() {
                    self.events.push_back(ClientEvent::QueryResp { sequence_id: seq, resp });
                }
            }
            Pdu::Deliver(deliver) if self.is_up() => {
                self.events.push_back(ClientEvent::Deliver { sequence_id: seq, deliver });
            }
            Pdu::ActiveTest => self.link.reply(seq, &ActiveTestResp),
            // Its arrival already restarted the idle clock in `Link::next_frame`.
            Pdu::ActiveTestResp => {}
            Pdu::Exit => {
                self.link.reply(seq, &ExitResp);
                self.close(Some(ClientEvent::Exited));
            }
            Pdu::ExitResp if matches!(self.state, State::Exiting { .. }) => self.close(Some(ClientEvent::Exited)),
            other => self.unexpected(other.request_id()),
        }
    }

    fn on_login_resp(&mut self, resp: LoginResp) {
        // SequenceID is not checked: there is only one Login outstanding, and some gateways
        // do not echo it.
        let State::LoggingIn { auth_client, .. } = self.state else {
            return self.unexpected(RequestId::LOGIN_RESP);
        };
        if !resp.status.is_ok() {
            return self.close(Some(ClientEvent::LoginRejected { status: resp.status }));
        }
        self.server_authenticated = Some(resp.verify(&auth_client, &self.secret));
        self.link.start_keepalive();
        self.state = State::LoggedIn;
        self.events.push_back(ClientEvent::LoggedIn { server_version: resp.version });
    }

    fn on_malformed(&mut self, error: &FrameDecodeError, raw: &[u8]) {
        self.events.push_back(ClientEvent::Malformed { error: error.to_string() });
        match (error.request_id(), error.sequence_id()) {
            (Some(RequestId::DELIVER), Some(seq)) if self.is_up() => {
                // Echo the Deliver's MsgID when its first 10 body bytes are there, so the
                // SMGW can tell which message was refused.
                let msg_id = raw.get(12..22).and_then(|b| b.try_into().ok()).map(MsgId).unwrap_or_default();
                self.link.reply(seq, &DeliverResp { msg_id, status: Status::STRUCTURE_ERROR });
            }
            (Some(RequestId::LOGIN_RESP), _) if matches!(self.state, State::LoggingIn { .. }) => {
                self.close(Some(ClientEvent::LinkDead));
            }
            _ => {}
        }
    }

    fn unexpected(&mut self, request_id: RequestId) {
        let when = if self.is_up() { "" } else { " before login" };
        let error = format!("unexpected {request_id} from the SMGW{when}");
        self.events.push_back(ClientEvent::Malformed { error });
    }

    /// Ends the session: reports `event`, then hands back every unanswered request.
    fn close(&mut self, event: Option<ClientEvent>) {
        self.state = State::Closed;
        self.link.shut();
        self.events.extend(event);
        let drained = self.window.drain();
        self.events.extend(drained.into_iter().map(|(seq, request)| request.timed_out(seq)));
    }
}
