//! Our SMPP server for client systems over real TCP, with the client side played by
//! `hongyan-smpp-proto`'s ESME session (smpplib, in tests/interop, plays it from outside): the
//! long-message forms smpplib does not use (sar_* TLVs, message_payload), refusals with their
//! SMPP status, and a receipt per part id with its TLVs.

mod support;

use support::Platform;

use std::time::{Duration, Instant};

use hongyan_ingress::smpp::{serve, SmppServerConfig};
use hongyan_smpp_proto::pdu::{Address, Bind, BindMode, SubmitSm};
use hongyan_smpp_proto::{
    CommandStatus, DataCoding, EsmClass, EsmeEvent, EsmeSession, Npi, RegisteredDelivery, Sar, SessionConfig, TlvTag,
    Ton,
};
use hongyan_store::{MessageFilter, ReportIn, SubmitOutcome};
use hongyan_types::Timestamp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

struct Client {
    session: EsmeSession,
    stream: TcpStream,
    events: Vec<EsmeEvent>,
}

impl Client {
    async fn bind(addr: std::net::SocketAddr, login: &str, password: &str) -> Self {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut c = Self { session: EsmeSession::new(SessionConfig::default()), stream, events: Vec::new() };
        c.session.bind(Instant::now(), Bind::new(BindMode::Transceiver, login, password)).unwrap();
        c.run(|e| e.iter().any(|e| matches!(e, EsmeEvent::Bound { .. } | EsmeEvent::BindRejected { .. }))).await;
        c
    }

    async fn run(&mut self, done: impl Fn(&[EsmeEvent]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
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
                if let EsmeEvent::Deliver { sequence, .. } = &e {
                    self.session.ack_deliver(*sequence, CommandStatus::ESME_ROK);
                }
                self.events.push(e);
            }
        }
        while let Some(bytes) = self.session.poll_transmit() {
            self.stream.write_all(&bytes).await.unwrap();
        }
    }

    /// (status, message_id) of each submit_sm_resp, in arrival order.
    fn answers(&self) -> Vec<(CommandStatus, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                EsmeEvent::SubmitResp { status, resp, .. } => {
                    Some((*status, String::from_utf8_lossy(&resp.message_id).into_owned()))
                }
                _ => None,
            })
            .collect()
    }
}

fn submit(to: &str, coding: DataCoding, text: &[u8]) -> SubmitSm {
    SubmitSm {
        source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "1069"),
        dest: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, to),
        registered_delivery: RegisteredDelivery::RECEIPT,
        data_coding: coding,
        short_message: text.to_vec(),
        ..SubmitSm::default()
    }
}

fn ucs2(s: &str) -> Vec<u8> {
    hongyan_text::Encoding::Ucs2.encode(s).unwrap()
}

