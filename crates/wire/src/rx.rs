//! The receive buffer of a connection: bytes as they arrive, whole frames as they complete.

use crate::FrameError;

/// Received bytes not yet consumed; `buf[start..]` is live. A start offset instead of
/// draining after every frame keeps a read full of small frames linear.
#[derive(Debug, Default)]
pub struct RxBuffer {
    buf: Vec<u8>,
    start: usize,
}

impl RxBuffer {
    /// Appends received bytes.
    pub fn push(&mut self, data: &[u8]) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// Takes the next whole frame, whose length `check` reads from the live bytes
    /// (`Ok(None)`: need more bytes; `Err`: an untrusted length, the caller closes the link).
    pub fn take_frame(
        &mut self,
        check: impl FnOnce(&[u8]) -> Result<Option<usize>, FrameError>,
    ) -> Result<Option<Vec<u8>>, FrameError> {
        let live = &self.buf[self.start..];
        let Some(len) = check(live)? else {
            return Ok(None);
        };
        let frame = live[..len].to_vec();
        self.start += len;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
        Ok(Some(frame))
    }

    /// True when no received byte is waiting.
    pub fn is_empty(&self) -> bool {
        self.start == self.buf.len()
    }

    /// Forgets everything buffered and frees the memory (the link is shut).
    pub fn clear(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames of the form `[len, payload…]` for the test.
    fn check(live: &[u8]) -> Result<Option<usize>, FrameError> {
        Ok(live.first().map(|&n| usize::from(n)).filter(|&n| live.len() >= n))
    }

    #[test]
    fn frames_come_out_whole_across_reads() {
        let mut rx = RxBuffer::default();
        rx.push(&[2, 9, 3]);
        assert_eq!(rx.take_frame(check).unwrap(), Some(vec![2, 9]));
        assert_eq!(rx.take_frame(check).unwrap(), None, "need more bytes");
        rx.push(&[8, 7]);
        assert_eq!(rx.take_frame(check).unwrap(), Some(vec![3, 8, 7]));
        assert_eq!(rx.take_frame(check).unwrap(), None);
        assert!(rx.is_empty());
        rx.push(&[1]);
        assert!(!rx.is_empty());
        rx.clear();
        assert_eq!(rx.take_frame(check).unwrap(), None);
    }
}
