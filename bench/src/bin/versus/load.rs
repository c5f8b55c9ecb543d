//! The load generator: N HTTP/1.1 requests over C keep-alive connections, as `ab -k -c C`
//! does, flat out or paced. A small client of our own (request out, head in, body by
//! Content-Length or chunks) so the generator costs little CPU and the same for both peers.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::timeline::{Moment, Timeline};

/// Builds the request bytes for request number `i` (the peer's own API).
pub(crate) type MakeRequest = Arc<dyn Fn(u64) -> Vec<u8> + Send + Sync>;

/// What the load produced.
#[derive(Debug, Default)]
pub(crate) struct LoadOutcome {
    /// Requests answered 2xx.
    pub(crate) ok: u64,
    /// Requests answered otherwise, or lost to a broken connection.
    pub(crate) failed: u64,
    /// Numbers Hongyan's answers (JSON) counted `accepted`.
    pub(crate) accepted: u64,
    /// Numbers they counted `rejected` or `duplicates`.
    pub(crate) refused: u64,
    /// The first few failures, for the operator to read.
    pub(crate) samples: Vec<String>,
    /// When the first request was written.
    pub(crate) started: Option<Instant>,
    /// When the last answer was read.
    pub(crate) last_answer: Option<Instant>,
    /// Request number → its time from written to answered.
    pub(crate) answers: Vec<(u64, Duration)>,
    /// The most a paced request went out after its due time (the generator fell behind).
    pub(crate) most_behind: Duration,
}

/// One answer: status and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    /// The server said `Connection: close` (or gave no length): reconnect.
    pub(crate) close: bool,
}

/// The shape of a load.
#[derive(Clone, Default)]
pub(crate) struct Plan {
    /// Requests to send (at most, when `stop` ends it first).
    pub(crate) requests: u64,
    /// Connections, each sending its next request when the last is answered.
    pub(crate) concurrency: usize,
    /// Messages (numbers) per request: request `i` carries messages `first + i × per` on.
    pub(crate) per_request: u64,
    /// The first message's index in the timeline.
    pub(crate) first: u64,
    /// Paced: request `i` is due `i × interval` after the start; flat out when `None`.
    pub(crate) interval: Option<Duration>,
    /// Set by the caller to stop sending (a load that lasts as long as another one).
    pub(crate) stop: Option<Arc<AtomicBool>>,
}

impl Plan {
    /// `requests` single-message requests, flat out.
    pub(crate) fn flat(requests: u64, concurrency: usize) -> Self {
        Self { requests, concurrency, per_request: 1, ..Self::default() }
    }
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
    run_plan(addr, Plan::flat(total, concurrency), make, timeline).await
}

/// Sends the requests of `plan`; returns when all that were sent are answered.
pub(crate) async fn run_plan(addr: SocketAddr, plan: Plan, make: MakeRequest, timeline: Arc<Timeline>) -> LoadOutcome {
    let next = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let outcome = Arc::new(Mutex::new(LoadOutcome { started: Some(start), ..LoadOutcome::default() }));
    let plan = Arc::new(plan);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..plan.concurrency {
        let (next, outcome, make) = (Arc::clone(&next), Arc::clone(&outcome), Arc::clone(&make));
        let (timeline, plan) = (Arc::clone(&timeline), Arc::clone(&plan));
        workers.spawn(async move { worker(addr, (&plan, start), (&next, &timeline), &outcome, &make).await });
    }
    while workers.join_next().await.is_some() {}
    let mut done = outcome.lock().expect("load outcome");
    std::mem::take(&mut *done)
}

