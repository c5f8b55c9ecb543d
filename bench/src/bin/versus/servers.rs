//! `smpp-server` and `cmpp-server`, Hongyan alone (Kannel has no server for client systems):
//! a client system in the harness opens 4 connections (SMPP binds as transceiver, CMPP 3.0
//! logins), window 100 each, and submits N single-segment messages to `hongyan serve`'s
//! server; the gateway sends them over its binds to the sink (four), which sends a receipt
//! per submit; the server returns each report to the client as a deliver_sm / DELIVER
//! (over one of its connections: an account's receipts go out on the connection that holds
//! its delivery lease). Headline: receipts returned per second (first submit → the N-th
//! number's receipt at the client). Also submit responses accepted per second (first submit →
//! last response) and submit_sm per second at the sink.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;

use crate::batch::since_last;
use crate::load::LoadOutcome;
use crate::peers::free_port;
use crate::peers::Running;
use crate::report::{Extra, Row, Table};
use crate::sink::{SinkCounters, WINDOW};
use crate::solo::{peak_rss_mib, per_second, Meter, Solo};
use crate::timeline::{Moment, Timeline};
use crate::{cmpp_client, kannel_note, smpp_client, wait, Args, Scenario};

/// Connections the client system opens.
pub(crate) const CONNECTIONS: usize = 4;

/// Which of our servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    Smpp,
    Cmpp,
}

impl Protocol {
    fn name(self) -> &'static str {
        match self {
            Self::Smpp => "smpp",
            Self::Cmpp => "cmpp",
        }
    }

    fn scenario(self) -> Scenario {
        match self {
            Self::Smpp => Scenario::SmppServer,
            Self::Cmpp => Scenario::CmppServer,
        }
    }
}

/// What the client system saw, over all its connections.
pub(crate) struct Client {
    pub(crate) timeline: Arc<Timeline>,
    /// Submits answered with success.
    pub(crate) accepted: AtomicU64,
    /// Submits answered otherwise, or given up unanswered.
    pub(crate) refused: AtomicU64,
    /// Receipts for a number not seen before (a repeat is acknowledged, not counted).
    pub(crate) receipts: AtomicU64,
    /// Every receipt, repeats included.
    pub(crate) delivers: AtomicU64,
    /// Submit answers and receipts as the load generator's outcome: first submit, last answer.
    pub(crate) outcome: Mutex<LoadOutcome>,
    pub(crate) last_receipt: Mutex<Option<Instant>>,
}

impl Client {
    fn new(timeline: Arc<Timeline>) -> Self {
        Self {
            timeline,
            accepted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            receipts: AtomicU64::new(0),
            delivers: AtomicU64::new(0),
            outcome: Mutex::new(LoadOutcome { started: Some(Instant::now()), ..LoadOutcome::default() }),
            last_receipt: Mutex::new(None),
        }
    }

    pub(crate) fn answered(&self, ok: bool, what: impl FnOnce() -> String) {
        let counter = if ok { &self.accepted } else { &self.refused };
        counter.fetch_add(1, Ordering::Relaxed);
        let mut o = self.outcome.lock().expect("client outcome");
        o.last_answer = Some(Instant::now());
        if !ok && o.samples.len() < 5 {
            o.samples.push(what());
        }
    }

    /// A receipt for `number` arrived.
    pub(crate) fn receipt(&self, number: &[u8]) {
        self.delivers.fetch_add(1, Ordering::Relaxed);
        // CMPP's fixed-width fields come NUL-padded.
        let end = number.iter().rposition(|b| b.is_ascii_digit()).map_or(0, |p| p + 1);
        let number = &number[..end];
        if self.timeline.mark_number(Moment::Reported, number) {
            self.receipts.fetch_add(1, Ordering::Relaxed);
            *self.last_receipt.lock().expect("last receipt") = Some(Instant::now());
        }
    }

    pub(crate) fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

/// The messages connection `c` of `CONNECTIONS` submits: an even share of `total`.
pub(crate) fn share(c: usize, total: u64) -> std::ops::Range<u64> {
    let per = total.div_ceil(CONNECTIONS as u64);
    let start = (c as u64 * per).min(total);
    start..(start + per).min(total)
}

/// Runs `one` for every connection to the end; what went wrong, a line per failed connection.
async fn connect_all<F, Fut>(login: &(String, String), client: &Arc<Client>, total: u64, one: F) -> Vec<String>
where
    F: Fn((String, String), Arc<Client>, std::ops::Range<u64>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let tasks: Vec<_> =
        (0..CONNECTIONS).map(|c| tokio::spawn(one(login.clone(), Arc::clone(client), share(c, total)))).collect();
    let mut errors = Vec::new();
    for (c, t) in tasks.into_iter().enumerate() {
        match t.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(format!("connection {c}: {e:#}")),
            Err(e) => errors.push(format!("connection {c}: {e}")),
        }
    }
    errors
}

