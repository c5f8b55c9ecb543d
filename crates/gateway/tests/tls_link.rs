//! A carrier link in TLS: the channel's gateway sits behind a TLS front (a certificate made by
//! openssl, as a carrier's own CA would issue), and the link checks it against the channel's
//! CA file before it logs in. A certificate the link does not trust keeps the link down: no
//! login, no submit, the message waits. An SGIP channel in TLS is in TLS both ways: the
//! Unicom gateway's own connections, which bring the reports, come in TLS too, and one in
//! clear is refused.

mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hongyan_gateway::run_channel;
use hongyan_net::{NetStream, ServerTls, TlsTarget, Trust};
use hongyan_sim::cmpp::{CmppSim, CmppSimConfig};
use hongyan_sim::sgip::{SgipAccount, SgipSim, SgipSimConfig};
use hongyan_sim::{Counters, ReportBook};
use hongyan_store::MessageStatus;
use hongyan_types::Category;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// A carrier's own CA and a gateway certificate it issued for `ismg.test` and 127.0.0.1, in
/// `dir`: (CA certificate, gateway certificate, gateway key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let f = |name: &str| dir.join(name);
    std::fs::write(f("ext"), "subjectAltName=IP:127.0.0.1,DNS:ismg.test\nbasicConstraints=CA:FALSE\n").unwrap();
    let new_key = ["-newkey", "rsa:2048", "-nodes", "-keyout"];
    let steps: [&[&[&str]]; 3] = [
        &[&["req", "-x509", "-days", "2", "-subj", "/CN=carrier-ca", "-out", "ca.pem"], &new_key, &["ca.key"]],
        &[&["req", "-subj", "/CN=ismg.test", "-out", "gw.csr"], &new_key, &["gw.key"]],
        &[
            &["x509", "-req", "-in", "gw.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"],
            &["-days", "2", "-extfile", "ext", "-out", "gw.pem"],
        ],
    ];
    for step in steps {
        let args = step.concat();
        let made =
            Command::new("openssl").args(&args).current_dir(dir).stderr(Stdio::null()).status().expect("openssl");
        assert!(made.success(), "openssl {args:?}");
    }
    (f("ca.pem"), f("gw.pem"), f("gw.key"))
}

/// Handshakes the front completed and refused.
#[derive(Default)]
struct Handshakes {
    done: AtomicU32,
    failed: AtomicU32,
}

