//! One CMPP client connection: CONNECT checked against the account's CMPP login (SP_Id and
//! shared secret, by the MD5 authenticator), SUBMITs taken by the engine, status reports
//! delivered from the account's feed by the shared pump while this connection holds the lease.

use std::sync::Arc;

use hongyan_cmpp_proto::pdu::{Connect, ConnectResp, Deliver, Submit, SubmitResp};
use hongyan_cmpp_proto::{ServerEvent, ServerSession, SubmitResult};
use hongyan_engine::auth::Caller;
use hongyan_engine::{ClientCaller, ClientSubmit, Engine};
use hongyan_types::FeedConsumer;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::{receipts, submit, Shared};
use crate::clients::driver::{drive, ClientConn};
use crate::clients::pump::{Pump, Sink};
use crate::clients::Lease;

/// An answered SUBMIT: Sequence_Id and the response.
type Answer = (u32, SubmitResp);

struct Receiving<'a>(&'a mut ServerSession);

impl Sink<Deliver> for Receiving<'_> {
    fn can_deliver(&self) -> bool {
        self.0.can_deliver()
    }

    fn deliver(&mut self, now: std::time::Instant, pdu: Deliver) -> Result<u32, String> {
        self.0.deliver(now, pdu).map_err(|e| e.to_string())
    }
}

pub(super) struct Conn {
    shared: Arc<Shared>,
    session: ServerSession,
    peer: Option<std::net::IpAddr>,
    caller: Option<Caller>,
    /// The login's category for SUBMITs that name none (`None`: notification).
    default_category: Option<String>,
    /// The account's rights let it have reports.
    may_receive: bool,
    lease: Option<Lease>,
    pump: Pump<Deliver>,
}

impl Conn {
    fn new(shared: Arc<Shared>, peer: Option<std::net::IpAddr>) -> Self {
        let session = ServerSession::new(shared.config.session.clone());
        let pump = Pump::new(FeedConsumer::Cmpp);
        Self { shared, session, peer, caller: None, default_category: None, may_receive: false, lease: None, pump }
    }

    async fn on_event(&mut self, event: ServerEvent, submits: &mut JoinSet<Answer>) {
        match event {
            ServerEvent::ConnectRequest { sequence_id, connect } => self.on_connect(sequence_id, &connect).await,
            ServerEvent::Submit { sequence_id, submit } => self.on_submit(sequence_id, &submit, submits),
            // Result 0 is success; any other answer leaves the report owed.
            ServerEvent::DeliverResp { sequence_id, resp } => self.pump.settle(sequence_id, resp.result == 0),
            ServerEvent::DeliverTimedOut { sequence_id, .. } => self.pump.settle(sequence_id, false),
            ServerEvent::Malformed { error } => tracing::debug!(%error, "CMPP server: malformed input"),
            _ => {}
        }
    }

    /// An unknown SP_Id and a wrong secret get the same Status 3, so a caller cannot probe
    /// for logins.
    async fn on_connect(&mut self, sequence_id: u32, connect: &Connect) {
        let sp = String::from_utf8_lossy(&connect.source_addr).trim_end_matches('\0').to_owned();
        let engine = self.shared.engine.clone();
        let (status, secret) = match engine.client_secret("cmpp", &sp).await {
            Ok(Some((ClientCaller { caller, default_category }, secret))) if connect.verify(secret.as_bytes()) => {
                match engine.check_access(caller.account_id, "cmpp", None, self.peer).await {
                    Ok(()) => {
                        tracing::info!(account = caller.account_id, version = ?connect.version, "CMPP client connected");
                        let reports = engine.check_access(caller.account_id, "cmpp", Some("reports"), None).await;
                        self.may_receive = reports.is_ok();
                        self.lease = self.may_receive.then(|| self.shared.leases.take(caller.account_id)).flatten();
                        self.caller = Some(caller);
                        self.default_category = default_category;
                        (ConnectResp::STATUS_OK, secret)
                    }
                    Err(e) => {
                        tracing::info!(account = caller.account_id, reason = %e, "CMPP login refused by the account's rights");
                        (ConnectResp::STATUS_AUTH_FAILED, String::new())
                    }
                }
            }
            Ok(_) => {
                tracing::info!("CMPP login refused: unknown SP_Id or wrong authenticator");
                (ConnectResp::STATUS_AUTH_FAILED, String::new())
            }
            Err(e) => {
                tracing::warn!(error = %e, "CMPP login could not be checked");
                (ConnectResp::STATUS_AUTH_FAILED, String::new())
            }
        };
        self.session.answer_connect(sequence_id, connect, status, secret.as_bytes());
    }