pub(crate) async fn run(protocol: Protocol, args: &Args) -> anyhow::Result<Row> {
    let scenario = protocol.scenario();
    let total = args.messages(scenario);
    let solo = Solo::start(args, scenario, total, true).await?;
    let server = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    let extra = format!("[servers]\n{} = \"{server}\"\n", protocol.name());
    let prepared = solo.setup(args, &extra, false).prepare()?;
    let login = prepared.client_login(protocol.name())?;
    let mut running = prepared.start()?;
    let row = measure(protocol, &solo, &mut running, (server, &login), total).await;
    solo.finish(args, &mut running, row.is_ok());
    let row = row?;
    let (link, pdu) = match protocol {
        Protocol::Smpp => ("transceiver binds", "deliver_sm"),
        Protocol::Cmpp => ("CMPP 3.0 connections", "DELIVER"),
    };
    Table {
        scenario: scenario.name(),
        title: format!(
            "scenario {}: {total} submits from a client system over {CONNECTIONS} {link}, window {WINDOW} each → our \
             {} server → {links} SMPP bind(s) to the sink (window {WINDOW} each), a receipt per submit returned as \
             {pdu}; msg/s: receipts at the client (first submit → the last number's receipt)",
            scenario.name(),
            protocol.name().to_uppercase(),
            links = args.links(scenario),
        ),
        notes: kannel_note(args, "Kannel has no SMPP or CMPP server for client systems (its smsbox takes HTTP)"),
        rows: std::slice::from_ref(&row),
        reports: true,
        params: vec![
            ("messages", total.to_string()),
            ("connections", CONNECTIONS.to_string()),
            ("window", WINDOW.to_string()),
        ],
    }
    .print();
    Ok(row)
}

async fn measure(
    protocol: Protocol,
    solo: &Solo,
    running: &mut Running,
    (server, login): (SocketAddr, &(String, String)),
    total: u64,
) -> anyhow::Result<Row> {
    solo.ready(running).await?;
    let meter = Meter::start(&running.procs)?;
    let client = Arc::new(Client::new(Arc::clone(&solo.timeline)));
    let errors = match protocol {
        Protocol::Smpp => {
            connect_all(login, &client, total, |login, client, mine| async move {
                smpp_client::bind(server, &login, mine, total, &client).await
            })
            .await
        }
        Protocol::Cmpp => {
            connect_all(login, &client, total, |login, client, mine| async move {
                cmpp_client::link(server, &login, mine, total, &client).await
            })
            .await
        }
    };
    let submitted = wait::until(|| solo.submits(), total).await;
    let outcome = std::mem::take(&mut *client.outcome.lock().expect("client outcome"));
    for line in errors.iter().chain(&outcome.samples) {
        eprintln!("Hongyan {} client: {line}", protocol.name());
    }
    let started = outcome.started.context("the client never started")?;
    let last_receipt = client.last_receipt.lock().expect("last receipt").unwrap_or(started);
    let seconds = last_receipt.saturating_duration_since(started).as_secs_f64();
    let (got, receipts) = (solo.submits(), Client::get(&client.receipts));
    let accepted = per_second(Client::get(&client.accepted), since_last(&outcome, started));
    let at_sink =
        per_second(got.min(total), solo.counters.last_submit().saturating_duration_since(started).as_secs_f64());
    Ok(Row {
        peer: "Hongyan",
        seconds,
        rate: per_second(receipts.min(total), seconds),
        cpu_per_1000: meter.per_1000(&running.procs, total).await?,
        rss_mib: peak_rss_mib(&running.procs)?,
        refused: Client::get(&client.refused),
        missing: total.saturating_sub(got),
        extra: got.saturating_sub(total),
        other_pdus: SinkCounters::get(&solo.counters.other),
        reports_missing: total.saturating_sub(receipts),
        receipts_refused: SinkCounters::get(&solo.counters.receipts_refused),
        other_errors: errors.len() as u64,
        completed: submitted && receipts >= total && errors.is_empty(),
        to_submit: solo.timeline.between(Moment::Sent, Moment::Submitted),
        to_report: solo.timeline.between(Moment::Sent, Moment::Reported),
        extras: vec![
            Extra::new("submits accepted/s", "submits_accepted_per_s", accepted, 0),
            Extra::new("submitted msg/s at the sink", "submitted_per_s", at_sink, 0),
            Extra::new("receipts sent (repeats too)", "receipts_sent", Client::get(&client.delivers) as f64, 0),
        ],
        ..Row::default()
    })
}
