//! The Msg_Ids our CMPP server gives, seen by a client over real TCP: in CMPP's layout
//! (decoded with the codec's own `msg_id::decompose`: the Beijing time of acceptance and our
//! configured gateway code), unique over many SUBMITs, one per recipient of a group SUBMIT
//! (first, first + 1), and carried unchanged by the status report the client receives.

mod support;

use support::Platform;

use std::time::Instant;

use hongyan_cmpp_proto::msg_id;
use hongyan_cmpp_proto::pdu::Submit;
use hongyan_cmpp_proto::{ClientEvent, MsgFmt, SubmitError, Version};
use hongyan_engine::Engine;
use hongyan_ingress::cmpp::{serve, CmppServerConfig};
use hongyan_store::{MessageFilter, ReportIn, SubmitOutcome};
use hongyan_types::{MessageId, Timestamp};
use tokio::net::TcpListener;
use tokio::sync::watch;

const SP: &str = "900001";
const GATEWAY: u32 = 654_321;

use support::cmpp::Client;

impl Client {
    async fn connect(addr: std::net::SocketAddr, secret: &str) -> Self {
        let c = Self::connect_as(addr, SP, secret, Version::V30).await;
        assert!(matches!(c.events[..], [ClientEvent::Connected { .. }]), "{:?}", c.events);
        c
    }

    /// Sends `submit`, waiting for answers while the window is full; its Sequence_Id.
    async fn submit(&mut self, submit: Submit) -> u32 {
        loop {
            match self.session.submit(Instant::now(), submit.clone()) {
                Ok(sequence) => return sequence,
                Err(SubmitError::WindowFull) => {
                    let answered = self.answers().len();
                    self.run_until(|e| answers(e).len() > answered).await;
                }
                Err(e) => panic!("{e}"),
            }
        }
    }

    fn answers(&self) -> Vec<(u32, u64)> {
        answers(&self.events)
    }

    /// The Msg_Id SUBMIT_RESP gave the SUBMIT sent as `sequence`.
    fn msg_id_of(&self, sequence: u32) -> u64 {
        let resp = self.events.iter().find_map(|e| match e {
            ClientEvent::SubmitResp { sequence_id, resp } if *sequence_id == sequence => Some(resp),
            _ => None,
        });
        let resp = resp.expect("answered");
        assert_eq!(resp.result.0, 0, "accepted");
        resp.msg_id
    }

    /// (report's Msg_Id, the DELIVER's own Msg_Id) of each status report received.
    fn reports(&self) -> Vec<(u64, u64)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Deliver { deliver, .. } => {
                    deliver.report(Version::V30).map(|r| (r.unwrap().msg_id, deliver.msg_id))
                }
                _ => None,
            })
            .collect()
    }
}

/// (Result, Msg_Id) of each SUBMIT_RESP, in arrival order.
fn answers(events: &[ClientEvent]) -> Vec<(u32, u64)> {
    events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::SubmitResp { resp, .. } => Some((resp.result.0, resp.msg_id)),
            _ => None,
        })
        .collect()
}

fn now() -> Timestamp {
    Timestamp::from_system(std::time::SystemTime::now())
}

fn submit(to: &[&str], text: &str) -> Submit {
    Submit {
        registered_delivery: 1,
        msg_fmt: MsgFmt::UCS2,
        msg_src: SP.into(),
        src_id: b"1069000001".to_vec(),
        dest_terminal_ids: to.iter().map(|t| t.as_bytes().to_vec()).collect(),
        msg_content: hongyan_text::Encoding::Ucs2.encode(text).unwrap(),
        ..Submit::default()
    }
}

/// A Msg_Id's MMDDHHMM, as a number comparable with `Timestamp::beijing_mmddhhmmss() / 100`.
fn minute_of(id: u64) -> u32 {
    let p = msg_id::decompose(id);
    u32::from(p.month) * 1_000_000 + u32::from(p.day) * 10_000 + u32::from(p.hour) * 100 + u32::from(p.minute)
}

/// The carrier accepts and delivers message `id` (one segment).
async fn delivered(engine: &Engine, id: MessageId, carrier_id: &str) {
    let t = now();
    let sub = SubmitOutcome {
        message_id: id,
        segment: 1,
        carrier_msg_id: Some(carrier_id.into()),
        result: 0,
        error: None,
        at: t,
    };
    engine.submit_outcomes(vec![sub]).await.unwrap();
    let report = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: carrier_id.into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at: t,
        raw: String::new(),
    };
    engine.reports(vec![report]).await.unwrap();
}

#[tokio::test]
async fn msg_ids_are_in_cmpps_layout_unique_and_carried_by_the_reports() {
    let Platform { store, engine, account, queues: _queues } = support::platform("cmpp-msg-id").await;
    let login = engine.create_client_login(account, "cmpp", SP.into(), 16).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = watch::channel(false);
    let config = CmppServerConfig { gateway_code: GATEWAY, ..CmppServerConfig::default() };
    let server = tokio::spawn(serve(listener, engine.clone(), config, None, stopped));

    let mut c = Client::connect(addr, &login.secret).await;
    let before = now().beijing_mmddhhmmss() / 100;
    const MANY: usize = 300;
    let mut sequences = Vec::new();
    for n in 0..MANY {
        sequences.push(c.submit(submit(&[&format!("1380013{n:04}")], "您的申报已受理")).await);
    }
    c.run_until(|e| answers(e).len() == MANY).await;
    let after = now().beijing_mmddhhmmss() / 100;
    let ids: Vec<u64> = sequences.iter().map(|s| c.msg_id_of(*s)).collect();
    let unique: std::collections::HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), MANY, "every SUBMIT has its own Msg_Id");
    for id in &ids {
        assert_eq!(msg_id::decompose(*id).gateway, GATEWAY, "our configured gateway code");
        assert!((before..=after).contains(&minute_of(*id)), "{:?} not in {before}..={after}", msg_id::decompose(*id));
    }

    // A group SUBMIT: one message per recipient, the second numbered first + 1.
    let sequence = c.submit(submit(&["13900139001", "13900139002"], "两位收件人")).await;
    c.run_until(|e| answers(e).len() == MANY + 1).await;
    let group = c.msg_id_of(sequence);
    let filter = MessageFilter { account_id: Some(account), limit: 1000, ..Default::default() };
    let messages = store.list_messages(filter).await.unwrap();
    assert_eq!(messages.len(), MANY + 2, "both recipients of the group SUBMIT are messages");
    let of = |to: &str| messages.iter().find(|m| m.message.to == to).unwrap().message.id;

    // The reports carry the Msg_Ids the client was given.
    delivered(&engine, of("13900139001"), "g1").await;
    delivered(&engine, of("13900139002"), "g2").await;
    delivered(&engine, of("13800130007"), "s7").await;
    c.run_until(|e| e.iter().filter(|e| matches!(e, ClientEvent::Deliver { .. })).count() == 3).await;
    let reports = c.reports();
    let mut got: Vec<u64> = reports.iter().map(|(id, _)| *id).collect();
    got.sort_unstable();
    let mut want = vec![group, msg_id::nth(group, 1), ids[7]];
    want.sort_unstable();
    assert_eq!(got, want, "each report carries the Msg_Id of its SUBMIT_RESP");
    for (_, own) in &reports {
        assert_eq!(msg_id::decompose(*own).gateway, GATEWAY, "a DELIVER's own Msg_Id is in the layout too");
    }
    drop(c);
    stop.send(true).unwrap();
    server.await.unwrap();
}
