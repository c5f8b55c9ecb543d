//! One client connection: its [`SmscSession`] over the socket, binds checked against the
//! account's SMPP login, submits taken by the engine (concurrently, so a window of submits
//! shares group commits), and receipts delivered from the account's feed.
//!
//! Receipts are moved by the shared [`Pump`] (at least once, in order); only the connection
//! holding the account's lease delivers, so two receiver binds do not race over one position.

use std::sync::Arc;

use hongyan_engine::auth::{AuthError, Caller};
use hongyan_engine::{ClientSubmit, Engine};
use hongyan_smpp_proto::pdu::{Bind, DataSmResp, DeliverSm, QuerySmResp, SubmitMultiResp, SubmitSm};
use hongyan_smpp_proto::{CommandStatus, SmscEvent, SmscSession};
use hongyan_types::FeedConsumer;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::{receipts, submit, Shared};
use crate::clients::driver::{drive, ClientConn};
use crate::clients::pump::{Pump, Sink};
use crate::clients::Lease;

/// An answered submit: the sequence to answer, the status, the id given.
type Answer = (u32, CommandStatus, String);

/// The session as the receipt pump sees it.
struct Receiving<'a>(&'a mut SmscSession);

impl Sink<DeliverSm> for Receiving<'_> {
    fn can_deliver(&self) -> bool {
        self.0.can_deliver()
    }

    fn deliver(&mut self, now: std::time::Instant, pdu: DeliverSm) -> Result<u32, String> {
        self.0.deliver(now, pdu).map_err(|e| e.to_string())
    }
}

pub(super) struct Conn {
    shared: Arc<Shared>,
    session: SmscSession,
    peer: Option<std::net::IpAddr>,
    caller: Option<Caller>,
    /// The login's category for submits that name none (`None`: notification).
    default_category: Option<String>,
    /// The account's rights let it have receipts.
    may_receive: bool,
    lease: Option<Lease>,
    pump: Pump<DeliverSm>,
}

impl Conn {
    fn new(shared: Arc<Shared>, peer: Option<std::net::IpAddr>) -> Self {
        let session = SmscSession::new(shared.config.session.clone(), Instant::now().into_std());
        let pump = Pump::new(FeedConsumer::Smpp);
        Self { shared, session, peer, caller: None, default_category: None, may_receive: false, lease: None, pump }
    }

    /// True when this connection is the one to deliver the account's receipts.
    fn delivers(&self) -> bool {
        self.may_receive && self.lease.is_some() && self.session.bind_mode().is_some_and(|m| m.can_receive())
    }

    async fn on_event(&mut self, event: SmscEvent, submits: &mut JoinSet<Answer>) {
        match event {
            SmscEvent::BindRequest { sequence, bind } => self.on_bind(sequence, &bind).await,
            SmscEvent::Submit { sequence, submit } => self.on_submit(sequence, &submit, submits),
            SmscEvent::DeliverResp { sequence, status, .. } => self.pump.settle(sequence, status.is_ok()),
            SmscEvent::DeliverTimedOut { sequence, .. } | SmscEvent::GenericNack { sequence, .. } => {
                self.pump.settle(sequence, false)
            }
            SmscEvent::SubmitMulti { sequence, .. } => {
                self.session.answer_submit_multi(sequence, CommandStatus::ESME_RINVCMDID, SubmitMultiResp::default());
            }
            SmscEvent::DataSm { sequence, .. } => {
                self.session.answer_data_sm(sequence, CommandStatus::ESME_RINVCMDID, DataSmResp::default());
            }
            SmscEvent::Query { sequence, .. } => {
                self.session.answer_query(sequence, CommandStatus::ESME_RQUERYFAIL, QuerySmResp::default());
            }
            SmscEvent::Cancel { sequence, .. } => {
                self.session.answer_cancel(sequence, CommandStatus::ESME_RCANCELFAIL);
            }
            SmscEvent::Replace { sequence, .. } => {
                self.session.answer_replace(sequence, CommandStatus::ESME_RREPLACEFAIL);
            }
            SmscEvent::Malformed { error } => tracing::debug!(%error, "SMPP server: malformed input"),
            _ => {}
        }
    }

