//! Receipts to a client system that stops answering, on tokio's paused clock: our SMPP server
//! sends a deliver_sm, re-sends it every response time-out (30 s) with the same
//! sequence_number until it has been sent three times, gives it up, and offers the receipt
//! again five seconds later under a new sequence_number; once answered it is not sent again.
//! The spec's own timers pass in virtual time, measured exactly.

mod support;

use std::time::Duration;

use hongyan_ingress::smpp::{serve, SmppServerConfig};
use hongyan_smpp_proto::pdu::{Address, Bind, BindMode, SubmitSm};
use hongyan_smpp_proto::{CommandStatus, EsmeEvent, EsmeSession, Npi, RegisteredDelivery, SessionConfig, Ton};
use hongyan_store::{ReportIn, SubmitOutcome};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

/// The server's response time-out and sends of one deliver_sm (the SMPP session's defaults).
const T: Duration = Duration::from_secs(30);
/// How long the server waits before offering a receipt that was not answered again.
const RETRY: Duration = Duration::from_secs(5);

/// A client system over TCP that answers deliver_sm only when told to.
struct Client {
    session: EsmeSession,
    stream: TcpStream,
    /// Every deliver_sm: when it came and its sequence_number.
    delivers: Vec<(Instant, u32)>,
    answer: bool,
}

impl Client {
    /// Runs the session for `d` of (virtual) time.
    async fn run_for(&mut self, d: Duration) {
        let until = Instant::now() + d;
        let mut buf = vec![0u8; 8192];
        loop {
            while let Some(bytes) = self.session.poll_transmit() {
                self.stream.write_all(&bytes).await.unwrap();
            }
            let wake = self.session.poll_timeout().map(Instant::from_std).unwrap_or(until).min(until);
            tokio::select! {
                n = self.stream.read(&mut buf) => {
                    let n = n.unwrap();
                    assert!(n > 0, "the server closed the connection");
                    self.session.handle_input(&buf[..n], Instant::now().into_std()).unwrap();
                }
                () = tokio::time::sleep_until(wake) => {
                    if Instant::now() >= until {
                        return;
                    }
                    self.session.handle_timeout(Instant::now().into_std());
                }
            }
            while let Some(e) = self.session.poll_event() {
                if let EsmeEvent::Deliver { sequence, .. } = e {
                    self.delivers.push((Instant::now(), sequence));
                    if self.answer {
                        self.session.ack_deliver(sequence, CommandStatus::ESME_ROK);
                    }
                }
            }
        }
    }
}

/// Our SMPP server on `p`'s engine, and a client bound to it as a new login `system_id`;
/// the server's stop switch and task.
async fn bound(p: &support::Platform, system_id: &str) -> (Client, watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let login = p.engine.create_client_login(p.account, "smpp", system_id.into(), 8).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, p.engine.clone(), SmppServerConfig::default(), None, stopped));
    let stream = TcpStream::connect(addr).await.unwrap();
    let mut c =
        Client { session: EsmeSession::new(SessionConfig::default()), stream, delivers: Vec::new(), answer: false };
    c.session
        .bind(Instant::now().into_std(), Bind::new(BindMode::Transceiver, system_id, login.secret.as_str()))
        .unwrap();
    c.run_for(Duration::from_millis(100)).await;
    (c, stop, server)
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_receipt_is_sent_three_times_then_offered_again_until_answered() {
    let p = support::paused_platform("receipt-timers").await;
    let (mut c, _stop, _server) = bound(&p, "etax01").await;
    let submit = SubmitSm {
        source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "1069"),
        dest: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "13800138000"),
        registered_delivery: RegisteredDelivery::RECEIPT,
        short_message: b"code 1234".to_vec(),
        ..SubmitSm::default()
    };
    c.session.submit(Instant::now().into_std(), submit).unwrap();
    c.run_for(Duration::from_millis(100)).await;

    // The carrier reports the message: a receipt is owed to the client.
    let filter = hongyan_store::MessageFilter { account_id: Some(p.account), limit: 1, ..Default::default() };
    let id = p.store.list_messages(filter).await.unwrap()[0].message.id;
    let at = p.engine.clock().now();
    let outcome =
        SubmitOutcome { message_id: id, segment: 1, carrier_msg_id: Some("c1".into()), result: 0, error: None, at };
    p.engine.submit_outcomes(vec![outcome]).await.unwrap();
    let report = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "c1".into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at: at,
        raw: String::new(),
    };
    p.engine.reports(vec![report]).await.unwrap();

    c.run_for(3 * T + RETRY + Duration::from_secs(2)).await;
    let d = &c.delivers;
    assert_eq!(d.len(), 4, "three sends, then the receipt offered again: {d:?}");
    let first = d[0].0;
    for (k, (at, seq)) in d[..3].iter().enumerate() {
        assert_eq!(*seq, d[0].1, "a re-send keeps its sequence_number");
        let off = (*at - first).abs_diff(T * k as u32);
        assert!(off <= Duration::from_millis(50), "send {k} at {:?} after the first", *at - first);
    }
    assert_ne!(d[3].1, d[0].1, "offered again as a new deliver_sm");
    let again = d[3].0 - first;
    assert!(
        again >= 3 * T + RETRY && again <= 3 * T + RETRY + Duration::from_millis(1100),
        "offered again {again:?} after the first send: given up at 3T, then {RETRY:?}, seen at the next tick"
    );

    // Answered now: it is not sent again.
    c.answer = true;
    c.session.ack_deliver(d[3].1, CommandStatus::ESME_ROK);
    c.run_for(Duration::from_secs(300)).await;
    assert_eq!(c.delivers.len(), 4, "an answered receipt is not sent again: {:?}", c.delivers);
}

/// On shutdown the server unbinds every client; one that never answers is cut off after a
/// few seconds, not after the session's 30 s response time-out, so it cannot hold the
/// platform's stop.
#[tokio::test(start_paused = true)]
async fn a_client_that_never_answers_the_unbind_does_not_hold_the_stop() {
    let p = support::paused_platform("silent-unbind").await;
    let (c, stop, server) = bound(&p, "etax02").await;
    assert!(!c.session.is_closed(), "bound before the stop");

    let asked = Instant::now();
    stop.send(true).unwrap();
    server.await.unwrap(); // the client reads nothing from here on
    let took = asked.elapsed();
    assert!(took >= Duration::from_secs(3) && took < T, "the stop waited {took:?} for a silent client");
    drop(c);
}
