//! The CMPP client system (SP) of `cmpp-server`: `hongyan-cmpp-proto`'s client session, one
//! per CMPP 3.0 connection, over TCP. Each connection submits its share of the messages as
//! fast as its window allows, acknowledges every DELIVER, and stays until every number's
//! status report has arrived on one connection or another.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use hongyan_cmpp_proto::pdu::Submit;
use hongyan_cmpp_proto::{ClientEvent, ClientSession, MsgFmt, SessionConfig, SubmitResult, Version};
use hongyan_types::Timestamp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::peers::{number, CONTENT};
use crate::servers::Client;
use crate::sink::WINDOW;
use crate::timeline::Moment;
use crate::wait::STALL;

/// Where one connection stands.
#[derive(Default)]
struct State {
    connected: bool,
    /// Submits answered (or given up).
    answered: u64,
}

/// One connection: logs in, submits its share `mine` of `total`, takes its receipts.
pub(crate) async fn link(
    server: SocketAddr,
    (sp_id, secret): &(String, String),
    mine: std::ops::Range<u64>,
    total: u64,
    client: &Client,
) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect(server).await?;
    stream.set_nodelay(true)?;
    let config = SessionConfig { version: Version::V30, window: WINDOW, ..SessionConfig::default() };
    let mut session = ClientSession::new(config, sp_id.as_bytes().to_vec(), secret.as_bytes().to_vec());
    session.connect(Instant::now(), Timestamp::from_system(std::time::SystemTime::now()).beijing_mmddhhmmss());
    let text = hongyan_text::Encoding::Ucs2.encode(CONTENT)?;
    let (mut next, mut state) = (mine.start, State::default());
    let mut buf = vec![0u8; 64 * 1024];
    let mut progress = Instant::now();
    loop {
        while state.connected && next < mine.end && session.can_submit() {
            session.submit(Instant::now(), submit(next, sp_id, &text))?;
            client.timeline.mark(Moment::Sent, next);
            next += 1;
        }
        let finished = state.answered == mine.end - mine.start && Client::get(&client.receipts) >= total;
        if finished {
            session.terminate(Instant::now());
        }
        while let Some(bytes) = session.poll_transmit() {
            stream.write_all(&bytes).await?;
        }
        if finished {
            return Ok(());
        }
        ensure!(progress.elapsed() < STALL, "no progress for {STALL:?}");
        if let Ok(n) = tokio::time::timeout(Duration::from_millis(20), stream.read(&mut buf)).await {
            let n = n?;
            ensure!(n > 0, "the server closed the connection");
            session.handle_input(&buf[..n], Instant::now())?;
            progress = Instant::now();
        }
        session.handle_timeout(Instant::now());
        while let Some(event) = session.poll_event() {
            handle(&mut session, event, client, &mut state)?;
        }
    }
}

fn handle(session: &mut ClientSession, event: ClientEvent, client: &Client, state: &mut State) -> anyhow::Result<()> {
    match event {
        ClientEvent::Connected { .. } => state.connected = true,
        ClientEvent::ConnectRejected { status } => bail!("login refused: status {status}"),
        ClientEvent::SubmitResp { resp, .. } => {
            state.answered += 1;
            let result = resp.result;
            client.answered(result == SubmitResult::OK, || format!("SUBMIT_RESP Result {result}"));
        }
        ClientEvent::SubmitTimedOut { .. } => {
            state.answered += 1;
            client.answered(false, || "a SUBMIT went unanswered".to_owned());
        }
        ClientEvent::Deliver { sequence_id, deliver } => {
            session.ack_deliver(sequence_id, deliver.msg_id, 0);
            if let Some(Ok(report)) = deliver.report(session.version()) {
                client.receipt(&report.dest_terminal_id);
            }
        }
        ClientEvent::LinkDead | ClientEvent::Terminated => bail!("the link ended: {event:?}"),
        _ => {}
    }
    Ok(())
}

/// Message `i`: one UCS-2 segment to its number, with a status report asked for.
fn submit(i: u64, sp_id: &str, text: &[u8]) -> Submit {
    Submit {
        service_id: b"NOTIF".to_vec(),
        msg_fmt: MsgFmt::UCS2,
        msg_src: sp_id.as_bytes().to_vec(),
        src_id: b"1069".to_vec(),
        dest_terminal_ids: vec![number(i).into_bytes()],
        msg_content: text.to_vec(),
        ..Submit::default()
    }
}
