//! What both session kinds share once bound: buffers, sequence numbers, the window of our
//! requests, the inbound requests the application holds, and the error answers.

use super::inbound::{Admit, Inbound, Seen};
use super::window::Window;
use super::{Request, SendError, SessionConfig};
use crate::frame::encode_body;
use crate::pdu::{Body, Resp};
use crate::{CommandId, DecodeError, Frame, FrameDecodeError, Pdu, ResultCode, Sequence};
use hongyan_wire::{FrameError, RxBuffer};
use std::collections::VecDeque;
use std::time::Instant;

/// The events both session kinds have; each session's event type builds them.
pub(crate) trait LinkEvent {
    /// The peer answered a request we sent.
    fn response(sequence: Sequence, request: Request, resp: Resp) -> Self;
    /// A request of ours went unanswered.
    fn timed_out(sequence: Sequence, request: Request) -> Self;
    /// The peer sent a request.
    fn request(sequence: Sequence, request: Request) -> Self;
    /// Something arrived that could not be used.
    fn malformed(error: String) -> Self;
}

/// Buffers, counters, window and inbound bookkeeping of one connection.
#[derive(Debug)]
pub(crate) struct Link<E> {
    /// The configuration the session was made with.
    pub(crate) config: SessionConfig,
    /// Received bytes not yet consumed.
    rx: RxBuffer,
    /// Encoded frames waiting for `poll_transmit`.
    tx: VecDeque<Vec<u8>>,
    /// Counter of our next request.
    counter: u32,
    /// When the last whole frame arrived (or the connection opened): the server's idle clock.
    pub(crate) last_rx: Option<Instant>,
    window: Window<Request>,
    inbound: Inbound,
    /// Events for `poll_event`, in order.
    pub(crate) events: VecDeque<E>,
}

impl<E: LinkEvent> Link<E> {
    /// A fresh connection.
    pub(crate) fn new(config: SessionConfig) -> Self {
        Self {
            counter: config.first_counter,
            window: Window::new(config.window),
            inbound: Inbound::new(config.max_unanswered),
            config,
            rx: RxBuffer::default(),
            tx: VecDeque::new(),
            last_rx: None,
            events: VecDeque::new(),
        }
    }

    /// Counter the next request will get.
    pub(crate) fn next_counter(&self) -> u32 {
        self.counter
    }

    /// A new sequence number for a request generated at `time` (`mmddhhmmss`).
    fn next_sequence(&mut self, time: u32) -> Sequence {
        let counter = self.counter;
        self.counter = self.counter.wrapping_add(1);
        Sequence { node_id: self.config.node_id, time, counter }
    }

    /// Queues a request that is not windowed (Bind, Unbind); returns its sequence.
    pub(crate) fn command<B: Body>(&mut self, command: CommandId, time: u32, body: &B) -> Sequence {
        let sequence = self.next_sequence(time);
        self.tx.push_back(encode_body(command, sequence, body));
        sequence
    }

    /// Queues a frame that answers `sequence` (or any frame whose sequence is given).
    pub(crate) fn reply<B: Body>(&mut self, command: CommandId, sequence: Sequence, body: &B) {
        self.tx.push_back(encode_body(command, sequence, body));
    }

    /// Queues the Result answer to a `request` command that came as `sequence`.
    pub(crate) fn answer(&mut self, request: CommandId, sequence: Sequence, result: ResultCode) -> Vec<u8> {
        let bytes = encode_body(request.response(), sequence, &Resp::new(result));
        self.tx.push_back(bytes.clone());
        bytes
    }

    /// Sends a windowed request. The caller has checked the session is bound.
    pub(crate) fn send(&mut self, now: Instant, time: u32, request: Request) -> Result<Sequence, SendError> {
        if self.window.is_full() {
            return Err(SendError::WindowFull);
        }
        request.validate()?;
        let sequence = Sequence { node_id: self.config.node_id, time, counter: self.counter };
        let bytes = request.encode(sequence);
        let max = self.config.max_frame_len;
        if bytes.len() > max as usize {
            return Err(SendError::TooLong { len: bytes.len(), max });
        }
        self.counter = self.counter.wrapping_add(1);
        self.tx.push_back(bytes.clone());
        self.window.insert(sequence, request, bytes, now);
        Ok(sequence)
    }

    /// Answers an inbound request the application holds; false if it holds none as `sequence`.
    pub(crate) fn ack(&mut self, sequence: Sequence, result: ResultCode) -> bool {
        let Some(seen) = self.inbound.take(sequence) else {
            return false;
        };
        let bytes = self.answer(seen.command, sequence, result);
        self.inbound.remember(sequence, seen, bytes);
        true
    }

    /// Requests sent and not yet answered.
    pub(crate) fn in_flight(&self) -> usize {
        self.window.len()
    }

