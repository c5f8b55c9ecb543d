//! The HTTP receiver for delivery reports: Hongyan's callback POSTs (a JSON array of events
//! per request) and Kannel's dlr-url GETs (one per report). It counts each handset number
//! reported delivered once, so a batch delivered twice (Hongyan's callbacks are at least
//! once) is not counted twice, and remembers when the latest new one arrived.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use crate::timeline::{Moment, Timeline};

/// What the receiver has seen.
#[derive(Debug)]
pub(crate) struct Reports {
    epoch: Instant,
    /// When each message's report arrived.
    timeline: Arc<Timeline>,
    /// Numbers reported delivered; std Mutex, never held across an await.
    delivered: Mutex<HashSet<String>>,
    count: AtomicU64,
    last_ns: AtomicU64,
    /// Requests: callback POSTs or dlr-url GETs.
    pub(crate) requests: AtomicU64,
}

impl Reports {
    pub(crate) fn new(timeline: Arc<Timeline>) -> Self {
        Self {
            epoch: Instant::now(),
            timeline,
            delivered: Mutex::default(),
            count: AtomicU64::new(0),
            last_ns: AtomicU64::new(0),
            requests: AtomicU64::new(0),
        }
    }

    /// Distinct numbers reported delivered so far.
    pub(crate) fn delivered(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// When the latest new number was reported.
    pub(crate) fn last(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.last_ns.load(Ordering::Relaxed))
    }

    /// Forgets what an earlier peer's run reported.
    pub(crate) fn reset(&self) {
        self.delivered.lock().expect("reports").clear();
        self.count.store(0, Ordering::Relaxed);
        self.requests.store(0, Ordering::Relaxed);
    }

    fn record(&self, numbers: impl IntoIterator<Item = String>) {
        let mut seen = self.delivered.lock().expect("reports");
        let mut new = 0;
        for number in numbers {
            if !seen.contains(&number) {
                self.timeline.mark_number(Moment::Reported, number.as_bytes());
                seen.insert(number);
                new += 1;
            }
        }
        if new > 0 {
            let at = u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.last_ns.fetch_max(at, Ordering::Relaxed);
            self.count.fetch_add(new, Ordering::Relaxed);
        }
    }
}

/// Listens on 127.0.0.1 (a free port) until the runtime ends.
pub(crate) async fn start(reports: Arc<Reports>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let reports = Arc::clone(&reports);
            tokio::spawn(async move {
                let _ = serve(stream, &reports).await;
            });
        }
    });
    Ok(addr)
}

async fn serve(stream: TcpStream, reports: &Reports) -> std::io::Result<()> {
    let mut stream = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let target = line.split(' ').nth(1).unwrap_or("").to_owned();
        let mut length = 0;
        loop {
            line.clear();
            if stream.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            if line.trim_end().is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await?;
        reports.requests.fetch_add(1, Ordering::Relaxed);
        reports.record(delivered_numbers(&target, &body));
        stream.get_mut().write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").await?;
    }
}

/// The numbers a request reports delivered: `to` of each `"delivered": true` report event in
/// a JSON array body (Hongyan), or the `to` query value when `type=1` (Kannel's dlr-url).
fn delivered_numbers(target: &str, body: &[u8]) -> Vec<String> {
    if let Ok(serde_json::Value::Array(events)) = serde_json::from_slice(body) {
        return events
            .iter()
            .filter(|e| e["type"] == "report" && e["delivered"] == true)
            .filter_map(|e| e["to"].as_str().map(str::to_owned))
            .collect();
    }
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let field = |key: &str| query.split('&').find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='));
    match (field("type"), field("to")) {
        (Some("1"), Some(to)) => vec![to.trim_start_matches("%2B").trim_start_matches('+').to_owned()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hongyan_events_and_kannel_queries_name_the_delivered_numbers() {
        let body = br#"[{"type":"report","to":"13800000001","delivered":true},
            {"type":"report","to":"13800000002","delivered":false},{"type":"mo","to":"1069"}]"#;
        assert_eq!(delivered_numbers("/cb", body), ["13800000001"]);
        assert_eq!(delivered_numbers("/dlr?to=13800000003&type=1", b""), ["13800000003"]);
        assert!(delivered_numbers("/dlr?to=13800000003&type=8", b"").is_empty());
    }

    #[test]
    fn a_number_reported_twice_counts_once() {
        let r = Reports::new(Arc::new(Timeline::new(3)));
        r.record(["1".to_owned(), "2".to_owned()]);
        r.record(["2".to_owned()]);
        assert_eq!(r.delivered(), 2);
    }
}
