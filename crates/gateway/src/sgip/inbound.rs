//! The SGIP server the Unicom SMG connects to (Login Type 2) to deliver Reports and MO.
//!
//! Each accepted connection runs a sans-I/O `ServerSession`. A Report is answered only after
//! the engine has stored it; if storing fails it is not answered, and the SMG sends it again.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hongyan_engine::Engine;
use hongyan_sgip_proto::session::SessionConfig;
use hongyan_sgip_proto::{Request, ResultCode, ServerEvent, ServerSession};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::time::{sleep_until, Instant};

use super::adapter::kind;
use super::map;
use crate::adapter::Mo;

/// Who may bind to us, and what to call the channel in reports.
#[derive(Debug, Clone)]
pub(crate) struct Inbound {
    pub(crate) channel: String,
    pub(crate) login_name: String,
    pub(crate) password: String,
    pub(crate) session: SessionConfig,
    /// Our access number, so that a reply's extension code can be read off its SPNumber.
    pub(crate) sp_number: String,
    /// Our certificate, when the SMG connects in TLS.
    pub(crate) tls: Option<hongyan_net::ServerTls>,
}

/// Serves the SGIP listener until shutdown.
pub(crate) async fn serve_inbound(
    addr: SocketAddr,
    inbound: Inbound,
    engine: Arc<Engine>,
    mut shutdown: watch::Receiver<bool>,
) {
    let listener = match TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(channel = %inbound.channel, %addr, error = %e, "cannot listen for the SGIP gateway; reports will not arrive");
            return;
        }
    };
    let tls = inbound.tls.is_some();
    tracing::info!(channel = %inbound.channel, %addr, tls, "listening for the SGIP gateway's reports and MO");
    let mut listener = hongyan_net::Listener::new(listener, "sgip-inbound", hongyan_net::ConnLimits::default());
    let inbound = Arc::new(inbound);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let hongyan_net::Accepted { stream, peer, permit } = accepted;
                let (inbound, engine, stop) = (inbound.clone(), engine.clone(), shutdown.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    let stream = hongyan_net::NetStream::accepted(stream, inbound.tls.as_ref(), hongyan_net::HANDSHAKE_LIMIT);
                    let ended = match stream.await {
                        Ok(stream) => connection(stream, &inbound, &engine, stop).await,
                        Err(e) => Err(e),
                    };
                    if let Err(e) = ended {
                        tracing::debug!(channel = %inbound.channel, %peer, error = %e, "SGIP inbound connection ended");
                    }
                });
            }
            _ = shutdown.changed() => return,
        }
    }
}

async fn connection<S: AsyncRead + AsyncWrite>(
    stream: S,
    inbound: &Inbound,
    engine: &Engine,
    mut shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let (mut rd, mut wr) = tokio::io::split(stream);
    let mut session = ServerSession::new(inbound.session.clone(), Instant::now().into_std());
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        handle_events(&mut session, inbound, engine).await;
        while let Some(bytes) = session.poll_transmit() {
            wr.write_all(&bytes).await?;
        }
        if session.is_closed() {
            return Ok(());
        }
        let wake =
            session.poll_timeout().map(Instant::from_std).unwrap_or_else(|| Instant::now() + Duration::from_secs(60));
        tokio::select! {
            n = rd.read(&mut buf) => match n? {
                0 => return Ok(()),
                n => if let Err(e) = session.handle_input(&buf[..n], Instant::now().into_std()) {
                    tracing::warn!(channel = %inbound.channel, error = %e, "SGIP inbound: untrusted frame length; closing");
                },
            },
            _ = sleep_until(wake) => session.handle_timeout(Instant::now().into_std()),
            _ = shutdown.changed() => session.close(),
        }
    }
}

async fn handle_events(session: &mut ServerSession, inbound: &Inbound, engine: &Engine) {
    let mut reports = Vec::new();
    let mut acks = Vec::new();
    while let Some(event) = session.poll_event() {
        match event {
            ServerEvent::BindRequest { sequence, bind } => {
                let ok = bind.verify(inbound.login_name.as_bytes(), inbound.password.as_bytes());
                session.answer_bind(sequence, if ok { ResultCode::OK } else { ResultCode::ILLEGAL_LOGIN });
                tracing::info!(channel = %inbound.channel, accepted = ok, "SGIP gateway bound to us");
            }
            ServerEvent::Request { sequence, request: Request::Report(r) } => {
                match map::report(&inbound.channel, &r, engine.clock().now()) {
                    Some(report) => {
                        reports.push(report);
                        acks.push(sequence);
                    }
                    None => {
                        session.ack(sequence, ResultCode::OK);
                    }
                }
            }
            ServerEvent::Request { sequence, request: Request::Deliver(d) } => {
                let coding = d.message_coding.0;
                let mo = Mo::from_pdu(
                    &d.user_number,
                    &d.sp_number,
                    &inbound.sp_number,
                    coding,
                    d.tp_udhi != 0,
                    &d.message_content,
                );
                // Acknowledged only once acted on; otherwise the SMG sends it again.
                match engine.mo(mo.arrived_on(&inbound.channel)).await {
                    Ok(_) => {
                        session.ack(sequence, ResultCode::OK);
                    }
                    Err(e) => {
                        tracing::error!(channel = %inbound.channel, error = %e, "could not act on an SGIP reply; not acknowledged")
                    }
                }
            }
            ServerEvent::Request { sequence, request } => {
                tracing::info!(channel = %inbound.channel, what = kind(&request), "acknowledged without handling (not built yet)");
                session.ack(sequence, ResultCode::OK);
            }
            ServerEvent::Malformed { error } => {
                tracing::warn!(channel = %inbound.channel, %error, "malformed SGIP PDU")
            }
            other => tracing::debug!(channel = %inbound.channel, event = ?other, "SGIP inbound event"),
        }
    }
    if reports.is_empty() {
        return;
    }
    match engine.reports(reports).await {
        Ok(_) => acks.into_iter().for_each(|s| {
            session.ack(s, ResultCode::OK);
        }),
        Err(e) => {
            tracing::error!(channel = %inbound.channel, error = %e, "could not store SGIP reports; not acknowledged")
        }
    }
}
