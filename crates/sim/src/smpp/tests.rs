//! The simulated SMSC over real loopback TCP, driven by the protocol crate's [`EsmeSession`].

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;
use std::time::Duration;

use hongyan_smpp_proto::pdu::{Address, Bind, BindMode, DataSm, DeliverSm, SubmitSm};
use hongyan_smpp_proto::session::SessionConfig;
use hongyan_smpp_proto::{
    CommandStatus, DataCoding, DeliveryReceipt, EsmeEvent, EsmeSession, MessageState, RegisteredDelivery, TlvTag,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::{timeout, Instant};

use super::{SmppSim, SmppSimConfig};
use crate::{Counters, Outcome, ReportBook, Scenario};

const SYSTEM_ID: &str = "hongyan";
const PASSWORD: &str = "secret";
/// Longest any single wait in these tests may take.
const PATIENCE: Duration = Duration::from_secs(5);

fn scenario() -> Scenario {
    Scenario { report_delay: Duration::from_millis(30), ..Scenario::default() }
}

/// A running simulator; dropping it leaves the task to end with the test runtime.
struct Running {
    sim: Arc<SmppSim>,
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    served: tokio::task::JoinHandle<()>,
}

async fn start(scenario: Scenario, book: ReportBook) -> Running {
    let accounts = HashMap::from([(SYSTEM_ID.to_owned(), PASSWORD.to_owned())]);
    let sim = SmppSim::new(SmppSimConfig { accounts, scenario, session: SessionConfig::default() }, book);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = watch::channel(false);
    let served = tokio::spawn(Arc::clone(&sim).serve(listener, rx));
    Running { sim, addr, stop, served }
}

/// A test ESME: the protocol crate's client session over a TCP stream.
struct Esme {
    session: EsmeSession,
    stream: TcpStream,
    /// Events read while waiting for another one (a receipt that overtook a response).
    pending: VecDeque<EsmeEvent>,
}

impl Esme {
    /// Connects and binds; returns the client and the bind's outcome event.
    async fn bind(addr: SocketAddr, mode: BindMode, password: &str) -> (Self, EsmeEvent) {
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut esme = Self { session: EsmeSession::new(SessionConfig::default()), stream, pending: VecDeque::new() };
        esme.session.bind(Instant::now().into_std(), Bind::new(mode, SYSTEM_ID, password)).unwrap();
        let event = esme.event().await;
        (esme, event)
    }

    async fn bound(addr: SocketAddr, mode: BindMode) -> Self {
        let (esme, event) = Self::bind(addr, mode, PASSWORD).await;
        assert!(matches!(event, EsmeEvent::Bound { .. }), "{event:?}");
        esme
    }

    /// The next event, set-aside ones first.
    async fn event(&mut self) -> EsmeEvent {
        match self.pending.pop_front() {
            Some(event) => event,
            None => self.wire_event().await,
        }
    }

    /// Writes what the session has queued, then waits for its next event.
    async fn wire_event(&mut self) -> EsmeEvent {
        let mut buf = vec![0u8; 4096];
        loop {
            while let Some(bytes) = self.session.poll_transmit() {
                self.stream.write_all(&bytes).await.unwrap();
            }
            if let Some(event) = self.session.poll_event() {
                return event;
            }
            assert!(!self.session.is_closed(), "the session closed without an event");
            let n = timeout(PATIENCE, self.stream.read(&mut buf)).await.expect("no event in time").unwrap();
            assert!(n > 0, "the simulator closed the connection");
            self.session.handle_input(&buf[..n], Instant::now().into_std()).unwrap();
        }
    }

    /// Sends the queued frames (an acknowledgement, say) without waiting for anything.
    async fn flush(&mut self) {
        while let Some(bytes) = self.session.poll_transmit() {
            self.stream.write_all(&bytes).await.unwrap();
        }
    }

    fn submit(&mut self, dest: &str) -> u32 {
        let submit = SubmitSm {
            source: Address::international("10690000"),
            dest: Address::international(dest),
            registered_delivery: RegisteredDelivery::RECEIPT,
            data_coding: DataCoding::UCS2,
            short_message: "你好".encode_utf16().flat_map(u16::to_be_bytes).collect(),
            ..SubmitSm::default()
        };
        self.session.submit(Instant::now().into_std(), submit).unwrap()
    }

    /// Submits and returns the answer's status and message_id.
    async fn submit_and_wait(&mut self, dest: &str) -> (CommandStatus, String) {
        let sent = self.submit(dest);
        loop {
            match self.wire_event().await {
                EsmeEvent::SubmitResp { sequence, status, resp } if sequence == sent => {
                    return (status, String::from_utf8(resp.message_id).unwrap());
                }
                other => self.pending.push_back(other),
            }
        }
    }

    /// Waits for a receipt; returns its sequence_number and body.
    async fn receipt(&mut self) -> (u32, DeliverSm) {
        match self.event().await {
            EsmeEvent::Deliver { sequence, deliver } => {
                assert!(deliver.is_receipt(), "esm_class {:?}", deliver.esm_class);
                (sequence, deliver)
            }
            other => panic!("expected a deliver_sm receipt, got {other:?}"),
        }
    }

    async fn ack(&mut self, sequence: u32) {
        self.answer(sequence, CommandStatus::ESME_ROK).await;
    }

    async fn answer(&mut self, sequence: u32, status: CommandStatus) {
        assert!(self.session.ack_deliver(sequence, status));
        self.flush().await;
    }

    /// True when the simulator closes the connection (within [`PATIENCE`]).
    async fn closed_by_peer(&mut self) -> bool {
        self.flush().await;
        let mut buf = vec![0u8; 4096];
        matches!(timeout(PATIENCE, self.stream.read(&mut buf)).await, Ok(Ok(0) | Err(_)))
    }
}

fn receipted_id(deliver: &DeliverSm) -> String {
    String::from_utf8(deliver.tlvs.receipted_message_id().expect("receipted_message_id TLV").to_vec()).unwrap()
}

fn receipt_text(deliver: &DeliverSm) -> DeliveryReceipt {
    DeliveryReceipt::parse(&deliver.short_message).expect("receipt text")
}

/// Waits until `counter` reaches `want`.
async fn until(counter: &AtomicU32, want: u32) {
    let deadline = Instant::now() + PATIENCE;
    while Counters::get(counter) < want {
        assert!(Instant::now() < deadline, "counter stuck at {}, wanted {want}", Counters::get(counter));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn temp_journal(tag: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("hongyan-sim-smpp-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("smpp.journal");
    (dir, path)
}

#[tokio::test]
async fn binds_with_the_password_and_refuses_a_wrong_one() {
    let sim = start(scenario(), ReportBook::in_memory()).await;
    let (_esme, ok) = Esme::bind(sim.addr, BindMode::Transceiver, PASSWORD).await;
    let EsmeEvent::Bound { mode, system_id, sc_interface_version } = ok else { panic!("{ok:?}") };
    assert_eq!(
        (mode, system_id.as_slice(), sc_interface_version),
        (BindMode::Transceiver, &b"hongyan-sim"[..], Some(0x34))
    );
    let (_esme, refused) = Esme::bind(sim.addr, BindMode::Transceiver, "wrong").await;
    assert_eq!(refused, EsmeEvent::BindRejected { status: CommandStatus::ESME_RINVPASWD });
    assert_eq!((Counters::get(&sim.sim.counters.logins), Counters::get(&sim.sim.counters.refused_logins)), (1, 1));
}

#[tokio::test]
async fn a_submit_gets_a_hex_id_and_a_receipt_that_is_struck_when_acknowledged() {
    let sim = start(scenario(), ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transceiver).await;
    let (status, id) = esme.submit_and_wait("8613800138000").await;
    assert_eq!(status, CommandStatus::ESME_ROK);
    assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "message_id {id:?}");
    let (sequence, receipt) = esme.receipt().await;
    assert_eq!(receipted_id(&receipt), id);
    assert_eq!(receipt.tlvs.message_state(), Some(MessageState::DELIVERED));
    let text = receipt_text(&receipt);
    assert_eq!(
        (text.id.as_str(), text.stat.as_deref(), text.err.as_deref()),
        (id.as_str(), Some("DELIVRD"), Some("000"))
    );
    assert_eq!((text.sub.as_deref(), text.dlvrd.as_deref()), (Some("001"), Some("001")));
    assert_eq!(receipt.source.addr, b"8613800138000", "a receipt comes from the handset");
    assert_eq!(sim.sim.owed_reports(), 1, "owed until acknowledged");
    esme.ack(sequence).await;
    until(&sim.sim.counters.reports_acked, 1).await;
    assert_eq!(sim.sim.owed_reports(), 0);
    assert_eq!(Counters::get(&sim.sim.counters.reports_sent), 1);
    let (_, second) = esme.submit_and_wait("8613800138000").await;
    assert_ne!(second, id, "message ids are unique");
}

#[tokio::test]
async fn data_sm_is_answered_like_submit_sm() {
    let sim = start(scenario(), ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transceiver).await;
    let mut data = DataSm {
        source: Address::international("10690000"),
        dest: Address::international("8613800138000"),
        registered_delivery: RegisteredDelivery::RECEIPT,
        ..DataSm::default()
    };
    data.tlvs.set(TlvTag::MESSAGE_PAYLOAD, b"hello".to_vec());
    let sent = esme.session.data_sm(Instant::now().into_std(), data).unwrap();
    let EsmeEvent::DataSmResp { sequence, status, resp } = esme.event().await else { panic!("no data_sm_resp") };
    assert_eq!((sequence, status, resp.message_id.len()), (sent, CommandStatus::ESME_ROK, 16));
    let (_, receipt) = esme.receipt().await;
    assert_eq!(receipted_id(&receipt).into_bytes(), resp.message_id);
}

#[tokio::test]
async fn over_the_rate_limit_is_throttled_and_owes_nothing() {
    let sim = start(Scenario { rate_limit: Some(2), ..scenario() }, ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transmitter).await;
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(esme.submit_and_wait("8613800138000").await);
    }
    assert_eq!(statuses[2], (CommandStatus::ESME_RTHROTTLED, String::new()));
    assert!(statuses[..2].iter().all(|(s, _)| s.is_ok()), "{statuses:?}");
    assert_eq!(Counters::get(&sim.sim.counters.throttled), 1);
    assert_eq!(sim.sim.owed_reports(), 2, "a transmitter bind receives nothing; the two stay owed");
}

#[tokio::test]
async fn outcomes_follow_the_mix() {
    let outcomes = vec![
        Outcome { stat: "DELIVRD".into(), err: "000".into(), weight: 1 },
        Outcome { stat: "UNDELIV".into(), err: "001".into(), weight: 1 },
    ];
    let sim = start(Scenario { outcomes, ..scenario() }, ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transceiver).await;
    let mut ids = vec![esme.submit_and_wait("8613800138000").await.1, esme.submit_and_wait("8613800138001").await.1];
    let mut got = Vec::new();
    for _ in 0..2 {
        let (sequence, receipt) = esme.receipt().await;
        let text = receipt_text(&receipt);
        got.push((receipted_id(&receipt), text.stat.unwrap(), text.err.unwrap(), receipt.tlvs.message_state()));
        esme.ack(sequence).await;
    }
    got.sort();
    ids.sort();
    assert_eq!(got.iter().map(|g| g.0.clone()).collect::<Vec<_>>(), ids);
    let mut stats: Vec<_> = got.into_iter().map(|(_, stat, err, state)| (stat, err, state)).collect();
    stats.sort();
    assert_eq!(
        stats,
        [
            ("DELIVRD".to_owned(), "000".to_owned(), Some(MessageState::DELIVERED)),
            ("UNDELIV".to_owned(), "001".to_owned(), Some(MessageState::UNDELIVERABLE)),
        ]
    );
    until(&sim.sim.counters.reports_acked, 2).await;
}

/// Receipts owed while no receiver is bound go to a later bind, one that dies unacknowledged
/// gives its receipt back, and the journal carries what is still owed across a restart.
#[tokio::test]
async fn owed_receipts_wait_for_a_receiver_and_survive_a_restart() {
    let (dir, path) = temp_journal("restart");
    let first = start(scenario(), ReportBook::open(&path).unwrap()).await;
    let mut tx = Esme::bound(first.addr, BindMode::Transmitter).await;
    let a = tx.submit_and_wait("8613800138000").await.1;
    let b = tx.submit_and_wait("8613800138001").await.1;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(first.sim.owed_reports(), 2);

    let mut rx = Esme::bound(first.addr, BindMode::Receiver).await;
    let (sequence, receipt) = rx.receipt().await;
    let acked = receipted_id(&receipt);
    rx.ack(sequence).await;
    let (_, unacked) = rx.receipt().await;
    let left = receipted_id(&unacked);
    let (mut got, mut want) = (vec![acked, left.clone()], vec![a, b]);
    got.sort();
    want.sort();
    assert_eq!(got, want);
    until(&first.sim.counters.reports_acked, 1).await;
    // The receiver dies without acknowledging the second receipt: the next bind gets it again.
    drop(rx);
    let mut rx = Esme::bound(first.addr, BindMode::Receiver).await;
    assert_eq!(receipted_id(&rx.receipt().await.1), left);
    // Unacknowledged again; no session is left for the shutdown below to unbind.
    drop((rx, tx));

    let _ = first.stop.send(true);
    timeout(PATIENCE, first.served).await.unwrap().unwrap();
    let book = ReportBook::open(&path).unwrap();
    assert_eq!(book.owed(), 1, "the unacknowledged receipt is still owed after a restart");
    let second = start(scenario(), book).await;
    let mut trx = Esme::bound(second.addr, BindMode::Transceiver).await;
    let (sequence, again) = trx.receipt().await;
    assert_eq!(receipted_id(&again), left);
    trx.ack(sequence).await;
    until(&second.sim.counters.reports_acked, 1).await;
    assert_eq!(second.sim.owed_reports(), 0);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn shutdown_unbinds_the_bound_sessions() {
    let sim = start(scenario(), ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transceiver).await;
    let _ = sim.stop.send(true);
    assert_eq!(esme.event().await, EsmeEvent::Unbound);
    timeout(PATIENCE, sim.served).await.expect("serve returns once its sessions are gone").unwrap();
}

#[tokio::test]
async fn a_refused_receipt_stays_owed_and_comes_again() {
    let sim = start(scenario(), ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transceiver).await;
    let (_, id) = esme.submit_and_wait("8613800138000").await;
    let (sequence, first) = esme.receipt().await;
    esme.answer(sequence, CommandStatus::ESME_RX_T_APPN).await;
    let (sequence, again) = esme.receipt().await;
    assert_eq!((receipted_id(&first), receipted_id(&again)), (id.clone(), id));
    assert_eq!((Counters::get(&sim.sim.counters.reports_acked), sim.sim.owed_reports()), (0, 1));
    esme.ack(sequence).await;
    until(&sim.sim.counters.reports_acked, 1).await;
    assert_eq!(sim.sim.owed_reports(), 0);
}

#[tokio::test]
async fn duplicate_receipts_are_struck_once() {
    let sim = start(Scenario { duplicate_reports: true, ..scenario() }, ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transceiver).await;
    let (_, id) = esme.submit_and_wait("8613800138000").await;
    for _ in 0..2 {
        let (sequence, receipt) = esme.receipt().await;
        assert_eq!(receipted_id(&receipt), id);
        esme.ack(sequence).await;
    }
    until(&sim.sim.counters.reports_acked, 1).await;
    assert_eq!((Counters::get(&sim.sim.counters.reports_sent), sim.sim.owed_reports()), (2, 0));
}

#[tokio::test]
async fn responses_are_held_by_the_latency_and_every_nth_submit_drops_the_link() {
    let latency = Duration::from_millis(150);
    let scenario = Scenario { submit_latency: latency, drop_every: Some(2), ..scenario() };
    let sim = start(scenario, ReportBook::in_memory()).await;
    let mut esme = Esme::bound(sim.addr, BindMode::Transmitter).await;
    let sent = Instant::now();
    assert!(esme.submit_and_wait("8613800138000").await.0.is_ok());
    assert!(sent.elapsed() >= latency, "answered after {:?}", sent.elapsed());
    esme.submit("8613800138000");
    assert!(esme.closed_by_peer().await, "the second submit closes the link unanswered");
    until(&sim.sim.counters.dropped, 1).await;
    assert_eq!(Counters::get(&sim.sim.counters.submits), 2);
}

#[test]
fn receipts_follow_registered_delivery_and_carry_the_error() {
    use super::{receipt_pdu, wants_receipt};
    let failed = Outcome { stat: "UNDELIV".into(), err: "001".into(), weight: 1 };
    let delivered = Outcome { stat: "DELIVRD".into(), err: "000".into(), weight: 1 };
    let asks = |bits: u8, o: &Outcome| wants_receipt(RegisteredDelivery(bits), o);
    assert_eq!([asks(0, &delivered), asks(1, &delivered), asks(2, &delivered)], [false, true, false]);
    assert_eq!([asks(0, &failed), asks(1, &failed), asks(2, &failed), asks(0x11, &failed)], [false, true, true, true]);
    let owed = crate::OwedReport {
        msg_id: "00000000000000ff".into(),
        sp: SYSTEM_ID.into(),
        due_ms: 0,
        stat: failed.stat,
        err: failed.err,
        submit_time: "2611290806".into(),
        done_time: "2611290807".into(),
        dest: "8613800138000".into(),
        src_id: "10690000".into(),
        service_id: "CMT".into(),
    };
    let pdu = receipt_pdu(&owed, crate::SmppReceiptForm::Both);
    let text = String::from_utf8(pdu.short_message.clone()).unwrap();
    assert_eq!(
        text,
        "id:00000000000000ff sub:001 dlvrd:000 submit date:2611290806 done date:2611290807 stat:UNDELIV err:001 text:"
    );
    assert_eq!(pdu.tlvs.network_error_code(), Some((3, 1)));
    assert_eq!((pdu.dest.addr.as_slice(), pdu.service_type.as_slice()), (&b"10690000"[..], &b"CMT"[..]));
}

/// A gateway killed and started again at once (the same second, the same millisecond even)
/// gives fresh message_ids: the counter goes on from the mark the last run left.
#[tokio::test]
async fn a_restart_within_the_same_second_gives_fresh_message_ids() {
    let (dir, path) = temp_journal("fresh-ids");
    let mut seen = Vec::new();
    for _ in 0..3 {
        let run = start(scenario(), ReportBook::open(&path).unwrap()).await;
        let mut tx = Esme::bound(run.addr, BindMode::Transmitter).await;
        for _ in 0..3 {
            let (status, id) = tx.submit_and_wait("8613800138000").await;
            assert_eq!(status, CommandStatus::ESME_ROK);
            seen.push(u64::from_str_radix(&id, 16).unwrap());
        }
        // Killed, not stopped: nothing is written on the way out.
        run.served.abort();
    }
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "every id new, across restarts: {seen:x?}");
    std::fs::remove_dir_all(&dir).ok();
}
