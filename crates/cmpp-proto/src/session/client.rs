//! The SP side of a CMPP link: log in, submit within the window, take DELIVERs, keep alive.

use super::link::Link;
use super::window::Window;
use super::{SessionConfig, SessionError, SubmitError};
use crate::pdu::{ActiveTestResp, Connect, Deliver, DeliverResp, Submit, SubmitResp, Terminate, TerminateResp};
use crate::{CommandId, Frame, FrameDecodeError, Pdu, SubmitResult, Version};
use std::collections::VecDeque;
use std::time::Instant;

/// What the application must act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientEvent {
    /// CONNECT_RESP with Status 0; frames now use `version`'s layouts.
    Connected {
        /// Negotiated version: the lower of ours and the ISMG's.
        version: Version,
    },
    /// CONNECT_RESP with a non-zero Status (3 = authentication error); the session is closed.
    ConnectRejected {
        /// Status from the ISMG.
        status: u32,
    },
    /// The answer to a SUBMIT.
    SubmitResp {
        /// Sequence_Id [`ClientSession::submit`] returned.
        sequence_id: u32,
        /// Msg_Id and Result.
        resp: SubmitResp,
    },
    /// A SUBMIT sent `max_attempts` times with no answer, or still unanswered when the link
    /// closed. The ISMG may or may not have it; the application decides whether to resend.
    SubmitTimedOut {
        /// Sequence_Id it was sent with.
        sequence_id: u32,
        /// The SUBMIT, handed back.
        submit: Submit,
    },
    /// An MO message or status report. Answer with [`ClientSession::ack_deliver`] once it is
    /// stored; the ISMG re-sends unanswered DELIVERs.
    Deliver {
        /// Sequence_Id to answer with.
        sequence_id: u32,
        /// The DELIVER.
        deliver: Deliver,
    },
    /// The link is unusable: keep-alive went unanswered `max_attempts` times, or no usable
    /// CONNECT_RESP arrived. The session is closed.
    LinkDead,
    /// The session ended by TERMINATE (from either side). The session is closed.
    Terminated,
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
    /// `connect` not called yet.
    Idle,
    /// CONNECT sent; waiting for CONNECT_RESP until `deadline`.
    Connecting { auth_source: [u8; 16], deadline: Instant },
    /// Logged in.
    Connected,
    /// TERMINATE sent; waiting for TERMINATE_RESP until `deadline`.
    Terminating { deadline: Instant },
    /// Done; no more input.
    Closed,
}

/// A CMPP client (SP) session. See the [module docs](super) for how to drive it.
#[derive(Debug)]
pub struct ClientSession {
    link: Link,
    sp_id: Vec<u8>,
    secret: Vec<u8>,
    state: State,
    window: Window<Submit>,
    events: VecDeque<ClientEvent>,
    /// Whether the ISMG's authenticator checked out; a mismatch is not fatal (see
    /// [`ClientSession::ismg_authenticated`]).
    ismg_authenticated: Option<bool>,
}

impl ClientSession {
    /// A session for `sp_id` (Source_Addr) with its shared secret; nothing is sent yet.
    pub fn new(config: SessionConfig, sp_id: Vec<u8>, secret: Vec<u8>) -> Self {
        Self {
            window: Window::new(config.window),
            link: Link::new(config),
            sp_id,
            secret,
            state: State::Idle,
            events: VecDeque::new(),
            ismg_authenticated: None,
        }
    }

