//! Which category a client system's submit goes under, over real TCP to our SMPP and CMPP
//! servers: a short code (`VERIF`, `NOTIF`, `MKT`) or a full name that fits in service_type /
//! Service_Id, the login's default when the field is empty (or one of SMPP's generic types),
//! and a clear refusal (ESME_RINVSERTYP, CMPP Result 7) for a name that is not configured.

mod support;

use support::Platform;

use std::sync::Arc;
use std::time::{Duration, Instant};

use hongyan_cmpp_proto::pdu::Submit;
use hongyan_cmpp_proto::session::SessionConfig as CmppConfig;
use hongyan_cmpp_proto::{ClientEvent, ClientSession, MsgFmt, SubmitResult};
use hongyan_ingress::cmpp::CmppServerConfig;
use hongyan_ingress::smpp::SmppServerConfig;
use hongyan_smpp_proto::pdu::{Address, Bind, BindMode, SubmitSm};
use hongyan_smpp_proto::{CommandStatus, DataCoding, EsmeEvent, EsmeSession, Npi, SessionConfig, Ton};
use hongyan_store::{MessageFilter, Store};
use hongyan_types::{Category, Timestamp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The category each recipient's message was stored under.
async fn categories(store: &Arc<dyn Store>, account: i64) -> Vec<(String, Category)> {
    let filter = MessageFilter { account_id: Some(account), limit: 50, ..Default::default() };
    let mut got: Vec<_> =
        store.list_messages(filter).await.unwrap().into_iter().map(|m| (m.message.to, m.message.category)).collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    got
}

/// Drives an SMPP client session over its socket until `done` holds (or 10 s pass).
async fn smpp_run(
    session: &mut EsmeSession,
    stream: &mut TcpStream,
    events: &mut Vec<EsmeEvent>,
    done: impl Fn(&[EsmeEvent]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = vec![0u8; 8192];
    while !done(events) && Instant::now() < deadline {
        while let Some(bytes) = session.poll_transmit() {
            stream.write_all(&bytes).await.unwrap();
        }
        if let Ok(Ok(read)) = tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await {
            assert!(read > 0, "the server closed the link: {events:?}");
            session.handle_input(&buf[..read], Instant::now()).unwrap();
        }
        events.extend(std::iter::from_fn(|| session.poll_event()));
    }
}

/// Binds as `login` and sends one submit_sm per (service_type, recipient); the statuses of
/// the answers, in the order sent.
async fn smpp_submits(addr: std::net::SocketAddr, login: &str, password: &str, sends: &[(&str, &str)]) -> Vec<u32> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut session = EsmeSession::new(SessionConfig::default());
    let mut events = Vec::new();
    session.bind(Instant::now(), Bind::new(BindMode::Transceiver, login, password)).unwrap();
    smpp_run(&mut session, &mut stream, &mut events, |e| !e.is_empty()).await;
    assert!(matches!(events[..], [EsmeEvent::Bound { .. }]), "{events:?}");
    let mut sequences = Vec::new();
    for (service_type, to) in sends {
        let pdu = SubmitSm {
            service_type: service_type.as_bytes().to_vec(),
            source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "1069"),
            dest: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, *to),
            data_coding: DataCoding::UCS2,
            short_message: hongyan_text::Encoding::Ucs2.encode("您的验证码是 123456").unwrap(),
            ..SubmitSm::default()
        };
        sequences.push(session.submit(Instant::now(), pdu).unwrap());
    }
    let answered = |e: &[EsmeEvent]| e.iter().filter(|e| matches!(e, EsmeEvent::SubmitResp { .. })).count();
    smpp_run(&mut session, &mut stream, &mut events, |e| answered(e) == sends.len()).await;
    let status = |seq: &u32| {
        events.iter().find_map(|e| match e {
            EsmeEvent::SubmitResp { sequence, status, .. } if sequence == seq => Some(status.0),
            _ => None,
        })
    };
    sequences.iter().map(|s| status(s).expect("every submit answered")).collect()
}

