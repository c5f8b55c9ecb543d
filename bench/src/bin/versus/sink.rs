//! The SMPP sink both peers submit to: an SMSC that binds anyone, answers every submit_sm
//! with ESME_ROK and a fresh message_id, sends no receipts, and counts what it received.
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

use hongyan_smpp_proto::pdu::{DataSmResp, QuerySmResp, SubmitMultiResp};
use hongyan_smpp_proto::{CommandStatus, SessionConfig, SmscEvent, SmscSession};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The window the scenario names: the sink lets the gateway keep 100 submits outstanding.
pub(crate) const WINDOW: usize = 100;

/// What the sink has seen, shared with the harness.
#[derive(Debug)]
pub(crate) struct SinkCounters {
    /// What `last_submit_ns` counts from.
    epoch: Instant,
    /// When the latest submit_sm arrived, in ns since `epoch`: once the count reaches N, the
    /// moment the N-th arrived, with no polling.
    last_submit_ns: AtomicU64,
    /// Successful binds.
    pub(crate) binds: AtomicU64,
    /// submit_sm received (and answered ESME_ROK).
    pub(crate) submits: AtomicU64,
    /// Anything else that asked for a message (data_sm, submit_multi): refused, and counted
    /// because it means a peer is not being measured on submit_sm alone.
    pub(crate) other: AtomicU64,
}

impl SinkCounters {
    pub(crate) fn new() -> Self {
        Self {
            epoch: Instant::now(),
            last_submit_ns: AtomicU64::new(0),
            binds: AtomicU64::new(0),
            submits: AtomicU64::new(0),
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
pub(crate) async fn start(counters: Arc<SinkCounters>) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let next_id = Arc::new(AtomicU64::new(1));
        while let Ok((stream, _)) = listener.accept().await {
            let (counters, next_id) = (Arc::clone(&counters), Arc::clone(&next_id));
            tokio::spawn(async move {
                if let Err(e) = serve(stream, &counters, &next_id).await {
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

/// One ESME connection: read, feed the session, answer its events, write what it queued.
async fn serve(mut stream: TcpStream, counters: &SinkCounters, next_id: &AtomicU64) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut session = SmscSession::new(config(), Instant::now());
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(64 * 1024);
    while !session.is_closed() {
        let wake =
            session.poll_timeout().map_or(Duration::from_secs(3600), |t| t.saturating_duration_since(Instant::now()));
        tokio::select! {
            read = stream.read(&mut buf) => {
                let n = read?;
                if n == 0 {
                    return Ok(());
                }
                session.handle_input(&buf[..n], Instant::now()).map_err(std::io::Error::other)?;
            }
            () = tokio::time::sleep(wake) => session.handle_timeout(Instant::now()),
        }
        while let Some(event) = session.poll_event() {
            answer(&mut session, event, counters, next_id);
        }
        out.clear();
        while let Some(frame) = session.poll_transmit() {
            out.extend_from_slice(&frame);
        }
        if !out.is_empty() {
            stream.write_all(&out).await?;
        }
    }
    Ok(())
}

fn answer(session: &mut SmscSession, event: SmscEvent, counters: &SinkCounters, next_id: &AtomicU64) {
    match event {
        SmscEvent::BindRequest { sequence, .. } => {
            counters.binds.fetch_add(1, Ordering::Relaxed);
            session.answer_bind(sequence, CommandStatus::ESME_ROK, "sink");
        }
        SmscEvent::Submit { sequence, .. } => {
            let id = format!("{:016x}", next_id.fetch_add(1, Ordering::Relaxed));
            // Counted before the answer is queued: the peer cannot see the response first.
            let at = u64::try_from(counters.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
            counters.last_submit_ns.fetch_max(at, Ordering::Relaxed);
            counters.submits.fetch_add(1, Ordering::Relaxed);
            session.answer_submit(sequence, CommandStatus::ESME_ROK, id);
        }
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
        // No deliver_sm is ever sent, and link ends are seen through is_closed.
        _ => {}
    }
}