    /// Sends CONNECT. `timestamp` is MMDDHHMMSS in Beijing time, computed by the caller.
    /// CONNECT is not re-sent: if no answer comes within `response_timeout` the link is
    /// declared dead, and a new connection (with a fresh timestamp) is the right retry.
    pub fn connect(&mut self, now: Instant, timestamp: u32) {
        if !matches!(self.state, State::Idle) {
            return;
        }
        let connect = Connect::new(&self.sp_id, &self.secret, self.link.config.version, timestamp);
        self.link.request(&connect);
        let deadline = now + self.link.config.response_timeout;
        self.state = State::Connecting { auth_source: connect.authenticator, deadline };
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

    /// Runs timers due at `now`: retransmission, keep-alive, login and terminate deadlines.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            State::Idle | State::Closed => return,
            State::Connecting { deadline, .. } if now >= deadline => {
                return self.close(Some(ClientEvent::LinkDead));
            }
            // The peer never confirmed; the session is over either way.
            State::Terminating { deadline } if now >= deadline => {
                return self.close(Some(ClientEvent::Terminated));
            }
            _ => {}
        }
        let config = &self.link.config;
        let expired = self.window.expire(now, config.response_timeout, config.max_attempts);
        self.link.queue(expired.resend);
        for (sequence_id, submit) in expired.timed_out {
            self.events.push_back(ClientEvent::SubmitTimedOut { sequence_id, submit });
        }
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
            State::Connecting { deadline, .. } | State::Terminating { deadline } => Some(deadline),
            State::Connected => None,
        };
        let window = self.window.deadline(self.link.config.response_timeout);
        [state, window, self.link.keepalive_deadline()].into_iter().flatten().min()
    }

    /// True once the session is over; drain `poll_transmit` and `poll_event`, then close.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Logged in and the window has room.
    pub fn can_submit(&self) -> bool {
        matches!(self.state, State::Connected) && !self.window.is_full()
    }

    /// Re-sends and the keep-alive's round trip since the last call, for the link-quality
    /// figures.
    pub fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        hongyan_wire::LinkTally::take(&mut self.window, Some(self.link.keepalive_mut()))
    }

    /// SUBMITs sent and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// The version whose layouts are in use (the requested one until logged in).
    pub fn version(&self) -> Version {
        self.link.version
    }

    /// Whether the ISMG's AuthenticatorISMG matched our secret; `None` before login.
    /// Advisory only: many ISMGs get the 2.0 form wrong, so a mismatch is for the log.
    pub fn ismg_authenticated(&self) -> Option<bool> {
        self.ismg_authenticated
    }

    /// Sends a SUBMIT; returns its Sequence_Id, which the response will carry.
    pub fn submit(&mut self, now: Instant, submit: Submit) -> Result<u32, SubmitError> {
        if !matches!(self.state, State::Connected) {
            return Err(SubmitError::NotConnected);
        }
        if self.window.is_full() {
            return Err(SubmitError::WindowFull);
        }
        submit.validate(self.link.version)?;
        let (sequence_id, bytes) = self.link.request(&submit);
        self.window.insert(sequence_id, submit, bytes, now);
        Ok(sequence_id)
    }

    /// Answers the DELIVER that came with `sequence_id`. Dropped if the link is gone: the
    /// ISMG will deliver again on the next one.
    pub fn ack_deliver(&mut self, sequence_id: u32, msg_id: u64, result: u32) {
        if self.is_up() {
            self.link.reply(sequence_id, &DeliverResp { msg_id, result });
        }
    }

    /// Sends TERMINATE. Drain the window first (wait for `in_flight() == 0`) to lose nothing;
    /// whatever is still outstanding comes back as `SubmitTimedOut` when the session closes.
    pub fn terminate(&mut self, now: Instant) {
        match self.state {
            State::Connecting { .. } | State::Connected => {
                self.link.request(&Terminate);
                let deadline = now + self.link.config.response_timeout;
                self.state = State::Terminating { deadline };
            }
            State::Idle => self.close(Some(ClientEvent::Terminated)),
            State::Terminating { .. } | State::Closed => {}
        }
    }

    /// Logged in, possibly terminating: responses and DELIVERs are still handled.
    fn is_up(&self) -> bool {
        matches!(self.state, State::Connected | State::Terminating { .. })
    }

    fn on_raw(&mut self, raw: &[u8]) {
        match Frame::decode(raw, self.decode_version(raw)) {
            Ok(frame) => self.on_frame(frame),
            Err(error) => self.on_malformed(&error, raw),
        }
    }

    /// The layout to decode `raw` in. CONNECT_RESP is read in the layout its length says
    /// (30 bytes 2.0, 33 bytes 3.0): an ISMG may answer in a version other than the one we
    /// asked for, and the login must not fail on that.
    fn decode_version(&self, raw: &[u8]) -> Version {
        let is_connect_resp = raw.get(4..8) == Some(&CommandId::CONNECT_RESP.0.to_be_bytes()[..]);
        match (self.state, is_connect_resp, raw.len()) {
            (State::Connecting { .. }, true, 30) => Version::V20,
            (State::Connecting { .. }, true, 33) => Version::V30,
            _ => self.link.version,
        }
    }

    fn on_frame(&mut self, frame: Frame) {
        let seq = frame.sequence_id;
        match frame.pdu {
            Pdu::ConnectResp(resp) => self.on_connect_resp(resp),
            Pdu::SubmitResp(resp) => self.on_submit_resp(seq, resp),
            Pdu::Deliver(deliver) if self.is_up() => {
                self.events.push_back(ClientEvent::Deliver { sequence_id: seq, deliver });
            }
            Pdu::ActiveTest => self.link.reply(seq, &ActiveTestResp::default()),
            // Its arrival already restarted the idle clock in `Link::next_frame`.
            Pdu::ActiveTestResp(_) => {}
            Pdu::Terminate => {
                self.link.reply(seq, &TerminateResp);
                self.close(Some(ClientEvent::Terminated));
            }
            Pdu::TerminateResp if matches!(self.state, State::Terminating { .. }) => {
                self.close(Some(ClientEvent::Terminated));
            }
            other => self.unexpected(other.command_id()),
        }
    }

    fn on_connect_resp(&mut self, resp: crate::pdu::ConnectResp) {
        // Sequence_Id is not checked: some ISMGs do not echo it on CONNECT_RESP, and there is
        // only one CONNECT outstanding anyway.
        let State::Connecting { auth_source, .. } = self.state else {
            return self.unexpected(CommandId::CONNECT_RESP);
        };
        if resp.status != 0 {
            return self.close(Some(ClientEvent::ConnectRejected { status: resp.status }));
        }
        let version = resp.version.min(self.link.config.version);
        self.ismg_authenticated = Some(resp.verify(&auth_source, &self.secret));
        self.link.version = version;
        self.link.start_keepalive();
        self.state = State::Connected;
        self.events.push_back(ClientEvent::Connected { version });
    }

    /// A response for a Sequence_Id no longer in the window (answered already, or given up
    /// on) is dropped: reporting it would let a late duplicate ("duplicate sequence number")
    /// overwrite the real outcome the application already has.
    fn on_submit_resp(&mut self, sequence_id: u32, resp: SubmitResp) {
        if self.window.remove(sequence_id).is_some() {
            self.events.push_back(ClientEvent::SubmitResp { sequence_id, resp });
        }
    }

    fn on_malformed(&mut self, error: &FrameDecodeError, raw: &[u8]) {
        self.events.push_back(ClientEvent::Malformed { error: error.to_string() });
        match (error.command_id(), error.sequence_id()) {
            (Some(CommandId::DELIVER), Some(seq)) if self.is_up() => {
                // Echo the DELIVER's Msg_Id when its first 8 body bytes are there, so the
                // ISMG can tell which message was refused.
                let msg_id = raw.get(12..20).and_then(|b| b.try_into().ok()).map_or(0, u64::from_be_bytes);
                let result = SubmitResult::STRUCTURE_ERROR.0;
                self.link.reply(seq, &DeliverResp { msg_id, result });
            }
            (Some(CommandId::CONNECT_RESP), _) if matches!(self.state, State::Connecting { .. }) => {
                self.close(Some(ClientEvent::LinkDead));
            }
            _ => {}
        }
    }

    fn unexpected(&mut self, command_id: CommandId) {
        let when = if self.is_up() { "" } else { " before login" };
        let error = format!("unexpected {command_id} from the ISMG{when}");
        self.events.push_back(ClientEvent::Malformed { error });
    }

    /// Ends the session: reports `event`, then hands back every unanswered SUBMIT.
    fn close(&mut self, event: Option<ClientEvent>) {
        self.state = State::Closed;
        self.link.shut();
        self.events.extend(event);
        for (sequence_id, submit) in self.window.drain() {
            self.events.push_back(ClientEvent::SubmitTimedOut { sequence_id, submit });
        }
    }
}
