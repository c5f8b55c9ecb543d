//! The SMPP sink both peers submit to: an SMSC that binds anyone, answers every submit_sm
//! with ESME_ROK and a fresh message_id, and counts what it received. With receipts on, it
//! also sends one DELIVRD delivery receipt per submit on the same (transceiver) bind, as soon
//! as the window has room, and counts the ones acknowledged.
//!
//! The session mechanics (framing, window, enquire_link, unbind) are `hongyan-smpp-proto`'s
//! sans-I/O `SmscSession`; this file only moves bytes and answers events. It is not the
//! project's simulator (`hongyan_sim::smpp::SmppSim`) because that one keeps a report book
//! entry per message whenever registered_delivery asks for a receipt, which Hongyan always
//! does and Kannel does not: the sink must cost both peers the same.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::collections::VecDeque;

use hongyan_smpp_proto::pdu::{DataSmResp, DeliverSm, QuerySmResp, SubmitMultiResp, SubmitSm};
use hongyan_smpp_proto::{CommandStatus, DeliveryReceipt, Pdu, SessionConfig, SmscEvent, SmscSession};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::timeline::{Moment, Timeline};

/// The window the scenario names: the sink lets the gateway keep 100 submits outstanding.
pub(crate) const WINDOW: usize = 100;

/// What the sink has seen, shared with the harness.
#[derive(Debug)]
pub(crate) struct SinkCounters {
    /// When each message's submit_sm arrived.
    timeline: Arc<Timeline>,
    /// What `last_submit_ns` counts from.
    epoch: Instant,
    /// When the latest submit_sm arrived, in ns since `epoch`: once the count reaches N, the
    /// moment the N-th arrived, with no polling.
    last_submit_ns: AtomicU64,
    /// Successful binds.
    pub(crate) binds: AtomicU64,
    /// submit_sm received (and answered ESME_ROK).
    pub(crate) submits: AtomicU64,
    /// Delivery receipts the peer answered with ESME_ROK.
    pub(crate) receipts_acked: AtomicU64,
    /// Delivery receipts the peer refused (any other command_status).
    pub(crate) receipts_refused: AtomicU64,
    /// Anything else that asked for a message (data_sm, submit_multi): refused, and counted
    /// because it means a peer is not being measured on submit_sm alone.
    pub(crate) other: AtomicU64,
}

impl SinkCounters {
    pub(crate) fn new(timeline: Arc<Timeline>) -> Self {
        Self {
            timeline,
            epoch: Instant::now(),
            last_submit_ns: AtomicU64::new(0),
            binds: AtomicU64::new(0),
            submits: AtomicU64::new(0),
            receipts_acked: AtomicU64::new(0),
            receipts_refused: AtomicU64::new(0),
            other: AtomicU64::new(0),
        }
    }

    /// When the latest submit_sm arrived.
    pub(crate) fn last_submit(&self) -> Instant {
        self.epoch + Duration::from_nanos(self.last_submit_ns.load(Ordering::Relaxed))
    }

    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// Listens on 127.0.0.1 (a free port) and serves every connection until the runtime ends.
pub(crate) async fn start(counters: Arc<SinkCounters>, receipts: bool) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let next_id = Arc::new(AtomicU64::new(1));
        while let Ok((stream, _)) = listener.accept().await {
            let (counters, next_id) = (Arc::clone(&counters), Arc::clone(&next_id));
            tokio::spawn(async move {
                let mut conn = Conn::new(&counters, &next_id, receipts);
                if let Err(e) = conn.serve(stream).await {
                    eprintln!("sink: connection ended: {e}");
                }
            });
        }
    });
    Ok(addr)
}

fn config() -> SessionConfig {
    SessionConfig { window: WINDOW, ..SessionConfig::default() }
}

/// One ESME connection's state.
struct Conn<'a> {
    session: SmscSession,
    counters: &'a SinkCounters,
    next_id: &'a AtomicU64,
    /// Receipts owed and not yet sent (the window was full); `None` when receipts are off.
    owed: Option<VecDeque<DeliverSm>>,
}

impl<'a> Conn<'a> {
    fn new(counters: &'a SinkCounters, next_id: &'a AtomicU64, receipts: bool) -> Self {
        let session = SmscSession::new(config(), Instant::now());
        Self { session, counters, next_id, owed: receipts.then(VecDeque::new) }
    }