async fn worker(
    addr: SocketAddr,
    (plan, start): (&Plan, Instant),
    (next, timeline): (&AtomicU64, &Timeline),
    outcome: &Mutex<LoadOutcome>,
    make: &MakeRequest,
) {
    let mut conn: Option<BufReader<TcpStream>> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= plan.requests || plan.stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed)) {
            return;
        }
        let request = make(i);
        let behind = match plan.interval {
            Some(every) => wait_due(start + every * u32::try_from(i).unwrap_or(u32::MAX)).await,
            None => Duration::ZERO,
        };
        let written = Instant::now();
        let first = plan.first + i * plan.per_request;
        for m in first..first + plan.per_request {
            timeline.mark(Moment::Sent, m);
        }
        let answer = exchange(&mut conn, addr, &request).await;
        let mut o = outcome.lock().expect("load outcome");
        o.last_answer = Some(Instant::now());
        o.answers.push((i, written.elapsed()));
        o.most_behind = o.most_behind.max(behind);
        match answer {
            Ok(a) if (200..300).contains(&a.status) => {
                o.ok += 1;
                count_numbers(&mut o, &a.body);
            }
            Ok(a) => fail(&mut o, format!("HTTP {}: {}", a.status, String::from_utf8_lossy(&a.body))),
            Err(e) => fail(&mut o, format!("request {i}: {e}")),
        }
    }
}

/// Sleeps until `due`; how late it already was.
async fn wait_due(due: Instant) -> Duration {
    let now = Instant::now();
    if due > now {
        tokio::time::sleep_until(due.into()).await;
        return Duration::ZERO;
    }
    now - due
}

/// Hongyan's answer counts its numbers: `accepted`, `rejected`, `duplicates`. Kannel's is
/// text, and counts nothing here.
fn count_numbers(o: &mut LoadOutcome, body: &[u8]) {
    if body.first() != Some(&b'{') {
        return;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else { return };
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    o.accepted += n("accepted");
    let refused = n("rejected") + n("duplicates");
    if refused > 0 {
        o.refused += refused;
        if o.samples.len() < 5 {
            let first = v["results"].as_array().and_then(|r| r.iter().find(|r| r["status"] != "accepted")).cloned();
            o.samples.push(format!("{refused} numbers refused, first: {}", first.unwrap_or_default()));
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
    async fn a_paced_load_keeps_its_pace_and_marks_every_number_of_a_request() {
        let (addr, seen, _) =
            canned(b"HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n{\"accepted\":3,\"rejected\":1,\"duplicates\":0}")
                .await;
        let timeline = Arc::new(Timeline::new(100));
        let plan = Plan { interval: Some(Duration::from_millis(10)), per_request: 4, ..Plan::flat(20, 3) };
        let began = Instant::now();
        let outcome = run_plan(addr, plan, get(), Arc::clone(&timeline)).await;
        assert!(began.elapsed() >= Duration::from_millis(190), "request 19 is due at 190 ms: {:?}", began.elapsed());
        assert_eq!(seen.load(Ordering::Relaxed), 20);
        assert_eq!((outcome.ok, outcome.accepted, outcome.refused), (20, 60, 20));
        assert_eq!(outcome.answers.len(), 20);
        assert_eq!(timeline.count_in(Moment::Sent, 0..100), 80, "4 numbers per request");
    }

    #[tokio::test]
    async fn a_load_ends_early_when_told_to_stop() {
        let (addr, seen, _) = canned(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await;
        let stop = Arc::new(AtomicBool::new(false));
        let plan =
            Plan { interval: Some(Duration::from_millis(10)), stop: Some(Arc::clone(&stop)), ..Plan::flat(1000, 2) };
        let load = tokio::spawn(run_plan(addr, plan, get(), Arc::new(Timeline::new(1000))));
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.store(true, Ordering::Relaxed);
        let outcome = load.await.unwrap();
        assert!(outcome.ok < 30 && seen.load(Ordering::Relaxed) == outcome.ok, "{}", outcome.ok);
    }

    #[tokio::test]
    async fn a_peer_that_is_not_there_fails_every_request() {
        let port = crate::peers::free_port().unwrap();
        let outcome = run(SocketAddr::from(([127, 0, 0, 1], port)), 5, 2, get(), Arc::new(Timeline::new(5))).await;
        assert_eq!((outcome.ok, outcome.failed), (0, 5));
    }
}
