//! A listener's connections in TLS: one that finishes the handshake talks, one that says
//! nothing is cut off at the limit, and a listener without a certificate passes TCP through.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use hongyan_net::{Dialer, NetStream, ServerTls, TlsTarget, Trust};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A self-signed certificate for 127.0.0.1 in a fresh folder: (certificate, key).
fn self_signed(tag: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("hongyan-net-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let args = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=listener"];
    let made = Command::new("openssl")
        .args(args)
        .args([
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem",
        ])
        .current_dir(&dir)
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(made.success());
    (dir.join("cert.pem"), dir.join("key.pem"))
}

async fn one_accept(listener: &TcpListener) -> TcpStream {
    listener.accept().await.unwrap().0
}

fn trusting(cert: &Path) -> TlsTarget {
    TlsTarget::new(Trust::with_ca_files(&[cert.to_path_buf()]).unwrap(), "127.0.0.1").unwrap()
}

#[tokio::test]
async fn a_tls_client_talks_and_a_silent_one_is_cut_off_at_the_limit() {
    let (cert, key) = self_signed("accepted");
    let certificate = ServerTls::load(&cert, &key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();

    let dialer = Dialer { addr, tls: Some(trusting(&cert)) };
    let client = tokio::spawn(async move {
        let mut stream = dialer.connect(Duration::from_secs(5)).await.unwrap();
        stream.write_all(b"ping").await.unwrap();
        let mut answer = [0u8; 4];
        stream.read_exact(&mut answer).await.unwrap();
        answer
    });
    let mut served = NetStream::accepted(one_accept(&listener).await, Some(&certificate), Duration::from_secs(5))
        .await
        .expect("the handshake completes");
    assert!(matches!(served, NetStream::TlsIn(_)));
    let mut heard = [0u8; 4];
    served.read_exact(&mut heard).await.unwrap();
    served.write_all(b"pong").await.unwrap();
    assert_eq!((&heard, &client.await.unwrap()), (b"ping", b"pong"));

    let _silent = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let cut = NetStream::accepted(one_accept(&listener).await, Some(&certificate), Duration::from_millis(300)).await;
    let error = cut.expect_err("a peer that never starts the handshake does not get a stream");
    assert_eq!(error.kind(), std::io::ErrorKind::TimedOut, "{error}");
    assert!(started.elapsed() < Duration::from_secs(3), "cut off at the limit, not later");
}

#[tokio::test]
async fn without_a_certificate_the_connection_is_plain_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut client = Dialer::tcp(addr).connect(Duration::from_secs(5)).await.unwrap();
    let served = NetStream::accepted(one_accept(&listener).await, None, Duration::from_secs(1)).await.unwrap();
    let NetStream::Plain(mut tcp) = served else { panic!("plain expected") };
    client.write_all(b"hi").await.unwrap();
    let mut heard = [0u8; 2];
    tcp.read_exact(&mut heard).await.unwrap();
    assert_eq!(&heard, b"hi");
}
