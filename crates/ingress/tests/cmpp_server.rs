//! Our CMPP server for client systems over real TCP, with the client side played by
//! `hongyan-cmpp-proto`'s client session (cmppy, in tests/interop, plays it from outside):
//! a long message in two UDH parts, reports owed while the client is away, one report per
//! Msg_Id on its return, and nothing twice once acknowledged.

mod support;

use support::Platform;

use std::time::{Duration, Instant};

use hongyan_cmpp_proto::pdu::Submit;
use hongyan_cmpp_proto::{ClientEvent, MsgFmt, Version};
use hongyan_ingress::cmpp::{serve, CmppServerConfig};
use hongyan_store::{MessageFilter, ReportIn, SubmitOutcome};
use hongyan_types::Timestamp;
use tokio::net::TcpListener;
use tokio::sync::watch;

const SP: &str = "900001";

use support::cmpp::Client;

impl Client {
    async fn connect(addr: std::net::SocketAddr, secret: &str) -> Self {
        Self::connect_as(addr, SP, secret, Version::V30).await
    }

    fn report_ids(&self) -> Vec<u64> {
        let version = self.session.version();
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Deliver { deliver, .. } => deliver.report(version).map(|r| r.unwrap().msg_id),
                _ => None,
            })
            .collect()
    }
}

fn part(n: u8, text: &str) -> Submit {
    let mut content = hongyan_text::concat_udh8(0x2a, 2, n).to_vec();
    content.extend(hongyan_text::Encoding::Ucs2.encode(text).unwrap());
    Submit {
        pk_total: 2,
        pk_number: n,
        registered_delivery: 1,
        tp_udhi: 1,
        msg_fmt: MsgFmt::UCS2,
        msg_src: SP.into(),
        src_id: b"1069000001".to_vec(),
        dest_terminal_ids: vec![b"13800138000".to_vec()],
        msg_content: content,
        ..Submit::default()
    }
}

#[tokio::test]
async fn a_long_message_gets_one_report_per_msg_id_after_the_client_comes_back() {
    let Platform { store, engine, account, queues: _queues } = support::platform("cmpp-server").await;
    let login = engine.create_client_login(account, "cmpp", SP.into(), 16).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, engine.clone(), CmppServerConfig::default(), None, stopped));

    let refused = Client::connect(addr, "wrong").await;
    assert!(matches!(refused.events[..], [ClientEvent::ConnectRejected { status: 3 }]), "{:?}", refused.events);

    let mut c = Client::connect(addr, &login.secret).await;
    assert!(matches!(c.events[..], [ClientEvent::Connected { version: Version::V30 }]));
    for (n, text) in [(1, "尊敬的纳税人："), (2, "您的申报已受理。")] {
        c.session.submit(Instant::now(), part(n, text)).unwrap();
    }
    c.run_until(|e| e.iter().filter(|e| matches!(e, ClientEvent::SubmitResp { .. })).count() == 2).await;
    let ids: Vec<u64> = c
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::SubmitResp { resp, .. } => {
                Some((resp.result.0 == 0).then_some(resp.msg_id).expect("Result 0"))
            }
            _ => None,
        })
        .collect();
    assert!(ids[0] != ids[1] && ids.iter().all(|i| *i != 0), "{ids:?}");
    c.session.terminate(Instant::now());
    c.run_until(|e| e.iter().any(|e| matches!(e, ClientEvent::Terminated))).await;

    // The carrier takes the (re-assembled, signed) message and reports while the client is away.
    let filter = MessageFilter { account_id: Some(account), limit: 5, ..Default::default() };
    let messages = store.list_messages(filter).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(&*messages[0].message.content, "【某省税务局】尊敬的纳税人：您的申报已受理。");
    let (id, now) = (messages[0].message.id, Timestamp::from_system(std::time::SystemTime::now()));
    let sub = SubmitOutcome {
        message_id: id,
        segment: 1,
        carrier_msg_id: Some("c1".into()),
        result: 0,
        error: None,
        at: now,
    };
    engine.submit_outcomes(vec![sub]).await.unwrap();
    let report = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "c1".into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at: now,
        raw: String::new(),
    };
    engine.reports(vec![report]).await.unwrap();

    let mut back = Client::connect(addr, &login.secret).await;
    back.run_until(|e| e.iter().filter(|e| matches!(e, ClientEvent::Deliver { .. })).count() >= 2).await;
    let mut got = back.report_ids();
    got.sort_unstable();
    let mut want = ids.clone();
    want.sort_unstable();
    assert_eq!(got, want, "one report per Msg_Id the client was given");
    tokio::time::sleep(Duration::from_millis(300)).await;
    back.session.terminate(Instant::now());
    back.run_until(|e| e.iter().any(|e| matches!(e, ClientEvent::Terminated))).await;

    let mut again = Client::connect(addr, &login.secret).await;
    again.run_for(|_| false, Duration::from_secs(1)).await;
    assert!(again.report_ids().is_empty(), "acknowledged reports do not come again");

    // A CMPP 2.0 client is answered in 2.0 and taken the same way.
    let mut old = Client::connect_as(addr, SP, &login.secret, Version::V20).await;
    assert!(matches!(old.events[..], [ClientEvent::Connected { version: Version::V20 }]), "{:?}", old.events);
    let single = Submit {
        pk_total: 1,
        pk_number: 1,
        tp_udhi: 0,
        msg_content: hongyan_text::Encoding::Ucs2.encode("您好").unwrap(),
        ..part(1, "")
    };
    old.session.submit(Instant::now(), single).unwrap();
    old.run_until(|e| e.iter().any(|e| matches!(e, ClientEvent::SubmitResp { .. }))).await;
    assert!(old
        .events
        .iter()
        .any(|e| matches!(e, ClientEvent::SubmitResp { resp, .. } if resp.result.0 == 0 && resp.msg_id != 0)));
    drop((again, back, c, refused, old));
    stop.send(true).unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn control_bidi_and_invisible_text_is_refused_over_our_cmpp_server() {
    let Platform { store, engine, account, queues: _queues } = support::platform("cmpp-unsafe").await;
    let login = engine.create_client_login(account, "cmpp", SP.into(), 16).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, engine.clone(), CmppServerConfig::default(), None, stopped));

    let mut c = Client::connect(addr, &login.secret).await;
    let texts = ["退税\u{202e}txt.exe", "清屏\u{1b}[2J", "\u{200b}\u{feff}", "空\u{0}字符"];
    for text in texts {
        let submit = Submit {
            pk_total: 1,
            pk_number: 1,
            tp_udhi: 0,
            msg_content: hongyan_text::Encoding::Ucs2.encode(text).unwrap(),
            ..part(1, "")
        };
        c.session.submit(Instant::now(), submit).unwrap();
    }
    c.run_until(|e| e.iter().filter(|e| matches!(e, ClientEvent::SubmitResp { .. })).count() == texts.len()).await;
    let results: Vec<u32> = c
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::SubmitResp { resp, .. } => Some(resp.result.0),
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), texts.len());
    assert!(results.iter().all(|r| *r != 0), "every one refused with a CMPP error Result: {results:?}");
    let filter = MessageFilter { account_id: Some(account), limit: 10, ..Default::default() };
    assert!(store.list_messages(filter).await.unwrap().is_empty(), "nothing was accepted");
    drop(c);
    stop.send(true).unwrap();
    server.await.unwrap();
}

