//! Connecting out: plain TCP, or TLS over it when the peer asks for it. Links drive the
//! [`NetStream`] they get without knowing which it is.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::{NetStream, Trust};
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;

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
                Ok(NetStream::TlsOut(Box::new(tls)))
            }
        }
    }
}