    /// Every Dest_terminal_Id is a message of its own with its own Msg_Id (SUBMIT_RESP gives
    /// the first); the Result is the first refusal when none was taken, 0 otherwise.
    fn on_submit(&mut self, sequence_id: u32, pdu: &Submit, submits: &mut JoinSet<Answer>) {
        let Some(caller) = self.caller.as_ref() else { return };
        let (account, sender) = (caller.account_id, caller.key_id.clone());
        let client_addr = self.peer.map(|p| p.to_string()).unwrap_or_default();
        let engine = self.shared.engine.clone();
        let msg_id = self.shared.ids.take(engine.clock().now(), pdu.dest_terminal_ids.len());
        let default = self.default_category.as_deref();
        let each = match submit::read(|s| engine.client_category(default, s).ok(), pdu, msg_id) {
            Ok(each) => each,
            Err(result) => return self.session.answer_submit(sequence_id, SubmitResp { msg_id: 0, result }),
        };
        submits.spawn(async move {
            if let Err(e) = engine.check_access(account, "cmpp", Some("send"), None).await {
                tracing::debug!(error = %e, "CMPP submit refused by the account's rights");
                return (sequence_id, SubmitResp { msg_id: 0, result: SubmitResult::STRUCTURE_ERROR });
            }
            let mut first_refusal = None;
            let mut taken = false;
            for s in each {
                let s = ClientSubmit { sender: sender.clone(), client_addr: client_addr.clone(), ..s };
                let outcome = engine.client_submit(account, s).await;
                let result = submit::result(&outcome);
                if result == SubmitResult::OK {
                    taken = true;
                } else {
                    first_refusal.get_or_insert(result);
                }
            }
            let result = if taken { SubmitResult::OK } else { first_refusal.unwrap_or(SubmitResult::STRUCTURE_ERROR) };
            (sequence_id, SubmitResp { msg_id: if taken { msg_id } else { 0 }, result })
        });
    }

    async fn pump(&mut self) {
        let Some(account) = self.caller.as_ref().map(|c| c.account_id) else { return };
        if self.may_receive && self.lease.is_none() && self.session.can_deliver() {
            self.lease = self.shared.leases.take(account);
        }
        if self.lease.is_none() {
            return;
        }
        let engine = self.shared.engine.clone();
        let version = self.session.version();
        let ids = &self.shared.ids;
        let pdus = |f: &hongyan_types::FinalReport| receipts::reports(f, version, || ids.take(engine.clock().now(), 1));
        self.pump.step(&engine, account, &mut Receiving(&mut self.session), pdus).await;
    }
}

impl ClientConn for Conn {
    type Answer = Answer;
    type Session = ServerSession;

    async fn step(&mut self, submits: &mut JoinSet<Answer>) {
        while let Some(event) = self.session.poll_event() {
            self.on_event(event, submits).await;
        }
        self.pump().await;
    }

    fn answer(&mut self, (sequence_id, resp): Answer) {
        self.session.answer_submit(sequence_id, resp);
    }

    fn waits_for_feed(&self) -> bool {
        self.lease.is_some() && self.pump.idle()
    }

    fn engine(&self) -> &Arc<Engine> {
        &self.shared.engine
    }

    fn session(&mut self) -> &mut ServerSession {
        &mut self.session
    }

    fn session_ref(&self) -> &ServerSession {
        &self.session
    }
}

/// Runs one client connection until it closes.
pub(super) async fn run(
    shared: Arc<Shared>,
    stream: Box<dyn crate::clients::Io>,
    peer: Option<std::net::IpAddr>,
    shutdown: watch::Receiver<bool>,
) -> std::io::Result<()> {
    drive(Conn::new(shared, peer), stream, shutdown, "CMPP server").await
}
