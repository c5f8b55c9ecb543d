//! What both session kinds share: the protocol-free core ([`LinkCore`]: buffers, Sequence_Id,
//! keep-alive) and how CMPP encodes into it, in the layout of the negotiated version.

use std::time::Instant;

use super::SessionConfig;
use crate::frame::encode_body;
use crate::pdu::{ActiveTest, Body};
use crate::{Frame, Version};
use hongyan_wire::{FrameError, KeepAlive, LinkCore};

/// One connection: the shared core, the configuration, and the layout frames use.
#[derive(Debug)]
pub(crate) struct Link {
    /// The configuration the session was made with.
    pub(crate) config: SessionConfig,
    /// The layout frames are encoded and decoded in; the negotiated version once logged in.
    pub(crate) version: Version,
    core: LinkCore,
}

// The core's own operations are the link's; the methods below add only what CMPP encodes.
hongyan_wire::link_core!(Link, core);

impl Link {
    /// A fresh connection; layouts start at `config.version`. Sequence_Id runs over all of
    /// 32 bits, skipping 0.
    pub(crate) fn new(config: SessionConfig) -> Self {
        let keepalive = KeepAlive::new(config.keepalive_idle, config.response_timeout, config.max_attempts);
        Self { core: LinkCore::new(u32::MAX, keepalive), version: config.version, config }
    }

    /// Queues a response (or any frame whose Sequence_Id is given).
    pub(crate) fn reply<B: Body>(&mut self, sequence_id: u32, body: &B) {
        let frame = encode_body(sequence_id, body, self.version);
        self.core.send(frame);
    }

    /// Queues a new request; returns its Sequence_Id and the frame for retransmission.
    pub(crate) fn request<B: Body>(&mut self, body: &B) -> (u32, Vec<u8>) {
        let seq = self.core.next_sequence();
        let bytes = encode_body(seq, body, self.version);
        self.core.send(bytes.clone());
        (seq, bytes)
    }

    /// The next whole frame (see [`LinkCore::next_frame`]).
    pub(crate) fn next_frame(&mut self, now: Instant) -> Result<Option<Vec<u8>>, FrameError> {
        let max = self.config.max_frame_len;
        self.core.next_frame(now, |live| Frame::check(live, max))
    }

    /// Sends or re-sends ACTIVE_TEST when due; true when the link is dead.
    pub(crate) fn keepalive_timeout(&mut self, now: Instant) -> bool {
        let version = self.version;
        self.core.keepalive_timeout(now, |seq| encode_body(seq, &ActiveTest, version))
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
        link.push_input(&encode_body(1, &ActiveTest, Version::V30));
        assert!(link.next_frame(t0).unwrap().is_some());
        link.start_keepalive();
        let (c, t) = (Duration::from_secs(180), Duration::from_secs(60));
        assert_eq!(link.keepalive_deadline(), Some(t0 + c));
        for n in 0..3u32 {
            assert!(!link.keepalive_timeout(t0 + c + t * n));
            let sent = link.poll_transmit().expect("ACTIVE_TEST");
            assert_eq!(&sent[4..12], &[0, 0, 0, 8, 0, 0, 0, 1], "same id on every resend");
        }
        assert!(link.keepalive_timeout(t0 + c + t * 3));
    }
}
