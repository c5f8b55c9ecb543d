//! Exact, bounds-checked decoding of one frame.

/// Why a frame (whose length was sane) could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A field ran past the end of the frame.
    #[error("field `{field}` needs {needed} bytes, only {left} left")]
    Truncated {
        /// Name of the field being read.
        field: &'static str,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the frame.
        left: usize,
    },
    /// Bytes were left over after the last field of the body.
    #[error("{0} trailing bytes after the last field")]
    TrailingData(usize),
    /// A field holds a value the protocol does not allow.
    #[error("field `{field}`: {reason}")]
    Invalid {
        /// Name of the field.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// A fixed-width octet string read as text: without its NUL padding and surrounding spaces,
/// and with any byte that is not UTF-8 replaced (addresses, service ids, status words).
pub fn field_text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).trim_end_matches('\0').trim().to_owned()
}

/// A cursor over one frame. Every read is bounds-checked; nothing panics on short input.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the first byte of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// Bytes not yet read.
    pub fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Takes the next `n` bytes.
    pub fn bytes(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], DecodeError> {
        let left = self.left();
        if n > left {
            return Err(DecodeError::Truncated { field, needed: n, left });
        }
        let out = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    /// Takes everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = &self.buf[self.pos..];
        self.pos = self.buf.len();
        out
    }

    /// Takes a fixed-size array.
    pub fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(field, N)?);
        Ok(out)
    }

    /// Reads one byte.
    pub fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(field)?[0])
    }

    /// Reads a big-endian `u16`.
    pub fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array(field)?))
    }

    /// Reads a big-endian `u32`.
    pub fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array(field)?))
    }

    /// Reads a big-endian `u64`.
    pub fn u64(&mut self, field: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array(field)?))
    }

    /// Reads a fixed-size octet string and returns it cut at the first NUL, with trailing
    /// spaces trimmed (peers pad with either). Bytes are kept as they are: the caller decides
    /// how to interpret them.
    pub fn fixed_str(&mut self, field: &'static str, n: usize) -> Result<Vec<u8>, DecodeError> {
        let raw = self.bytes(field, n)?;
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        let mut s = &raw[..end];
        while let [head @ .., b' '] = s {
            s = head;
        }
        Ok(s.to_vec())
    }

    /// Reads a NUL-terminated string of at most `max` bytes including the NUL.
    pub fn c_str(&mut self, field: &'static str, max: usize) -> Result<Vec<u8>, DecodeError> {
        let rest = &self.buf[self.pos..];
        let window = &rest[..rest.len().min(max)];
        let Some(end) = window.iter().position(|&b| b == 0) else {
            return Err(if rest.len() < max {
                DecodeError::Truncated { field, needed: rest.len() + 1, left: rest.len() }
            } else {
                DecodeError::Invalid { field, reason: "no NUL terminator within the maximum length" }
            });
        };
        let out = rest[..end].to_vec();
        self.pos += end + 1;
        Ok(out)
    }

    /// Ends decoding: the frame must have been consumed exactly.
    pub fn finish(self) -> Result<(), DecodeError> {
        match self.left() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingData(n)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integers_big_endian() {
        let mut r = Reader::new(&[1, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 4]);
        assert_eq!(r.u8("a"), Ok(1));
        assert_eq!(r.u16("b"), Ok(2));
        assert_eq!(r.u32("c"), Ok(3));
        assert_eq!(r.u64("d"), Ok(4));
        assert_eq!(r.finish(), Ok(()));
    }

    #[test]
    fn short_input_is_an_error_not_a_panic() {
        let mut r = Reader::new(&[1, 2]);
        assert!(matches!(r.u32("x"), Err(DecodeError::Truncated { field: "x", needed: 4, left: 2 })));
    }

    #[test]
    fn fixed_strings_cut_at_nul_and_trim_spaces() {
        let mut r = Reader::new(b"ab\0\0cd  ");
        assert_eq!(r.fixed_str("a", 4).unwrap(), b"ab");
        assert_eq!(r.fixed_str("b", 4).unwrap(), b"cd");
    }

    #[test]
    fn c_strings_need_a_terminator() {
        let mut r = Reader::new(b"abc\0de");
        assert_eq!(r.c_str("a", 10).unwrap(), b"abc");
        assert!(r.c_str("b", 10).is_err());
        let mut r = Reader::new(b"abcdef\0");
        assert!(matches!(r.c_str("c", 3), Err(DecodeError::Invalid { .. })));
    }

    #[test]
    fn trailing_bytes_are_reported() {
        let mut r = Reader::new(&[1, 2, 3]);
        r.u8("a").unwrap();
        assert_eq!(r.finish(), Err(DecodeError::TrailingData(2)));
    }
}
