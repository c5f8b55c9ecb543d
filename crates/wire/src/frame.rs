//! Framing for protocols whose frames start with a 4-byte big-endian total length.

/// Why a byte stream can no longer be trusted; the session must close the link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The declared length is shorter than the protocol's fixed header.
    #[error("declared frame length {declared} is shorter than the {min}-byte header")]
    TooShort {
        /// Length read from the wire.
        declared: u32,
        /// Header size of the protocol.
        min: u32,
    },
    /// The declared length is over the configured maximum; nothing was allocated for it.
    #[error("declared frame length {declared} exceeds the maximum of {max}")]
    TooLong {
        /// Length read from the wire.
        declared: u32,
        /// Configured maximum.
        max: u32,
    },
}

/// Checks whether `buf` starts with one complete frame.
///
/// Returns `Ok(Some(len))` when the first `len` bytes are a whole frame, `Ok(None)` when more
/// bytes are needed, and an error when the length field cannot be trusted. The length is
/// validated as soon as its four bytes are present, before any body arrives, so a hostile
/// length never makes the caller buffer or allocate for it.
pub fn length_prefixed(buf: &[u8], min: u32, max: u32) -> Result<Option<usize>, FrameError> {
    let Some(head) = buf.get(..4) else {
        return Ok(None);
    };
    let declared = u32::from_be_bytes([head[0], head[1], head[2], head[3]]);
    if declared < min {
        return Err(FrameError::TooShort { declared, min });
    }
    if declared > max {
        return Err(FrameError::TooLong { declared, max });
    }
    let len = declared as usize;
    Ok((buf.len() >= len).then_some(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_is_not_an_error() {
        assert_eq!(length_prefixed(&[], 12, 100), Ok(None));
        assert_eq!(length_prefixed(&[0, 0, 0], 12, 100), Ok(None));
        assert_eq!(length_prefixed(&[0, 0, 0, 12, 1], 12, 100), Ok(None));
    }

    #[test]
    fn complete_frame_reports_its_length() {
        let mut buf = vec![0, 0, 0, 12];
        buf.extend_from_slice(&[0; 10]);
        assert_eq!(length_prefixed(&buf, 12, 100), Ok(Some(12)));
    }

    #[test]
    fn untrusted_lengths_are_errors() {
        assert!(matches!(length_prefixed(&[0, 0, 0, 3], 12, 100), Err(FrameError::TooShort { .. })));
        assert!(matches!(length_prefixed(&[0xff, 0xff, 0xff, 0xff], 12, 100), Err(FrameError::TooLong { .. })));
    }
}
