use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

use super::{LogGate, LOG_EVERY};
use crate::{ConnLimits, Listener};

#[test]
fn a_repeated_error_is_logged_once_per_period_with_the_count_held_back() {
    let mut gate = LogGate::default();
    let t0 = Instant::now();
    assert_eq!(gate.open(t0), Some(0));
    for i in 1..=1000 {
        assert_eq!(gate.open(t0 + Duration::from_millis(i)), None);
    }
    assert_eq!(gate.open(t0 + LOG_EVERY), Some(1000));
}

#[tokio::test]
async fn a_source_over_its_share_gets_the_refusal_and_a_closed_socket_while_others_get_in() {
    let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = inner.local_addr().unwrap();
    let mut listener = Listener::new(inner, "test", ConnLimits { total: 10, per_source: 2 }).with_refusal(b"busy\n");
    let stats = listener.stats();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            held.push(listener.accept().await);
        }
    });
    let _a = TcpStream::connect(addr).await.unwrap();
    let _b = TcpStream::connect(addr).await.unwrap();
    let mut c = TcpStream::connect(addr).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut answer)).await.expect("closed at once").unwrap();
    assert_eq!(answer, b"busy\n");
    let s = stats.snapshot();
    assert_eq!((s.open, s.accepted, s.refused), (2, 2, 1));
    assert!(crate::all_stats().iter().any(|x| x.name == "test" && x.refused == 1));
    server.abort();
}
