//! [`NetStream`]: the one byte stream every connection of Hongyan becomes, in or out, plain
//! or in TLS.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::ServerTls;

/// How long a peer of a protocol listener (SMPP, CMPP, SGIP) has to finish the TLS handshake.
pub const HANDSHAKE_LIMIT: Duration = Duration::from_secs(10);

/// A connection: plain TCP, TLS we opened ([`crate::Dialer`]), or TLS a peer opened to one of
/// our listeners ([`NetStream::accepted`]).
#[derive(Debug)]
pub enum NetStream {
    Plain(TcpStream),
    TlsOut(Box<tokio_rustls::client::TlsStream<TcpStream>>),
    TlsIn(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

impl NetStream {
    /// A connection a listener accepted, after the TLS handshake when the listener has a
    /// certificate. A peer that has not finished the handshake within `limit` is cut off, so
    /// a silent one cannot hold the connection.
    pub async fn accepted(tcp: TcpStream, tls: Option<&ServerTls>, limit: Duration) -> io::Result<Self> {
        let Some(tls) = tls else { return Ok(Self::Plain(tcp)) };
        match tokio::time::timeout(limit, tls.0.accept(tcp)).await {
            Ok(Ok(stream)) => Ok(Self::TlsIn(Box::new(stream))),
            Ok(Err(e)) => Err(io::Error::new(e.kind(), format!("TLS handshake failed: {e}"))),
            Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, format!("no TLS handshake within {limit:?}"))),
        }
    }
}

/// Calls `$call` on whichever stream `$self` holds.
macro_rules! each {
    ($self:expr, $s:ident => $call:expr) => {
        match $self.get_mut() {
            NetStream::Plain($s) => $call,
            NetStream::TlsOut($s) => {
                let $s = $s.as_mut();
                $call
            }
            NetStream::TlsIn($s) => {
                let $s = $s.as_mut();
                $call
            }
        }
    };
}

impl AsyncRead for NetStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for NetStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        each!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}