#[tokio::test]
async fn sar_parts_payload_and_refusals_over_our_smpp_server() {
    let Platform { store, engine, account, queues: _queues } = support::platform("smpp-server").await;
    let login = engine.create_client_login(account, "smpp", "etax01".into(), 8).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, engine.clone(), SmppServerConfig::default(), None, stopped));

    let mut c = Client::bind(addr, "etax01", &login.secret).await;
    assert!(matches!(c.events[..], [EsmeEvent::Bound { mode: BindMode::Transceiver, .. }]), "{:?}", c.events);
    let now = Instant::now();
    for (n, text) in [(1, "第一段，"), (2, "第二段。")] {
        let mut part = submit("13800138000", DataCoding::UCS2, &ucs2(text));
        part.tlvs.set_sar(Sar { msg_ref_num: 513, total_segments: 2, segment_seqnum: n });
        c.session.submit(now, part).unwrap();
    }
    let mut whole = submit("13900139000", DataCoding::UCS2, &[]);
    whole.tlvs.set(TlvTag::MESSAGE_PAYLOAD, ucs2(&"长".repeat(150)));
    c.session.submit(now, whole).unwrap();
    c.session.submit(now, submit("12345", DataCoding::UCS2, &ucs2("号码不对"))).unwrap();
    c.session.submit(now, submit("13700137000", DataCoding(0xf5), b"\x01\x02")).unwrap();
    c.run(|e| e.iter().filter(|e| matches!(e, EsmeEvent::SubmitResp { .. })).count() == 5).await;
    let mut answers = c.answers();
    answers.sort_by_key(|(s, _)| s.0);
    let statuses: Vec<CommandStatus> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| s.is_ok()).count(), 3, "{answers:?}");
    assert!(statuses.contains(&CommandStatus::ESME_RINVDSTADR), "a bad number: {answers:?}");
    assert!(statuses.contains(&CommandStatus::ESME_RSUBMITFAIL), "an unknown data_coding: {answers:?}");

    let filter = MessageFilter { account_id: Some(account), limit: 10, ..Default::default() };
    let mut messages = store.list_messages(filter).await.unwrap();
    messages.sort_by(|a, b| a.message.to.cmp(&b.message.to));
    assert_eq!(messages.len(), 2);
    assert_eq!(&*messages[0].message.content, "【某省税务局】第一段，第二段。", "sar parts joined, signed once");
    assert_eq!(messages[1].message.segments, 3, "message_payload: 150 characters + signature in 3 segments");

    // The carrier reports the two-part message: two receipts, one per part id, with TLVs.
    let t = Timestamp::from_system(std::time::SystemTime::now());
    let id = messages[0].message.id;
    let sub =
        SubmitOutcome { message_id: id, segment: 1, carrier_msg_id: Some("x1".into()), result: 0, error: None, at: t };
    engine.submit_outcomes(vec![sub]).await.unwrap();
    let report = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "x1".into(),
        stat: "UNDELIV".into(),
        done_at: None,
        received_at: t,
        raw: String::new(),
    };
    engine.reports(vec![report]).await.unwrap();
    c.run(|e| e.iter().filter(|e| matches!(e, EsmeEvent::Deliver { .. })).count() == 2).await;
    let receipted: Vec<(String, u8)> = c
        .events
        .iter()
        .filter_map(|e| match e {
            EsmeEvent::Deliver { deliver, .. } => Some((
                String::from_utf8_lossy(deliver.tlvs.receipted_message_id().unwrap()).into_owned(),
                deliver.tlvs.message_state().unwrap().0,
            )),
            _ => None,
        })
        .collect();
    let given: Vec<String> = c.answers().into_iter().filter(|(s, _)| s.is_ok()).map(|(_, id)| id).collect();
    for (rid, state) in &receipted {
        assert!(given.contains(rid), "receipt for {rid}, ids given {given:?}");
        assert_eq!(*state, 5, "UNDELIVERABLE");
    }
    assert_ne!(receipted[0].0, receipted[1].0, "one receipt per part id");
    assert_eq!(receipted.len(), 2);

    // Rights hold here as on HTTP: an account limited to HTTP cannot bind; one limited to
    // 10.0.0.0/8 cannot bind from 127.0.0.1.
    let http_only = hongyan_store::Rights { interfaces: Some(vec!["http".into()]), ..Default::default() };
    engine.set_rights(account, http_only).await.unwrap();
    let refused = Client::bind(addr, "etax01", &login.secret).await;
    let rejected =
        |c: &Client| matches!(c.events[..], [EsmeEvent::BindRejected { status: CommandStatus::ESME_RBINDFAIL }]);
    assert!(rejected(&refused), "{:?}", refused.events);
    let ranges = vec![hongyan_types::Cidr::parse("10.0.0.0/8").unwrap()];
    engine.set_rights(account, hongyan_store::Rights { ip_allow: Some(ranges), ..Default::default() }).await.unwrap();
    let elsewhere = Client::bind(addr, "etax01", &login.secret).await;
    assert!(rejected(&elsewhere), "{:?}", elsewhere.events);
    drop((c, refused, elsewhere));
    stop.send(true).unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn control_bidi_and_invisible_text_is_refused_over_our_smpp_server() {
    let Platform { store, engine, account, queues: _queues } = support::platform("smpp-unsafe").await;
    let login = engine.create_client_login(account, "smpp", "etax02".into(), 8).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, engine.clone(), SmppServerConfig::default(), None, stopped));

    let mut c = Client::bind(addr, "etax02", &login.secret).await;
    let texts = ["退税\u{202e}txt.exe", "清屏\u{1b}[2J", "\u{200b}\u{feff}", "响铃\u{7}"];
    for (i, text) in texts.iter().enumerate() {
        c.session.submit(Instant::now(), submit(&format!("1380013800{i}"), DataCoding::UCS2, &ucs2(text))).unwrap();
    }
    c.run(|e| e.iter().filter(|e| matches!(e, EsmeEvent::SubmitResp { .. })).count() == texts.len()).await;
    let answers = c.answers();
    assert_eq!(answers.len(), texts.len());
    assert!(answers.iter().all(|(s, _)| *s == CommandStatus::ESME_RSUBMITFAIL), "{answers:?}");
    let filter = MessageFilter { account_id: Some(account), limit: 10, ..Default::default() };
    assert!(store.list_messages(filter).await.unwrap().is_empty(), "nothing was accepted");
    drop(c);
    stop.send(true).unwrap();
    server.await.unwrap();
}

