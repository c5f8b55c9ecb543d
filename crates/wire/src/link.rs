//! What a connection of CMPP, SMGP or SMPP keeps whatever the protocol: the bytes received and
//! not yet framed, the frames waiting to be written, the next sequence number, and the
//! keep-alive. Each protocol's session wraps a [`LinkCore`] and adds only how it encodes.

use std::collections::VecDeque;
use std::time::Instant;

use crate::{FrameError, KeepAlive, KeepAliveDue, RxBuffer};

/// Buffers, sequence numbers and keep-alive of one connection.
#[derive(Debug)]
pub struct LinkCore {
    rx: RxBuffer,
    tx: VecDeque<Vec<u8>>,
    next_seq: u32,
    /// The highest sequence number the protocol allows; the next one wraps to 1.
    max_seq: u32,
    keepalive: KeepAlive,
}

impl LinkCore {
    /// A fresh connection whose sequence numbers run 1..=`max_seq` and wrap to 1 (never 0:
    /// some peers read 0 as "no sequence").
    pub fn new(max_seq: u32, keepalive: KeepAlive) -> Self {
        Self { rx: RxBuffer::default(), tx: VecDeque::new(), next_seq: 1, max_seq, keepalive }
    }

    /// Takes the next request sequence number.
    pub fn next_sequence(&mut self) -> u32 {
        let seq = self.next_seq;
        self.next_seq = if seq >= self.max_seq { 1 } else { seq + 1 };
        seq
    }

    /// Queues one encoded frame.
    pub fn send(&mut self, frame: Vec<u8>) {
        self.tx.push_back(frame);
    }

    /// Queues already-encoded frames (retransmissions).
    pub fn queue(&mut self, frames: Vec<Vec<u8>>) {
        self.tx.extend(frames);
    }

    /// The next frame to write.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.tx.pop_front()
    }

    /// Appends received bytes.
    pub fn push_input(&mut self, data: &[u8]) {
        self.rx.push(data);
    }

    /// Takes the next whole frame, its length read by `check`. A whole frame proves the peer
    /// alive, so it restarts the idle clock and ends any keep-alive probe. An untrusted length
    /// is an error; the caller closes the session.
    pub fn next_frame(
        &mut self,
        now: Instant,
        check: impl FnOnce(&[u8]) -> Result<Option<usize>, FrameError>,
    ) -> Result<Option<Vec<u8>>, FrameError> {
        let Some(frame) = self.rx.take_frame(check)? else {
            return Ok(None);
        };
        self.keepalive.heard(now);
        Ok(Some(frame))
    }

    /// Whether no received byte waits.
    pub fn rx_is_empty(&self) -> bool {
        self.rx.is_empty()
    }

    /// The keep-alive, for the link-quality tally.
    pub fn keepalive_mut(&mut self) -> &mut KeepAlive {
        &mut self.keepalive
    }

    /// Starts keep-alive (after login); idle time counts from the last frame received.
    pub fn start_keepalive(&mut self) {
        self.keepalive.start();
    }

    /// Stops reading and keep-alive for good; queued frames are still handed out.
    pub fn shut(&mut self) {
        self.keepalive.stop();
        self.rx.clear();
    }

    /// When keep-alive next needs attention.
    pub fn keepalive_deadline(&self) -> Option<Instant> {
        self.keepalive.deadline()
    }

    /// Sends a new probe (`probe` encodes it for a sequence number) or re-sends the last when
    /// due. Returns true when the allowed probes all went unanswered: the link is dead.
    pub fn keepalive_timeout(&mut self, now: Instant, probe: impl FnOnce(u32) -> Vec<u8>) -> bool {
        match self.keepalive.timeout(now) {
            KeepAliveDue::Nothing => false,
            KeepAliveDue::Dead => true,
            KeepAliveDue::Resend(bytes) => {
                self.tx.push_back(bytes);
                false
            }
            KeepAliveDue::NewProbe => {
                let bytes = probe(self.next_sequence());
                self.tx.push_back(bytes.clone());
                self.keepalive.probing(bytes, now);
                false
            }
        }
    }
}

/// Makes a protocol's link type hand out the operations of its [`LinkCore`] field (input,
/// output, sequence numbers, keep-alive) as its own, so the protocol writes only what it
/// encodes: `hongyan_wire::link_core!(Link, core);`.
#[macro_export]
macro_rules! link_core {
    ($ty:ty, $field:ident) => {
        impl ::core::ops::Deref for $ty {
            type Target = $crate::LinkCore;

            fn deref(&self) -> &$crate::LinkCore {
                &self.$field
            }
        }

        impl ::core::ops::DerefMut for $ty {
            fn deref_mut(&mut self) -> &mut $crate::LinkCore {
                &mut self.$field
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn core(max_seq: u32) -> LinkCore {
        LinkCore::new(max_seq, KeepAlive::new(Duration::from_secs(180), Duration::from_secs(60), 3))
    }

    /// A 12-byte frame: total length 12, then 4 bytes of id and the sequence number.
    fn frame(seq: u32) -> Vec<u8> {
        [12u32.to_be_bytes(), 8u32.to_be_bytes(), seq.to_be_bytes()].concat()
    }

    fn check(live: &[u8]) -> Result<Option<usize>, FrameError> {
        crate::length_prefixed(live, 12, 4096)
    }

    #[test]
    fn sequence_numbers_start_at_one_and_wrap_to_one_past_the_protocols_highest() {
        for max in [u32::MAX, 0x7FFF_FFFF] {
            let mut link = core(max);
            assert_eq!((link.next_sequence(), link.next_sequence()), (1, 2));
            link.next_seq = max;
            assert_eq!((link.next_sequence(), link.next_sequence()), (max, 1));
        }
    }

    #[test]
    fn frames_are_cut_from_any_split() {
        let mut link = core(u32::MAX);
        let now = Instant::now();
        let two = [frame(1), frame(2)].concat();
        link.push_input(&two[..5]);
        assert_eq!(link.next_frame(now, check), Ok(None));
        link.push_input(&two[5..20]);
        assert_eq!(link.next_frame(now, check).unwrap().unwrap(), two[..12]);
        assert_eq!(link.next_frame(now, check), Ok(None));
        link.push_input(&two[20..]);
        assert_eq!(link.next_frame(now, check).unwrap().unwrap(), two[12..]);
        assert!(link.rx_is_empty());
    }

    #[test]
    fn keepalive_probes_with_one_sequence_number_then_declares_death() {
        let mut link = core(u32::MAX);
        let t0 = Instant::now();
        link.push_input(&frame(1));
        link.next_frame(t0, check).unwrap();
        assert_eq!(link.keepalive_deadline(), None, "not before login");
        link.start_keepalive();
        let (idle, answer) = (Duration::from_secs(180), Duration::from_secs(60));
        assert_eq!(link.keepalive_deadline(), Some(t0 + idle));
        assert!(!link.keepalive_timeout(t0 + idle - Duration::from_millis(1), frame));
        assert!(link.poll_transmit().is_none());
        for n in 0..3u32 {
            assert!(!link.keepalive_timeout(t0 + idle + answer * n, frame));
            assert_eq!(link.poll_transmit().expect("a probe"), frame(1), "the same probe each time");
        }
        assert!(link.keepalive_timeout(t0 + idle + answer * 3, frame), "three unanswered: dead");
        link.push_input(&frame(9));
        link.shut();
        assert!(link.rx_is_empty() && link.keepalive_deadline().is_none(), "shut stops reading and probing");
    }
}
