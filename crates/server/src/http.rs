//! The HTTP listener (plain or TLS) in front of the API and the console.
//!
//! Why not `axum::serve`: it has no time-outs and no connection limit, so a client that sends
//! its headers or body one byte at a time holds a connection for as long as it likes, and a
//! few thousand such clients exhaust the process's descriptors (then `/healthz`, sends and SMPP
//! binds hang alike). Here every connection is bounded:
//!
//! - the listener ([`hongyan_net::Listener`]) refuses connections over its limits at once with
//!   a 503 and backs off when `accept` fails;
//! - hyper's header-read timer cuts a request whose head is late, and (hyper starts it again
//!   after each answer) an idle keep-alive connection;
//! - [`Deadline`] cuts a body that has not fully arrived within `body_timeout` (answer 408);
//! - at shutdown, connections get `shutdown_grace` to finish their request, then are cut.
//!
//! Requests whose URI or headers are too large are refused by the API's own layer (414, 431
//! in its JSON shape), well below hyper's limits (64 KiB URIs, ~400 KiB heads), past which
//! hyper answers with an empty body before any of our code runs.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, Response, StatusCode};
use axum::Router;
use hongyan_config::Network;
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// What a connection over the limits reads before it is closed.
fn refusal() -> Vec<u8> {
    let body = r#"{"error":{"code":"too_many_connections","message":"too many open connections; try again later"}}"#;
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
         connection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Serves `app` until `stop` resolves, then gives open connections `shutdown_grace` to finish.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    tls: Option<hongyan_net::ServerTls>,
    app: Router,
    net: Network,
    stop: impl Future<Output = ()>,
) {
    let limits = hongyan_net::ConnLimits { total: net.max_connections, per_source: net.max_connections_per_source };
    let mut listener = hongyan_net::Listener::new(listener, "http", limits);
    if tls.is_none() {
        listener = listener.with_refusal(&refusal());
    }
    let (closing, closing_rx) = watch::channel(false);
    let mut conns = JoinSet::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                conns.spawn(connection(accepted, tls.clone(), app.clone(), net, closing_rx.clone()));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
            () = &mut stop => break,
        }
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(net.shutdown_grace, async { while conns.join_next().await.is_some() {} });
    if drained.await.is_err() {
        tracing::warn!(open = conns.len(), grace = ?net.shutdown_grace, "HTTP connections still open at the deadline: cut");
        conns.shutdown().await;
    }
}

async fn connection(
    accepted: hongyan_net::Accepted,
    tls: Option<hongyan_net::ServerTls>,
    app: Router,
    net: Network,
    closing: watch::Receiver<bool>,
) {
    let hongyan_net::Accepted { stream, peer, permit: _permit } = accepted;
    let service = TowerToHyperService::new(tower::service_fn(move |req| handle(app.clone(), peer, net, req)));
    match hongyan_net::NetStream::accepted(stream, tls.as_ref(), net.header_timeout).await {
        Ok(stream) => drive(TokioIo::new(stream), service, net, closing, peer).await,
        Err(e) => tracing::debug!(%peer, error = %e, "connection dropped before HTTP"),
    }
}

/// Runs one HTTP/1.1 connection; when the server starts closing, it ends after the request in
/// progress (the caller cuts it at the deadline).
async fn drive<I, S>(io: I, service: S, net: Network, mut closing: watch::Receiver<bool>, peer: SocketAddr)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::Service<Request<Incoming>, Response = Response<Body>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(net.header_timeout)
        .serve_connection(io, service);
    tokio::pin!(conn);
    let ended = tokio::select! {
        ended = conn.as_mut() => ended,
        () = closed(&mut closing) => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = ended {
        tracing::debug!(%peer, error = %e, "HTTP connection ended");
    }
}

/// Resolves once the server starts closing (or is gone).
async fn closed(closing: &mut watch::Receiver<bool>) {
    let _ = closing.wait_for(|c| *c).await.map(drop);
}

/// One request: the body's deadline, the peer's address for the router.
async fn handle(
    app: Router,
    peer: SocketAddr,
    net: Network,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let late = Arc::new(AtomicBool::new(false));
    let mut req = req.map(|body| Body::new(Deadline::new(body, net.body_timeout, late.clone())));
    req.extensions_mut().insert(ConnectInfo(peer));
    let Ok(resp) = app.oneshot(req).await;
    if late.load(Ordering::SeqCst) {
        let message = format!("the request body did not arrive within {} ms", net.body_timeout.as_millis());
        return Ok(error(StatusCode::REQUEST_TIMEOUT, "request_timeout", &message));
    }
    Ok(resp)
}

/// The API's error shape, for answers given before the router.
fn error(status: StatusCode, code: &str, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": { "code": code, "message": message } }).to_string();
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = status;
    resp.headers_mut().insert(axum::http::header::CONTENT_TYPE, "application/json".parse().expect("static"));
    if status == StatusCode::REQUEST_TIMEOUT {
        resp.headers_mut().insert(axum::http::header::CONNECTION, "close".parse().expect("static"));
    }
    resp
}

/// A request body that fails once its deadline passes, and says so through `late`.
struct Deadline {
    inner: Incoming,
    timer: Pin<Box<tokio::time::Sleep>>,
    late: Arc<AtomicBool>,
}

impl Deadline {
    fn new(inner: Incoming, limit: Duration, late: Arc<AtomicBool>) -> Self {
        Self { inner, timer: Box::pin(tokio::time::sleep(limit)), late }
    }
}

impl hyper::body::Body for Deadline {
    type Data = hyper::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => Poll::Ready(frame.map(|f| f.map_err(Into::into))),
            Poll::Pending if this.timer.as_mut().poll(cx).is_ready() => {
                this.late.store(true, Ordering::SeqCst);
                Poll::Ready(Some(Err("request body deadline passed".into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}
