//! Encoding helpers, the mirror of [`crate::Reader`].

/// Appends wire fields to a byte vector.
#[derive(Debug, Default, Clone)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer with room for `cap` bytes.
    pub fn with_capacity(cap: usize) -> Self {
        Self { buf: Vec::with_capacity(cap) }
    }

    /// Appends one byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// Appends a big-endian `u16`.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends a big-endian `u32`.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends a big-endian `u64`.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }

    /// Appends a fixed-size octet string: left-aligned, padded with NUL, cut if too long.
    /// Callers validate lengths before encoding; cutting here only keeps the frame well formed.
    pub fn fixed(&mut self, v: &[u8], n: usize) -> &mut Self {
        let take = v.len().min(n);
        self.buf.extend_from_slice(&v[..take]);
        self.buf.resize(self.buf.len() + (n - take), 0);
        self
    }

    /// Appends a NUL-terminated string.
    pub fn c_str(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self.buf.push(0);
        self
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Overwrites a big-endian `u32` at `at` (used to patch a total-length field).
    pub fn patch_u32(&mut self, at: usize, v: u32) {
        self.buf[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }

    /// The encoded bytes.
    pub fn into_vec(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Reader;

    #[test]
    fn fixed_pads_with_nul_and_round_trips() {
        let mut w = Writer::default();
        w.fixed(b"901234", 8).u32(7);
        let bytes = w.into_vec();
        assert_eq!(&bytes[..8], b"901234\0\0");
        let mut r = Reader::new(&bytes);
        assert_eq!(r.fixed_str("s", 8).unwrap(), b"901234");
        assert_eq!(r.u32("n"), Ok(7));
        r.finish().unwrap();
    }
}