/// A long message refused as a whole (600 characters in 9 parts, over the 500 taken): the
/// parts answered Result 0 each get a status report with Stat REJECTD, the last is answered
/// 6 (too long), and nothing is stored or left to try again.
#[tokio::test]
async fn an_over_long_message_settles_its_answered_parts_with_rejectd_reports() {
    let Platform { store, engine, account, queues: _queues } = support::platform("cmpp-server-long").await;
    let login = engine.create_client_login(account, "cmpp", SP.into(), 16).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let server = tokio::spawn(serve(listener, engine.clone(), CmppServerConfig::default(), None, stopped));

    let mut c = Client::connect(addr, &login.secret).await;
    let text: Vec<char> = "您的申报已受理，请留意后续通知。".chars().cycle().take(600).collect();
    for (i, chunk) in text.chunks(67).enumerate() {
        let n = i as u8 + 1;
        let mut content = hongyan_text::concat_udh8(0x2b, 9, n).to_vec();
        content.extend(hongyan_text::Encoding::Ucs2.encode(&chunk.iter().collect::<String>()).unwrap());
        let submit = Submit { pk_total: 9, pk_number: n, msg_content: content, ..part(n, "") };
        c.session.submit(Instant::now(), submit).unwrap();
        c.run_until(|e| e.iter().filter(|e| matches!(e, ClientEvent::SubmitResp { .. })).count() == i + 1).await;
    }
    let answers: Vec<(u32, u64)> = c
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::SubmitResp { resp, .. } => Some((resp.result.0, resp.msg_id)),
            _ => None,
        })
        .collect();
    let results: Vec<u32> = answers.iter().map(|a| a.0).collect();
    assert_eq!(results, [0, 0, 0, 0, 0, 0, 0, 0, 6], "{answers:?}");

    c.run_until(|e| e.iter().filter(|e| matches!(e, ClientEvent::Deliver { .. })).count() >= 8).await;
    let version = c.session.version();
    let mut reported: Vec<(u64, Vec<u8>)> = c
        .events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Deliver { deliver, .. } => deliver.report(version).map(|r| r.unwrap()),
            _ => None,
        })
        .map(|r| (r.msg_id, r.stat))
        .collect();
    reported.sort();
    let mut given: Vec<u64> = answers[..8].iter().map(|a| a.1).collect();
    given.sort_unstable();
    assert_eq!(reported.iter().map(|r| r.0).collect::<Vec<_>>(), given, "one report per answered part");
    assert!(reported.iter().all(|r| r.1 == b"REJECTD"), "{reported:?}");
    let filter = MessageFilter { account_id: Some(account), limit: 5, ..Default::default() };
    assert!(store.list_messages(filter).await.unwrap().is_empty());
    assert!(store.stale_client_groups(Timestamp::from_millis(i64::MAX)).await.unwrap().is_empty());
    drop(c);
    stop.send(true).unwrap();
    server.await.unwrap();
}
