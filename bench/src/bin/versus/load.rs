//! The load generator: N HTTP/1.1 requests over C keep-alive connections, as `ab -k -c C`
//! does. A small client of our own (request out, head in, body by Content-Length or chunks)
//! so the generator costs little CPU and the same for both peers.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::timeline::{Moment, Timeline};

/// Builds the request bytes for message number `i` (the peer's own API).
pub(crate) type MakeRequest = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

/// What the load produced.
#[derive(Debug, Default)]
pub(crate) struct LoadOutcome {
    /// Requests answered 2xx.
    pub(crate) ok: u64,
    /// Requests answered otherwise, or lost to a broken connection.
    pub(crate) failed: u64,
    /// The first few failures, for the operator to read.
    pub(crate) samples: Vec<String>,
    /// When the first request was written.
    pub(crate) started: Option<Instant>,
}

/// One answer: status and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The server said `Connection: close` (or gave no length): reconnect.
    pub(crate) close: bool,
}

/// Sends `total` requests from `concurrency` connections, marking when each was written in
/// `timeline`; returns when all are answered.
pub(crate) async fn run(
    addr: SocketAddr,
    total: u64,
    concurrency: usize,
    make: MakeRequest,
    timeline: Arc<Timeline>,
) -> LoadOutcome {
    let next = Arc::new(AtomicU64::new(0));
    let outcome = Arc::new(Mutex::new(LoadOutcome { started: Some(Instant::now()), ..LoadOutcome::default() }));
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (next, outcome, make) = (Arc::clone(&next), Arc::clone(&outcome), Arc::clone(&make));
        let timeline = Arc::clone(&timeline);
        workers.spawn(async move { worker(addr, total, (&next, &timeline), &outcome, &make).await });
    }
    while workers.join_next().await.is_some() {}
    let mut done = outcome.lock().expect("load outcome");
    std::mem::take(&mut *done)
}

async fn worker(
    addr: SocketAddr,
    total: u64,
    (next, timeline): (&AtomicU64, &Timeline),
    outcome: &Mutex<LoadOutcome>,
    make: &MakeRequest,
) {
    let mut conn: Option<BufReader<TcpStream>> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= total {
            return;
        }
        let request = make(i);
        timeline.mark(Moment::Sent, i);
        let answer = exchange(&mut conn, addr, &request).await;
        let mut o = outcome.lock().expect("load outcome");
        match answer {
            Ok(a) if (200..300).contains(&a.status) => o.ok += 1,
            Ok(a) => fail(&mut o, format!("HTTP {}: {}", a.status, String::from_utf8_lossy(&a.body))),
            Err(e) => fail(&mut o, format!("request {i}: {e}")),
        }
    }
}

fn fail(o: &mut LoadOutcome, what: String) {
    o.failed += 1;
    if o.samples.len() < 5 {
        o.samples.push(what);
    }
}

/// One request on the kept-alive connection, opening it when needed. A broken connection is
/// dropped (the next request opens a new one) and this request counts as failed: it is not
/// re-sent, since the server may have taken it.
async fn exchange(
    conn: &mut Option<BufReader<TcpStream>>,
    addr: SocketAddr,
    request: &[u8],
) -> std::io::Result<Answer> {
    if conn.is_none() {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        *conn = Some(BufReader::with_capacity(16 * 1024, stream));
    }
    let stream = conn.as_mut().expect("just opened");
    let result = async {
        stream.get_mut().write_all(request).await?;
        read_answer(stream).await
    }
    .await;
    if !matches!(&result, Ok(a) if !a.close) {
        *conn = None;
    }
    result
}