/// A 600-character message in 9 UDH parts, over the 500 the platform takes: the parts are
/// acknowledged as they come, the ninth is refused with ESME_RINVMSGLEN, and each of the eight
/// acknowledged ids gets a REJECTD receipt (err 001). Nothing is stored, nothing stays kept
/// for the flush to try again.
#[tokio::test]
async fn an_over_long_udh_message_settles_its_acknowledged_parts_with_rejectd_receipts() {
    let Platform { store, engine, account, queues: _queues } = support::platform("smpp-server-long").await;
    let login = engine.create_client_login(account, "smpp", "etax01".into(), 8).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, engine.clone(), SmppServerConfig::default(), None, stopped));

    let mut c = Client::bind(addr, "etax01", &login.secret).await;
    let text: Vec<char> = "您的申报已受理，请留意后续通知。".chars().cycle().take(600).collect();
    for (i, chunk) in text.chunks(67).enumerate() {
        let udh = [5, 0, 3, 0x2a, 9, i as u8 + 1];
        let body = ucs2(&chunk.iter().collect::<String>());
        let mut part = submit("13800138000", DataCoding::UCS2, &[&udh[..], &body].concat());
        part.esm_class = EsmClass::UDHI;
        c.session.submit(Instant::now(), part).unwrap();
        // In order, as a client sends them: each part answered before the next goes.
        c.run(|e| e.iter().filter(|e| matches!(e, EsmeEvent::SubmitResp { .. })).count() == i + 1).await;
    }
    let answers = c.answers();
    let statuses: Vec<CommandStatus> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses[..8], [CommandStatus::ESME_ROK; 8], "{answers:?}");
    assert_eq!(statuses[8], CommandStatus::ESME_RINVMSGLEN, "{answers:?}");

    c.run(|e| e.iter().filter(|e| matches!(e, EsmeEvent::Deliver { .. })).count() == 8).await;
    let mut receipted: Vec<(String, u8, String)> = c
        .events
        .iter()
        .filter_map(|e| match e {
            EsmeEvent::Deliver { deliver, .. } => {
                let r = deliver.receipt().unwrap().unwrap();
                Some((r.id, deliver.tlvs.message_state().unwrap().0, format!("{:?}/{:?}", r.stat, r.err)))
            }
            _ => None,
        })
        .collect();
    receipted.sort();
    let mut given: Vec<String> = answers[..8].iter().map(|(_, id)| id.clone()).collect();
    given.sort();
    assert_eq!(receipted.iter().map(|r| r.0.clone()).collect::<Vec<_>>(), given, "one receipt per acknowledged part");
    for (id, state, stat) in &receipted {
        assert_eq!((*state, stat.as_str()), (8, "Some(\"REJECTD\")/Some(\"001\")"), "{id}");
    }

    let filter = MessageFilter { account_id: Some(account), limit: 10, ..Default::default() };
    assert!(store.list_messages(filter).await.unwrap().is_empty(), "nothing stored");
    let far = Timestamp::from_millis(i64::MAX);
    assert!(store.stale_client_groups(far).await.unwrap().is_empty(), "no part left to try again");
    assert_eq!(engine.flush_client_parts().await.unwrap(), 0);
    // The receipts were acknowledged: a new bind is owed nothing more.
    drop(c);
    let mut again = Client::bind(addr, "etax01", &login.secret).await;
    let _ = tokio::time::timeout(Duration::from_millis(1500), again.run(|_| false)).await;
    assert!(!again.events.iter().any(|e| matches!(e, EsmeEvent::Deliver { .. })), "{:?}", again.events);
    drop(again);
    stop.send(true).unwrap();
    server.await.unwrap();
}
