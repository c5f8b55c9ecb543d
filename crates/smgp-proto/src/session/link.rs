//! What both session kinds share: the protocol-free core ([`LinkCore`]: buffers, SequenceID,
//! keep-alive) and how SMGP encodes into it.

use std::time::Instant;

use super::SessionConfig;
use crate::frame::encode_body;
use crate::pdu::{ActiveTest, Body};
use crate::Frame;
use hongyan_wire::{FrameError, KeepAlive, LinkCore};

/// One connection: the shared core and the configuration.
#[derive(Debug)]
pub(crate) struct Link {
    /// The configuration the session was made with.
    pub(crate) config: SessionConfig,
    core: LinkCore,
}

// The core's own operations are the link's; the methods below add only what SMGP encodes.
hongyan_wire::link_core!(Link, core);

impl Link {
    /// A fresh connection. SequenceID runs over all of 32 bits, skipping 0.
    pub(crate) fn new(config: SessionConfig) -> Self {
        let keepalive = KeepAlive::new(config.keepalive_idle, config.response_timeout, config.max_attempts);
        Self { core: LinkCore::new(u32::MAX, keepalive), config }
    }

    /// Queues a response (or any frame whose SequenceID is given).
    pub(crate) fn reply<B: Body>(&mut self, sequence_id: u32, body: &B) {
        self.core.send(encode_body(sequence_id, body));
    }

    /// Queues a new request; returns its SequenceID and the frame for retransmission.
    pub(crate) fn request<B: Body>(&mut self, body: &B) -> (u32, Vec<u8>) {
        let seq = self.core.next_sequence();
        let bytes = encode_body(seq, body);
        self.core.send(bytes.clone());
        (seq, bytes)
    }

    /// The next whole frame (see [`LinkCore::next_frame`]).
    pub(crate) fn next_frame(&mut self, now: Instant) -> Result<Option<Vec<u8>>, FrameError> {
        let max = self.config.max_frame_len;
        self.core.next_frame(now, |live| Frame::check(live, max))
    }

    /// Sends or re-sends Active_Test when due; true when the link is dead.
    pub(crate) fn keepalive_timeout(&mut self, now: Instant) -> bool {
        self.core.keepalive_timeout(now, |seq| encode_body(seq, &ActiveTest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn keepalive_probes_are_active_tests_with_one_sequence_id() {
        let mut link = Link::new(SessionConfig::default());
        let t0 = Instant::now();
        link.push_input(&encode_body(1, &ActiveTest));
        assert!(link.next_frame(t0).unwrap().is_some());
        link.start_keepalive();
        let (c, t) = (Duration::from_secs(180), Duration::from_secs(60));
        assert_eq!(link.keepalive_deadline(), Some(t0 + c));
        for n in 0..3u32 {
            assert!(!link.keepalive_timeout(t0 + c + t * n));
            let sent = link.poll_transmit().expect("Active_Test");
            assert_eq!(&sent[4..12], &[0, 0, 0, 4, 0, 0, 0, 1], "same id on every resend");
        }
        assert!(link.keepalive_timeout(t0 + c + t * 3));
    }
}