#[tokio::test]
async fn smpp_service_type_codes_and_the_logins_default_choose_the_category() {
    let Platform { store, engine, account, queues: _queues } = support::platform("smpp-categories").await;
    let plain = engine.create_client_login(account, "smpp", "etax01".into(), 8).await.unwrap();
    let verif = Some(Category::VERIFICATION);
    let otp = engine.create_client_login_in(account, "smpp", "etax02".into(), 8, verif).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(hongyan_ingress::smpp::serve(
        listener,
        engine.clone(),
        SmppServerConfig::default(),
        None,
        stopped,
    ));

    let sends = [
        ("VERIF", "13800138001"),
        ("mkt", "13800138002"),
        ("", "13800138003"),
        ("XYZ", "13800138004"),
        ("NOTIF", "13800138005"),
    ];
    let statuses = smpp_submits(addr, "etax01", &plain.secret, &sends).await;
    let rinvsertyp = CommandStatus::ESME_RINVSERTYP.0;
    assert_eq!(statuses, [0, 0, 0, rinvsertyp, 0], "an unknown service_type is refused by name");
    let with_default = [("", "13800138006"), ("CMT", "13800138007"), ("NOTIF", "13800138008")];
    assert_eq!(smpp_submits(addr, "etax02", &otp.secret, &with_default).await, [0, 0, 0]);

    let got = categories(&store, account).await;
    let want = [
        ("13800138001", Category::VERIFICATION),
        ("13800138002", Category::MARKETING),
        ("13800138003", Category::NOTIFICATION),
        ("13800138005", Category::NOTIFICATION),
        ("13800138006", Category::VERIFICATION),
        ("13800138007", Category::VERIFICATION),
        ("13800138008", Category::NOTIFICATION),
    ];
    assert_eq!(got, want.map(|(to, c)| (to.to_owned(), c)), "VERIF lands in verification; empty: the default");
    stop.send(true).unwrap();
    server.await.unwrap();
}

/// Drives a CMPP client session until `done` holds (or 10 s pass).
async fn cmpp_run(
    session: &mut ClientSession,
    stream: &mut TcpStream,
    events: &mut Vec<ClientEvent>,
    done: impl Fn(&[ClientEvent]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut buf = vec![0u8; 8192];
    while !done(events) && Instant::now() < deadline {
        while let Some(bytes) = session.poll_transmit() {
            stream.write_all(&bytes).await.unwrap();
        }
        if let Ok(Ok(read)) = tokio::time::timeout(Duration::from_millis(50), stream.read(&mut buf)).await {
            assert!(read > 0, "the server closed the link: {events:?}");
            session.handle_input(&buf[..read], Instant::now()).unwrap();
        }
        events.extend(std::iter::from_fn(|| session.poll_event()));
    }
}

#[tokio::test]
async fn cmpp_service_id_codes_and_the_logins_default_choose_the_category() {
    let Platform { store, engine, account, queues: _queues } = support::platform("cmpp-categories").await;
    let verif = Some(Category::VERIFICATION);
    let login = engine.create_client_login_in(account, "cmpp", "900001".into(), 16, verif).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(hongyan_ingress::cmpp::serve(
        listener,
        engine.clone(),
        CmppServerConfig::default(),
        None,
        stopped,
    ));

    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut session = ClientSession::new(CmppConfig::default(), "900001".into(), login.secret.clone().into_bytes());
    let mut events = Vec::new();
    session.connect(Instant::now(), Timestamp::from_system(std::time::SystemTime::now()).beijing_mmddhhmmss());
    cmpp_run(&mut session, &mut stream, &mut events, |e| !e.is_empty()).await;
    assert!(matches!(events[..], [ClientEvent::Connected { .. }]), "{events:?}");
    let sends = [("", "13800138001"), ("NOTIF", "13800138002"), ("marketing", "13800138003"), ("MI", "13800138004")];
    let mut sequences = Vec::new();
    for (service_id, to) in sends {
        let submit = Submit {
            registered_delivery: 1,
            service_id: service_id.as_bytes().to_vec(),
            msg_fmt: MsgFmt::UCS2,
            msg_src: b"900001".to_vec(),
            src_id: b"1069000001".to_vec(),
            dest_terminal_ids: vec![to.as_bytes().to_vec()],
            msg_content: hongyan_text::Encoding::Ucs2.encode("您的验证码是 123456").unwrap(),
            ..Submit::default()
        };
        sequences.push(session.submit(Instant::now(), submit).unwrap());
    }
    let answered = |e: &[ClientEvent]| e.iter().filter(|e| matches!(e, ClientEvent::SubmitResp { .. })).count();
    cmpp_run(&mut session, &mut stream, &mut events, |e| answered(e) == sends.len()).await;
    let result = |seq: &u32| {
        events.iter().find_map(|e| match e {
            ClientEvent::SubmitResp { sequence_id, resp } if sequence_id == seq => Some(resp.result),
            _ => None,
        })
    };
    let results: Vec<_> = sequences.iter().map(|s| result(s).expect("every SUBMIT answered")).collect();
    let ok = SubmitResult::OK;
    assert_eq!(results, [ok, ok, ok, SubmitResult::SERVICE_ID_ERROR], "an unknown Service_Id gets Result 7");

    let got = categories(&store, account).await;
    let want = [
        ("13800138001", Category::VERIFICATION),
        ("13800138002", Category::NOTIFICATION),
        ("13800138003", Category::MARKETING),
    ];
    assert_eq!(got, want.map(|(to, c)| (to.to_owned(), c)), "empty Service_Id: the login's default");
    drop(stream); // else the server's shutdown waits for this client's TERMINATE_RESP
    stop.send(true).unwrap();
    server.await.unwrap();
}