/// Reads one response: the head, then the body by Content-Length, by chunks, or to the end.
pub(crate) async fn read_answer(stream: &mut BufReader<TcpStream>) -> std::io::Result<Answer> {
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP status line: {line:?}")))?;
    let (mut length, mut chunked, mut close) = (None, false, false);
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::other("connection closed inside the response head"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else { continue };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.parse::<usize>().ok(),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
    }
    let body = match (length, chunked) {
        (_, true) => read_chunked(stream).await?,
        (Some(n), false) => {
            let mut body = vec![0; n];
            stream.read_exact(&mut body).await?;
            body
        }
        (None, false) => {
            close = true;
            let mut body = Vec::new();
            stream.read_to_end(&mut body).await?;
            body
        }
    };
    Ok(Answer { status, body, close })
}

async fn read_chunked(stream: &mut BufReader<TcpStream>) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        stream.read_line(&mut line).await?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
            .map_err(|_| std::io::Error::other(format!("bad chunk size {line:?}")))?;
        if size == 0 {
            // The trailer section ends with its own empty line.
            loop {
                line.clear();
                if stream.read_line(&mut line).await? == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        // The chunk and its CRLF, which is then cut off.
        let start = body.len();
        body.resize(start + size + 2, 0);
        stream.read_exact(&mut body[start..]).await?;
        body.truncate(start + size);
    }
}

/// One GET or POST on a fresh connection, for readiness checks.
pub(crate) async fn once(addr: SocketAddr, request: &[u8]) -> std::io::Result<Answer> {
    let mut conn = None;
    exchange(&mut conn, addr, request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A server that answers every request on a connection with `answer`, reading requests
    /// by their blank line (the tests send no bodies); counts requests and connections.
    async fn canned(answer: &'static [u8]) -> (SocketAddr, Arc<AtomicU64>, Arc<AtomicU64>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (seen, conns) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (count, accepted) = (Arc::clone(&seen), Arc::clone(&conns));
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::Relaxed);
                let count = Arc::clone(&count);
                tokio::spawn(async move {
                    let mut stream = BufReader::new(stream);
                    let mut line = String::new();
                    while stream.read_line(&mut line).await.unwrap_or(0) > 0 {
                        if line == "\r\n" {
                            count.fetch_add(1, Ordering::Relaxed);
                            stream.get_mut().write_all(answer).await.unwrap();
                        }
                        line.clear();
                    }
                });
            }
        });
        (addr, seen, conns)
    }

    fn get() -> MakeRequest {
        Arc::new(|i| format!("GET /{i} HTTP/1.1\r\nHost: x\r\n\r\n").into_bytes())
    }

    #[tokio::test]
    async fn every_request_is_answered_on_kept_alive_connections() {
        let (addr, seen, conns) = canned(b"HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok").await;
        let outcome = run(addr, 300, 7, get(), Arc::new(Timeline::new(300))).await;
        assert_eq!((outcome.ok, outcome.failed), (300, 0));
        assert_eq!(seen.load(Ordering::Relaxed), 300);
        assert_eq!(conns.load(Ordering::Relaxed), 7, "one connection per worker, kept alive");
    }

    #[tokio::test]
    async fn chunked_bodies_are_read_to_their_end_and_the_next_answer_follows() {
        let (addr, _, _) =
            canned(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").await;
        let outcome = run(addr, 50, 2, get(), Arc::new(Timeline::new(50))).await;
        assert_eq!((outcome.ok, outcome.failed), (50, 0), "{:?}", outcome.samples);
    }

    #[tokio::test]
    async fn refusals_are_counted_as_failures_with_their_text() {
        let (addr, _, _) = canned(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 6\r\n\r\ndenied").await;
        let outcome = run(addr, 20, 3, get(), Arc::new(Timeline::new(20))).await;
        assert_eq!((outcome.ok, outcome.failed), (0, 20));
        assert_eq!(outcome.samples[0], "HTTP 403: denied");
    }

    #[tokio::test]
    async fn a_peer_that_is_not_there_fails_every_request() {
        let port = crate::peers::free_port().unwrap();
        let outcome = run(SocketAddr::from(([127, 0, 0, 1], port)), 5, 2, get(), Arc::new(Timeline::new(5))).await;
        assert_eq!((outcome.ok, outcome.failed), (0, 5));
    }
}