    /// Read, feed the session, answer its events, send owed receipts, write what it queued.
    async fn serve(&mut self, mut stream: TcpStream) -> std::io::Result<()> {
        stream.set_nodelay(true)?;
        let mut buf = vec![0u8; 64 * 1024];
        let mut out = Vec::with_capacity(64 * 1024);
        while !self.session.is_closed() {
            let wake = self
                .session
                .poll_timeout()
                .map_or(Duration::from_secs(3600), |t| t.saturating_duration_since(Instant::now()));
            tokio::select! {
                read = stream.read(&mut buf) => {
                    let n = read?;
                    if n == 0 {
                        return Ok(());
                    }
                    self.session.handle_input(&buf[..n], Instant::now()).map_err(std::io::Error::other)?;
                }
                () = tokio::time::sleep(wake) => self.session.handle_timeout(Instant::now()),
            }
            while let Some(event) = self.session.poll_event() {
                self.answer(event);
            }
            self.send_receipts();
            out.clear();
            while let Some(frame) = self.session.poll_transmit() {
                out.extend_from_slice(&frame);
            }
            if !out.is_empty() {
                stream.write_all(&out).await?;
            }
        }
        Ok(())
    }

    fn answer(&mut self, event: SmscEvent) {
        let (session, counters) = (&mut self.session, self.counters);
        match event {
            SmscEvent::BindRequest { sequence, .. } => {
                counters.binds.fetch_add(1, Ordering::Relaxed);
                session.answer_bind(sequence, CommandStatus::ESME_ROK, "sink");
            }
            SmscEvent::Submit { sequence, submit } => self.submitted(sequence, &submit),
            SmscEvent::DeliverResp { status, .. } if status == CommandStatus::ESME_ROK => {
                counters.receipts_acked.fetch_add(1, Ordering::Relaxed);
            }
            SmscEvent::DeliverResp { .. } => {
                counters.receipts_refused.fetch_add(1, Ordering::Relaxed);
            }
            // Not answered in time or nacked: owed again.
            SmscEvent::DeliverTimedOut { request: Pdu::DeliverSm(d), .. }
            | SmscEvent::GenericNack { request: Some(Pdu::DeliverSm(d)), .. } => {
                if let Some(owed) = &mut self.owed {
                    owed.push_back(d);
                }
            }
            other => refuse(session, other, counters),
        }
    }

    fn submitted(&mut self, sequence: u32, submit: &SubmitSm) {
        // Decimal, no leading zeros: what Kannel's default msg-id-type matches receipts by.
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        let at = u64::try_from(self.counters.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.counters.last_submit_ns.fetch_max(at, Ordering::Relaxed);
        self.counters.timeline.mark_number(Moment::Submitted, &submit.dest.addr);
        // Counted before the answer is queued: the peer cannot see the response first.
        self.counters.submits.fetch_add(1, Ordering::Relaxed);
        if let Some(owed) = &mut self.owed {
            owed.push_back(receipt(submit, &id));
        }
        self.session.answer_submit(sequence, CommandStatus::ESME_ROK, id);
    }

    /// As many owed receipts as the window takes.
    fn send_receipts(&mut self) {
        let Some(owed) = &mut self.owed else { return };
        while self.session.can_deliver() {
            let Some(d) = owed.pop_front() else { return };
            if self.session.deliver(Instant::now(), d).is_err() {
                return;
            }
        }
    }
}

/// The DELIVRD receipt for `submit`: from the handset back to the peer's source address.
fn receipt(submit: &SubmitSm, id: &str) -> DeliverSm {
    let receipt = DeliveryReceipt {
        id: id.to_owned(),
        sub: Some("001".into()),
        dlvrd: Some("001".into()),
        submit_date: Some("2612070000".into()),
        done_date: Some("2612070000".into()),
        stat: Some("DELIVRD".into()),
        err: Some("000".into()),
        text: Some(String::new()),
    };
    DeliverSm::with_receipt(submit.dest.clone(), submit.source.clone(), &receipt)
}

/// Everything the sink does not serve is refused with the command's failure code.
fn refuse(session: &mut SmscSession, event: SmscEvent, counters: &SinkCounters) {
    match event {
        SmscEvent::SubmitMulti { sequence, .. } => {
            counters.other.fetch_add(1, Ordering::Relaxed);
            session.answer_submit_multi(sequence, CommandStatus::ESME_RINVCMDID, SubmitMultiResp::default());
        }
        SmscEvent::DataSm { sequence, .. } => {
            counters.other.fetch_add(1, Ordering::Relaxed);
            session.answer_data_sm(sequence, CommandStatus::ESME_RINVCMDID, DataSmResp::default());
        }
        SmscEvent::Query { sequence, .. } => {
            session.answer_query(sequence, CommandStatus::ESME_RQUERYFAIL, QuerySmResp::default());
        }
        SmscEvent::Cancel { sequence, .. } => {
            session.answer_cancel(sequence, CommandStatus::ESME_RCANCELFAIL);
        }
        SmscEvent::Replace { sequence, .. } => {
            session.answer_replace(sequence, CommandStatus::ESME_RREPLACEFAIL);
        }
        // Link ends are seen through is_closed.
        _ => {}
    }
}
