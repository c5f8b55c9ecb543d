//! What both session kinds share: the input buffer, the output queue, sequence ids and
//! keep-alive.

use super::SessionConfig;
use crate::frame::encode_body;
use crate::pdu::{ActiveTest, Body};
use crate::Frame;
use hongyan_wire::{FrameError, KeepAlive, KeepAliveDue, RxBuffer};
use std::collections::VecDeque;
use std::time::Instant;

/// Buffers, counters and keep-alive of one connection.
#[derive(Debug)]
pub(crate) struct Link {
    /// The configuration the session was made with.
    pub(crate) config: SessionConfig,
    /// Received bytes not yet consumed.
    rx: RxBuffer,
    /// Encoded frames waiting for `poll_transmit`.
    tx: VecDeque<Vec<u8>>,
    /// SequenceID of our next request.
    next_seq: u32,
    /// Probes the peer once logged in, after idle time.
    keepalive: KeepAlive,
}

impl Link {
    /// A fresh connection.
    pub(crate) fn new(config: SessionConfig) -> Self {
        Self {
            keepalive: KeepAlive::new(config.keepalive_idle, config.response_timeout, config.max_attempts),
            config,
            rx: RxBuffer::default(),
            tx: VecDeque::new(),
            next_seq: 1,
        }
    }

    /// Takes the next request SequenceID: from 1, +1 each, wrapping past 0 because some
    /// peers treat 0 as "no sequence".
    pub(crate) fn next_sequence(&mut self) -> u32 {
        let seq = self.next_seq;
        self.next_seq = self.next_seq.wrapping_add(1).max(1);
        seq
    }

    /// Queues a response (or any frame whose SequenceID is given).
    pub(crate) fn reply<B: Body>(&mut self, sequence_id: u32, body: &B) {
        self.tx.push_back(encode_body(sequence_id, body));
    }

    /// Queues a new request; returns its SequenceID and the frame for retransmission.
    pub(crate) fn request<B: Body>(&mut self, body: &B) -> (u32, Vec<u8>) {
        let seq = self.next_sequence();
        let bytes = encode_body(seq, body);
        self.tx.push_back(bytes.clone());
        (seq, bytes)
    }

    /// Queues already-encoded frames (retransmissions).
    pub(crate) fn queue(&mut self, frames: Vec<Vec<u8>>) {
        self.tx.extend(frames);
    }

    /// The next frame to write.
    pub(crate) fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front()
    }

    /// Appends received bytes.
    pub(crate) fn push_input(&mut self, data: &[u8]) {
        self.rx.push(data);
    }

    /// Takes the next whole frame out of the buffer. A whole frame proves the peer alive, so
    /// it restarts the idle clock and ends any keep-alive probe. An untrusted length is an
    /// error; the caller closes the session.
    pub(crate) fn next_frame(&mut self, now: Instant) -> Result<Option<Vec<u8>>, FrameError> {
        let max = self.config.max_frame_len;
        let Some(frame) = self.rx.take_frame(|live| Frame::check(live, max))? else {
            return Ok(None);
        };
        self.keepalive.heard(now);
        Ok(Some(frame))
    }

    /// Starts keep-alive (after login). Idle time counts from the last frame received, the
    /// Login or Login_Resp that just arrived.
    pub(crate) fn start_keepalive(&mut self) {
        self.keepalive.start();
    }

    /// Stops reading and keep-alive for good; queued frames are still handed out.
    pub(crate) fn shut(&mut self) {
        self.keepalive.stop();
        self.rx.clear();
    }

    /// The keep-alive, for the link-quality tally.
    pub(crate) fn keepalive_mut(&mut self) -> &mut KeepAlive {
        &mut self.keepalive
    }

    /// When keep-alive next needs attention.
    pub(crate) fn keepalive_deadline(&self) -> Option<Instant> {
        self.keepalive.deadline()
    }

    /// Sends or re-sends Active_Test when due. Returns true when `max_attempts` probes went
    /// unanswered: the link is dead.
    pub(crate) fn keepalive_timeout(&mut self, now: Instant) -> bool {
        match self.keepalive.timeout(now) {
            KeepAliveDue::Nothing => false,
            KeepAliveDue::Dead => true,
            KeepAliveDue::Resend(bytes) => {
                self.tx.push_back(bytes);
                false
            }
            KeepAliveDue::NewProbe => {
                let (_, bytes) = self.request(&ActiveTest);
                self.keepalive.probing(bytes, now);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sequence_ids_start_at_one_and_skip_zero() {
        let mut link = Link::new(SessionConfig::default());
        assert_eq!(link.next_sequence(), 1);
        assert_eq!(link.next_sequence(), 2);
        link.next_seq = u32::MAX;
        assert_eq!(link.next_sequence(), u32::MAX);
        assert_eq!(link.next_sequence(), 1);
    }

    #[test]
    fn frames_are_cut_from_any_split() {
        let mut link = Link::new(SessionConfig::default());
        let now = Instant::now();
        let two = [encode_body(1, &ActiveTest), encode_body(2, &ActiveTest)].concat();
        link.push_input(&two[..5]);
        assert_eq!(link.next_frame(now), Ok(None));
        link.push_input(&two[5..20]);
        assert_eq!(link.next_frame(now).unwrap().unwrap(), two[..12]);
        assert_eq!(link.next_frame(now), Ok(None));
        link.push_input(&two[20..]);
        assert_eq!(link.next_frame(now).unwrap().unwrap(), two[12..]);
        assert!(link.rx.is_empty());
    }

    #[test]
    fn keepalive_probes_then_declares_death() {
        let mut link = Link::new(SessionConfig::default());
        let t0 = Instant::now();
        link.push_input(&encode_body(1, &ActiveTest));
        link.next_frame(t0).unwrap();
        assert_eq!(link.keepalive_deadline(), None);
        link.start_keepalive();
        let c = Duration::from_secs(180);
        let t = Duration::from_secs(60);
        assert_eq!(link.keepalive_deadline(), Some(t0 + c));
        assert!(!link.keepalive_timeout(t0 + c - Duration::from_millis(1)));
        assert!(link.poll_transmit().is_none());
        for n in 0..3u32 {
            assert!(!link.keepalive_timeout(t0 + c + t * n));
            let sent = link.poll_transmit().expect("Active_Test");
            assert_eq!(&sent[4..12], &[0, 0, 0, 4, 0, 0, 0, 1], "same id on every resend");
        }
        assert!(link.keepalive_timeout(t0 + c + t * 3));
    }
}