/// Terminates TLS on its own port and passes the bytes to the simulator at `behind`.
async fn tls_front(cert: &Path, key: &Path, behind: SocketAddr) -> (SocketAddr, Arc<Handshakes>) {
    let certificate = ServerTls::load(cert, key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Handshakes::default());
    let counts = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (certificate, counts) = (certificate.clone(), counts.clone());
            tokio::spawn(async move {
                let Ok(mut tls) = NetStream::accepted(tcp, Some(&certificate), Duration::from_secs(5)).await else {
                    counts.failed.fetch_add(1, Ordering::Relaxed);
                    return;
                };
                counts.done.fetch_add(1, Ordering::Relaxed);
                let mut plain = tokio::net::TcpStream::connect(behind).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (addr, seen)
}

/// The CMPP simulator (SP 901234, secret "s") on plain TCP.
async fn simulator() -> (SocketAddr, Arc<CmppSim>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let cfg = CmppSimConfig {
        accounts: HashMap::from([("901234".to_owned(), "s".to_owned())]),
        scenario: hongyan_sim::Scenario { report_delay: Duration::from_millis(20), ..Default::default() },
        gateway_code: 1001,
        session: Default::default(),
    };
    let sim = CmppSim::new(cfg, ReportBook::in_memory());
    let (stop, rx) = watch::channel(false);
    std::mem::forget(stop);
    tokio::spawn(sim.clone().serve(listener, rx));
    (addr, sim)
}

async fn status_after(p: &support::Platform, id: hongyan_store::MessageId, wanted: MessageStatus) -> MessageStatus {
    let mut status = MessageStatus::Accepted;
    for _ in 0..100 {
        status = p.store.get_message(p.account, id).await.unwrap().unwrap().status;
        if status == wanted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    status
}

#[tokio::test]
async fn a_link_in_tls_checked_against_the_channels_ca_delivers_and_reports() {
    let mut p = support::platform("tls-link").await;
    let dir = std::env::temp_dir().join(format!("hongyan-tls-link-{}", std::process::id()));
    let (ca, cert, key) = certificates(&dir);
    let (sim_addr, sim) = simulator().await;
    let (front, handshakes) = tls_front(&cert, &key, sim_addr).await;
    let trust = Trust::with_ca_files(&[ca]).unwrap();
    let cfg = hongyan_gateway::ChannelConfig {
        tls: Some(TlsTarget::new(trust, "ismg.test").unwrap()),
        ..support::cmpp_channel("mobile", front, 16)
    };
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(cfg, p.engine.clone(), p.queues.remove(0).1, stop_rx));
    let ids = support::accept_ids(&p.engine, p.account, vec!["13800138000".into()], Category::VERIFICATION).await;
    assert_eq!(status_after(&p, ids[0], MessageStatus::Delivered).await, MessageStatus::Delivered);
    assert_eq!(Counters::get(&sim.counters.submits), 1);
    assert_eq!(handshakes.done.load(Ordering::Relaxed), 1, "one link, in TLS");
    assert_eq!(handshakes.failed.load(Ordering::Relaxed), 0);
}

#[tokio::test]
async fn a_gateway_certificate_the_channel_does_not_trust_keeps_the_link_down() {
    let mut p = support::platform("tls-untrusted").await;
    let dir = std::env::temp_dir().join(format!("hongyan-tls-untrusted-{}", std::process::id()));
    let (_ca, cert, key) = certificates(&dir);
    let (sim_addr, sim) = simulator().await;
    let (front, handshakes) = tls_front(&cert, &key, sim_addr).await;
    // Mozilla's roots only: the gateway's own CA is not among them.
    let cfg = hongyan_gateway::ChannelConfig {
        tls: Some(TlsTarget::new(Trust::default(), "127.0.0.1").unwrap()),
        ..support::cmpp_channel("mobile", front, 16)
    };
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(cfg, p.engine.clone(), p.queues.remove(0).1, stop_rx));
    let ids = support::accept_ids(&p.engine, p.account, vec!["13800138000".into()], Category::VERIFICATION).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let m = p.store.get_message(p.account, ids[0]).await.unwrap().unwrap();
    assert_eq!(m.status, MessageStatus::Accepted, "waiting for a link, not sent in clear and not lost");
    assert!(handshakes.failed.load(Ordering::Relaxed) >= 1, "the link tried, and refused the certificate");
    assert_eq!(handshakes.done.load(Ordering::Relaxed), 0);
    assert_eq!(Counters::get(&sim.counters.logins), 0, "no login went out");
}

/// The SGIP simulator (login "sp", password "s") on plain TCP; it brings reports to `report_to`
/// in TLS, trusting `ca`.
async fn sgip_simulator(report_to: SocketAddr, ca: &Path) -> (SocketAddr, Arc<SgipSim>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let report_tls = TlsTarget::new(Trust::with_ca_files(&[ca.to_path_buf()]).unwrap(), "127.0.0.1").unwrap();
    let account = SgipAccount { password: "s".into(), report_to: Some(report_to), report_tls: Some(report_tls) };
    let session = hongyan_sgip_proto::session::SessionConfig { node_id: 1_010_001, ..Default::default() };
    let scenario = hongyan_sim::Scenario { report_delay: Duration::from_millis(20), ..Default::default() };
    let sim = SgipSim::new(
        SgipSimConfig { accounts: HashMap::from([("sp".to_owned(), account)]), scenario, session },
        ReportBook::in_memory(),
    );
    let (stop, rx) = watch::channel(false);
    std::mem::forget(stop);
    tokio::spawn(sim.clone().serve(listener, rx));
    (addr, sim)
}

#[tokio::test]
async fn an_sgip_channel_in_tls_takes_its_reports_in_tls_and_refuses_them_in_clear() {
    let mut p = support::platform("tls-sgip").await;
    let dir = std::env::temp_dir().join(format!("hongyan-tls-sgip-{}", std::process::id()));
    let (ca, cert, key) = certificates(&dir);
    let our_listen = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let (sim_addr, sim) = sgip_simulator(our_listen, &ca).await;
    let (front, handshakes) = tls_front(&cert, &key, sim_addr).await;
    let settings = hongyan_gateway::sgip::SgipSettings {
        login_name: "sp".into(),
        password: "s".into(),
        sp_number: "1065".into(),
        corp_id: "12345".into(),
        service_type: "T".into(),
        listen: our_listen,
        listen_tls: Some(ServerTls::load(&cert, &key).unwrap()),
        session: hongyan_sgip_proto::session::SessionConfig { node_id: 3_000_000_001, ..Default::default() },
    };
    let trust = Trust::with_ca_files(&[ca]).unwrap();
    let cfg = hongyan_gateway::ChannelConfig {
        tls: Some(TlsTarget::new(trust, "ismg.test").unwrap()),
        protocol: hongyan_gateway::ProtocolConfig::Sgip(settings),
        ..support::cmpp_channel("mobile", front, 16)
    };
    let (_stop, stop_rx) = watch::channel(false);
    tokio::spawn(run_channel(cfg, p.engine.clone(), p.queues.remove(0).1, stop_rx));
    let ids = support::accept_ids(&p.engine, p.account, vec!["13800138000".into()], Category::VERIFICATION).await;
    assert_eq!(status_after(&p, ids[0], MessageStatus::Delivered).await, MessageStatus::Delivered);
    assert_eq!(handshakes.done.load(Ordering::Relaxed), 1, "the link went out in TLS");
    assert!(Counters::get(&sim.counters.reports_sent) >= 1, "the report came back over the TLS listener");

    // A gateway that binds in clear gets no Bind_Resp: the listener only speaks TLS.
    let mut clear = tokio::net::TcpStream::connect(our_listen).await.unwrap();
    let bind = hongyan_sgip_proto::pdu::Bind::new(hongyan_sgip_proto::LoginType::SMG_TO_SP, b"sp", b"s");
    let sequence = hongyan_sgip_proto::Sequence { node_id: 1_010_001, time: 1_207_120_000, counter: 1 };
    let frame = hongyan_sgip_proto::Frame { sequence, pdu: hongyan_sgip_proto::Pdu::Bind(bind) }.encode();
    clear.write_all(&frame).await.unwrap();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(15), clear.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection in clear is closed, not left hanging");
    let bind_resp = 0x8000_0001u32.to_be_bytes();
    assert!(answer.get(4..8) != Some(&bind_resp[..]), "no Bind_Resp in clear: {answer:02x?}");
}
