//! Connecting out: plain TCP, or TLS over it when the peer asks for it. Links drive the
//! [`NetStream`] they get without knowing which it is.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use crate::Trust;

/// TLS towards one peer: whom to trust, and the name its certificate must carry.
#[derive(Debug, Clone)]
pub struct TlsTarget {
    pub trust: Trust,
    pub server_name: ServerName<'static>,
}

impl TlsTarget {
    /// `name` is a host name or an IP address, as the certificate gives it.
    pub fn new(trust: Trust, name: &str) -> Result<Self, String> {
        let server_name = ServerName::try_from(name.to_owned()).map_err(|e| format!("`{name}`: {e}"))?;
        Ok(Self { trust, server_name })
    }
}

/// Where to connect and how.
#[derive(Debug, Clone)]
pub struct Dialer {
    pub addr: SocketAddr,
    pub tls: Option<TlsTarget>,
}

impl Dialer {
    /// A plain TCP connection to `addr`.
    pub fn tcp(addr: SocketAddr) -> Self {
        Self { addr, tls: None }
    }

    /// Connects, and completes the TLS handshake when asked, all within `timeout`. Small
    /// writes go out at once (no Nagle): the protocols here are request and answer.
    pub async fn connect(&self, timeout: Duration) -> io::Result<NetStream> {
        let timed_out = || io::Error::new(io::ErrorKind::TimedOut, format!("no connection within {timeout:?}"));
        tokio::time::timeout(timeout, self.connect_now()).await.map_err(|_| timed_out())?
    }

    async fn connect_now(&self) -> io::Result<NetStream> {
        let tcp = TcpStream::connect(self.addr).await?;
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => Ok(NetStream::Plain(tcp)),
            Some(t) => {
                let tls = t.trust.connector().connect(t.server_name.clone(), tcp).await?;
                Ok(NetStream::Tls(Box::new(tls)))
            }
        }
    }
}

/// A connection [`Dialer::connect`] made.
#[derive(Debug)]
pub enum NetStream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for NetStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for NetStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_flush(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Self::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Self::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
