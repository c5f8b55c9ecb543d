//! A CMPP client system for the tests of our CMPP server: `hongyan-cmpp-proto`'s client
//! session over a real TCP connection, keeping every event it saw.

use std::time::{Duration, Instant};

use hongyan_cmpp_proto::session::SessionConfig;
use hongyan_cmpp_proto::{ClientEvent, ClientSession, Version};
use hongyan_types::Timestamp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A connected client: its session and socket, and every event so far.
pub(crate) struct Client {
    pub(crate) session: ClientSession,
    pub(crate) stream: TcpStream,
    pub(crate) events: Vec<ClientEvent>,
}

impl Client {
    /// Connects as `sp` in CMPP `version`; the events say whether the login was taken.
    pub(crate) async fn connect_as(addr: std::net::SocketAddr, sp: &str, secret: &str, version: Version) -> Self {
        let config = SessionConfig { version, ..SessionConfig::default() };
        let session = ClientSession::new(config, sp.into(), secret.into());
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut c = Self { session, stream, events: Vec::new() };
        c.session.connect(Instant::now(), Timestamp::from_system(std::time::SystemTime::now()).beijing_mmddhhmmss());
        c.run_until(|e| {
            e.iter().any(|e| matches!(e, ClientEvent::Connected { .. } | ClientEvent::ConnectRejected { .. }))
        })
        .await;
        c
    }

    /// Drives the session until `done` holds for the events seen (or 10 s pass).
    pub(crate) async fn run_until(&mut self, done: impl Fn(&[ClientEvent]) -> bool) {
        self.run_for(done, Duration::from_secs(10)).await;
    }

    /// Drives the session until `done` holds, `limit` passes or the server closes the link,
    /// acknowledging every DELIVER.
    pub(crate) async fn run_for(&mut self, done: impl Fn(&[ClientEvent]) -> bool, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut buf = vec![0u8; 8192];
        while !done(&self.events) && Instant::now() < deadline {
            while let Some(bytes) = self.session.poll_transmit() {
                self.stream.write_all(&bytes).await.unwrap();
            }
            if let Ok(Ok(n)) = tokio::time::timeout(Duration::from_millis(50), self.stream.read(&mut buf)).await {
                if n == 0 {
                    break;
                }
                self.session.handle_input(&buf[..n], Instant::now()).unwrap();
            }
            while let Some(e) = self.session.poll_event() {
                if let ClientEvent::Deliver { sequence_id, deliver } = &e {
                    self.session.ack_deliver(*sequence_id, deliver.msg_id, 0);
                }
                self.events.push(e);
            }
        }
        while let Some(bytes) = self.session.poll_transmit() {
            self.stream.write_all(&bytes).await.unwrap();
        }
    }
}