    /// Inbound requests handed to the application and not yet acknowledged.
    pub(crate) fn unanswered(&self) -> usize {
        self.inbound.len()
    }

    /// True when the window has no room.
    pub(crate) fn window_full(&self) -> bool {
        self.window.is_full()
    }

    /// Appends received bytes.
    pub(crate) fn push_input(&mut self, data: &[u8]) {
        self.rx.push(data);
    }

    /// Takes the next whole frame out of the buffer and restarts the idle clock. An untrusted
    /// length is an error; the caller closes the session.
    pub(crate) fn next_frame(&mut self, now: Instant) -> Result<Option<Vec<u8>>, FrameError> {
        let max = self.config.max_frame_len;
        let Some(frame) = self.rx.take_frame(|live| Frame::check(live, max))? else {
            return Ok(None);
        };
        self.last_rx = Some(now);
        Ok(Some(frame))
    }

    /// Handles a request or response on a bound link; anything else is reported.
    pub(crate) fn on_traffic(&mut self, sequence: Sequence, pdu: Pdu, raw: &[u8]) {
        if let Some(resp) = pdu.resp() {
            return self.on_response(sequence, pdu.command_id(), *resp);
        }
        match Request::from_pdu(pdu) {
            Ok(request) => self.on_request(sequence, request, raw),
            Err(command) => self.unexpected(command, "on a bound link"),
        }
    }

    fn on_request(&mut self, sequence: Sequence, request: Request, raw: &[u8]) {
        let command = request.command_id();
        match self.inbound.admit(sequence, Seen::new(command, raw)) {
            Admit::New => self.events.push_back(E::request(sequence, request)),
            Admit::Pending => {}
            Admit::Answered(bytes) => self.tx.push_back(bytes),
            Admit::Conflict => {
                self.answer(command, sequence, ResultCode::ILLEGAL_SEQUENCE);
                let error = format!("{command} reuses sequence {sequence:?} with different content");
                self.events.push_back(E::malformed(error));
            }
            Admit::Busy => {
                self.answer(command, sequence, ResultCode::NODE_BUSY);
            }
        }
    }

    /// A response for a sequence no longer in the window (answered already, or given up on)
    /// is dropped: reporting it would let a late duplicate overwrite the real outcome.
    fn on_response(&mut self, sequence: Sequence, command: CommandId, resp: Resp) {
        match self.window.get(sequence).map(|r| r.command_id().response() == command) {
            Some(true) => {
                let request = self.window.remove(sequence).expect("present: just looked it up");
                self.events.push_back(E::response(sequence, request, resp));
            }
            Some(false) => self.unexpected(command, "for a request of another kind"),
            None => {}
        }
    }

    /// Reports a frame that could not be decoded and, for a request answered by a Result,
    /// sends that answer: 5 (parameter format error) for a field the spec forbids, 8 (message
    /// length error) when the body is shorter or longer than its fields.
    pub(crate) fn on_malformed(&mut self, error: &FrameDecodeError) {
        self.events.push_back(E::malformed(error.to_string()));
        let (Some(command), Some(sequence)) = (error.command_id(), error.sequence()) else {
            return;
        };
        if command.has_result_response() {
            let result = match error {
                FrameDecodeError::Body { source: DecodeError::Invalid { .. }, .. } => ResultCode::PARAMETER_FORMAT,
                _ => ResultCode::MESSAGE_LENGTH,
            };
            self.answer(command, sequence, result);
        }
    }

    /// Reports a well-formed frame that makes no sense here.
    pub(crate) fn unexpected(&mut self, command: CommandId, context: &str) {
        self.events.push_back(E::malformed(format!("unexpected {command} {context}")));
    }

    /// Re-sends since the last call.
    pub(crate) fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        hongyan_wire::LinkTally::take(&mut self.window, None)
    }

    /// Re-sends what is due and hands back what was sent `max_attempts` times.
    pub(crate) fn expire(&mut self, now: Instant) {
        let expired = self.window.expire(now, self.config.response_timeout, self.config.max_attempts);
        self.tx.extend(expired.resend);
        for (sequence, request) in expired.timed_out {
            self.events.push_back(E::timed_out(sequence, request));
        }
    }

    /// When the earliest unanswered request is due for a re-send or a time-out.
    pub(crate) fn window_deadline(&self) -> Option<Instant> {
        self.window.deadline(self.config.response_timeout)
    }

    /// Stops reading for good and hands back every unanswered request; queued frames are
    /// still handed out.
    pub(crate) fn shut(&mut self) {
        self.rx.clear();
        for (sequence, request) in self.window.drain() {
            self.events.push_back(E::timed_out(sequence, request));
        }
    }

    /// The next frame to write.
    pub(crate) fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front()
    }
}
