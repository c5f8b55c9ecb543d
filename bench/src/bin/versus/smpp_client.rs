//! The SMPP client system of `smpp-server`: `hongyan-smpp-proto`'s ESME session, one per
//! transceiver bind, over TCP. Each bind submits its share of the messages as fast as its
//! window allows, acknowledges every deliver_sm, and stays until every number's receipt has
//! arrived on one bind or another.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure};
use hongyan_smpp_proto::pdu::{Address, Bind, BindMode, SubmitSm};
use hongyan_smpp_proto::{
    CommandStatus, DataCoding, EsmeEvent, EsmeSession, Npi, RegisteredDelivery, SessionConfig, Ton,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::peers::{number, CONTENT};
use crate::servers::Client;
use crate::sink::WINDOW;
use crate::timeline::Moment;
use crate::wait::STALL;

/// Where one bind stands.
#[derive(Default)]
struct State {
    bound: bool,
    /// Submits answered (or given up).
    answered: u64,
}

/// One connection: logs in, submits its share `mine` of `total`, takes its receipts.
pub(crate) async fn bind(
    server: SocketAddr,
    (login, secret): &(String, String),
    mine: std::ops::Range<u64>,
    total: u64,
    client: &Client,
) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect(server).await?;
    stream.set_nodelay(true)?;
    let mut session = EsmeSession::new(SessionConfig { window: WINDOW, ..SessionConfig::default() });
    session.bind(Instant::now(), Bind::new(BindMode::Transceiver, login.as_str(), secret.as_str()))?;
    let text = hongyan_text::Encoding::Ucs2.encode(CONTENT)?;
    let (mut next, mut state) = (mine.start, State::default());
    let mut buf = vec![0u8; 64 * 1024];
    let mut progress = Instant::now();
    loop {
        while state.bound && next < mine.end && session.can_submit() {
            session.submit(Instant::now(), submit(next, &text))?;
            client.timeline.mark(Moment::Sent, next);
            next += 1;
        }
        let finished = state.answered == mine.end - mine.start && Client::get(&client.receipts) >= total;
        if finished {
            session.unbind(Instant::now());
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

fn handle(session: &mut EsmeSession, event: EsmeEvent, client: &Client, state: &mut State) -> anyhow::Result<()> {
    match event {
        EsmeEvent::Bound { .. } => state.bound = true,
        EsmeEvent::BindRejected { status } => bail!("bind refused: {status}"),
        EsmeEvent::SubmitResp { status, .. } => {
            state.answered += 1;
            client.answered(status == CommandStatus::ESME_ROK, || format!("submit_sm_resp {status}"));
        }
        EsmeEvent::SubmitTimedOut { .. } => {
            state.answered += 1;
            client.answered(false, || "a submit_sm went unanswered".to_owned());
        }
        EsmeEvent::Deliver { sequence, deliver } => {
            session.ack_deliver(sequence, CommandStatus::ESME_ROK);
            client.receipt(&deliver.source.addr);
        }
        EsmeEvent::LinkDead | EsmeEvent::Unbound => bail!("the link ended: {event:?}"),
        _ => {}
    }
    Ok(())
}

/// Message `i`: one UCS-2 segment to its number, with a receipt asked for.
fn submit(i: u64, text: &[u8]) -> SubmitSm {
    SubmitSm {
        source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "1069"),
        dest: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, number(i).as_str()),
        service_type: b"NOTIF".to_vec(),
        registered_delivery: RegisteredDelivery::RECEIPT,
        data_coding: DataCoding::UCS2,
        short_message: text.to_vec(),
        ..SubmitSm::default()
    }
}