    /// An unknown system_id and a wrong password get the same ESME_RBINDFAIL, so a caller
    /// cannot probe for logins.
    async fn on_bind(&mut self, sequence: u32, bind: &Bind) {
        let login = String::from_utf8_lossy(&bind.system_id).into_owned();
        let password = String::from_utf8_lossy(&bind.password).into_owned();
        let engine = self.shared.engine.clone();
        let checked = engine.client_login("smpp", &login, &password).await;
        let default_category = checked.as_ref().ok().and_then(|c| c.default_category.clone());
        let status = match checked.map(|c| c.caller) {
            Ok(caller) => match engine.check_access(caller.account_id, "smpp", None, self.peer).await {
                Ok(()) => {
                    tracing::info!(account = caller.account_id, mode = ?bind.mode, "SMPP client bound");
                    let reports = engine.check_access(caller.account_id, "smpp", Some("reports"), None).await;
                    self.may_receive = reports.is_ok();
                    self.lease = self.may_receive.then(|| self.shared.leases.take(caller.account_id)).flatten();
                    self.caller = Some(caller);
                    self.default_category = default_category;
                    CommandStatus::ESME_ROK
                }
                Err(e) => {
                    tracing::info!(account = caller.account_id, reason = %e, "SMPP bind refused by the account's rights");
                    CommandStatus::ESME_RBINDFAIL
                }
            },
            Err(AuthError::Invalid) => {
                tracing::info!("SMPP bind refused: unknown system_id or wrong password");
                CommandStatus::ESME_RBINDFAIL
            }
            Err(e) => {
                tracing::warn!(error = %e, "SMPP bind could not be checked");
                CommandStatus::ESME_RSYSERR
            }
        };
        self.session.answer_bind(sequence, status, self.shared.config.system_id.as_bytes());
    }

    fn on_submit(&mut self, sequence: u32, pdu: &SubmitSm, submits: &mut JoinSet<Answer>) {
        let Some(caller) = self.caller.as_ref() else { return };
        let (account, sender) = (caller.account_id, caller.key_id.clone());
        let client_addr = self.peer.map(|p| p.to_string()).unwrap_or_default();
        let engine = self.shared.engine.clone();
        let id = engine.next_client_msg_id().to_string();
        let default = self.default_category.as_deref();
        match submit::read(|s| engine.client_category(default, s).ok(), pdu, id.clone()) {
            Err(submit::Unreadable(status, why)) => {
                tracing::debug!(why, "SMPP submit refused");
                self.session.answer_submit(sequence, status, "");
            }
            Ok(s) => {
                let s = ClientSubmit { sender, client_addr, ..s };
                submits.spawn(async move {
                    if let Err(e) = engine.check_access(account, "smpp", Some("send"), None).await {
                        tracing::debug!(error = %e, "SMPP submit refused by the account's rights");
                        return (sequence, CommandStatus::ESME_RSUBMITFAIL, String::new());
                    }
                    let outcome = engine.client_submit(account, s).await;
                    if let Err(e) = &outcome {
                        tracing::debug!(error = %e, "SMPP submit refused");
                    }
                    (sequence, submit::status(&outcome), id)
                });
            }
        }
    }

    /// Takes the lease when free, then lets the pump move receipts.
    async fn pump(&mut self) {
        let Some(account) = self.caller.as_ref().map(|c| c.account_id) else { return };
        if self.may_receive && self.lease.is_none() && self.session.bind_mode().is_some_and(|m| m.can_receive()) {
            self.lease = self.shared.leases.take(account);
        }
        if self.delivers() {
            let engine = self.shared.engine.clone();
            self.pump.step(&engine, account, &mut Receiving(&mut self.session), receipts::receipts).await;
        }
    }
}

impl ClientConn for Conn {
    type Answer = Answer;
    type Session = SmscSession;

    async fn step(&mut self, submits: &mut JoinSet<Answer>) {
        while let Some(event) = self.session.poll_event() {
            self.on_event(event, submits).await;
        }
        self.pump().await;
    }

    fn answer(&mut self, (sequence, status, id): Answer) {
        self.session.answer_submit(sequence, status, id);
    }

    fn waits_for_feed(&self) -> bool {
        self.delivers() && self.pump.idle()
    }

    fn engine(&self) -> &Arc<Engine> {
        &self.shared.engine
    }

    fn session(&mut self) -> &mut SmscSession {
        &mut self.session
    }

    fn session_ref(&self) -> &SmscSession {
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
    drive(Conn::new(shared, peer), stream, shutdown, "SMPP server").await
}
