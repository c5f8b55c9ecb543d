//! Why a carrier link ended, or could not do what it was asked: typed, so the link engine and
//! its logs tell a configuration problem from a misbehaving peer from a network fault. The
//! protocol's own error is kept as the source, not flattened into text.

/// A protocol crate's error, kept as it came.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

/// Why a link ended or an adapter refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The login cannot even be encoded: a configuration problem (a field too long, say).
    #[error("{protocol} login cannot be sent: {source}")]
    LoginNotSent {
        /// The protocol, as it is named in logs ("SMPP", "SGIP").
        protocol: &'static str,
        /// The encoder's reason.
        source: Cause,
    },
    /// The gateway refused the login; its answer.
    #[error("login refused: {0}")]
    LoginRefused(String),
    /// The peer's bytes broke the protocol: the stream cannot be trusted any more.
    #[error("protocol error: {0}")]
    Protocol(#[source] Cause),
    /// The session could not take a segment (it cannot be encoded, or the window is shut).
    #[error("{0}")]
    Submit(#[source] Cause),
    /// The session gave up on its own (the keep-alive went unanswered, …).
    #[error("{0}")]
    Dead(String),
    /// The session closed without being asked to.
    #[error("session closed")]
    SessionClosed,
    /// The peer closed the connection.
    #[error("peer closed the connection")]
    PeerClosed,
    /// Connecting took longer than allowed.
    #[error("connect timed out")]
    ConnectTimedOut,
    /// The socket failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl LinkError {
    /// The stream broke the protocol: `e` is the session's reason.
    pub fn protocol(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Protocol(Box::new(e))
    }

    /// The session could not take a segment: `e` is its reason.
    pub fn submit(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Submit(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::LinkError;

    #[test]
    fn the_protocols_reason_is_kept_as_the_source() {
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, "bad length");
        let e = LinkError::protocol(io);
        assert_eq!(e.to_string(), "protocol error: bad length");
        let source = std::error::Error::source(&e).expect("a source");
        assert!(source.downcast_ref::<std::io::Error>().is_some());
        let login = LinkError::LoginNotSent { protocol: "SMPP", source: "system_id too long".into() };
        assert_eq!(login.to_string(), "SMPP login cannot be sent: system_id too long");
    }
}
