//! The SMGP client session behind the link engine's [`Adapter`] trait.

use std::collections::HashMap;
use std::time::Instant;

use hongyan_smgp_proto::session::{ClientEvent, ClientSession, SessionConfig};
use hongyan_smgp_proto::{LoginMode, MsgId, Status};
use hongyan_types::Timestamp;

use super::map;
use crate::adapter::{AckToken, Adapter, LinkEvent, Mo, Work};
use crate::LinkError;

/// What an SMGP channel needs besides its address.
#[derive(Debug, Clone)]
pub struct SmgpSettings {
    /// ClientID.
    pub client_id: String,
    /// Shared secret.
    pub secret: String,
    /// SrcTermID: the SP number shown to the handset.
    pub src_term_id: String,
    /// ServiceID.
    pub service_id: String,
    /// Window and timers.
    pub session: SessionConfig,
}

pub(crate) struct SmgpAdapter {
    channel: String,
    settings: SmgpSettings,
    session: ClientSession,
    pending_acks: HashMap<AckToken, (u32, MsgId)>,
    next_token: AckToken,
}

impl SmgpAdapter {
    pub(crate) fn new(channel: &str, settings: SmgpSettings) -> Self {
        // Transmit mode: submits and reports share the link.
        let session = ClientSession::new(
            settings.session.clone(),
            settings.client_id.as_bytes().to_vec(),
            settings.secret.as_bytes().to_vec(),
            LoginMode::TRANSMIT,
        );
        Self { channel: channel.to_owned(), settings, session, pending_acks: HashMap::new(), next_token: 0 }
    }

    fn token_for(&mut self, sequence_id: u32, msg_id: MsgId) -> AckToken {
        self.next_token += 1;
        self.pending_acks.insert(self.next_token, (sequence_id, msg_id));
        self.next_token
    }

    fn map_event(&mut self, event: ClientEvent, wall: Timestamp) -> Option<LinkEvent> {
        Some(match event {
            ClientEvent::LoggedIn { server_version } => LinkEvent::Up { detail: format!("SMGP {server_version}") },
            ClientEvent::LoginRejected { status } => {
                LinkEvent::LoginRefused { detail: format!("SMGP Login status {status}") }
            }
            ClientEvent::SubmitResp { sequence_id, resp } => {
                LinkEvent::Answered { key: u64::from(sequence_id), answer: map::answer(&resp) }
            }
            ClientEvent::SubmitTimedOut { sequence_id, .. } => LinkEvent::TimedOut { key: u64::from(sequence_id) },
            ClientEvent::Deliver { sequence_id, deliver } => match deliver.report() {
                Some(Ok(r)) => {
                    let report = map::report(&self.channel, &deliver, &r, wall);
                    LinkEvent::Report { ack: self.token_for(sequence_id, deliver.msg_id), report }
                }
                Some(Err(e)) => {
                    self.session.ack_deliver(sequence_id, deliver.msg_id, Status::STRUCTURE_ERROR);
                    LinkEvent::Malformed { error: format!("status report body: {e}") }
                }
                None => {
                    let d = &deliver;
                    let (source, coding) = (&self.settings.src_term_id, d.msg_format.0);
                    let mo = Mo::from_pdu(&d.src_term_id, &d.dest_term_id, source, coding, false, &d.msg_content);
                    LinkEvent::Mo { ack: self.token_for(sequence_id, deliver.msg_id), mo }
                }
            },
            ClientEvent::QueryResp { .. } | ClientEvent::QueryTimedOut { .. } => return None,
            ClientEvent::LinkDead => LinkEvent::Dead { reason: "SMGP keep-alive or login unanswered".into() },
            ClientEvent::Exited => LinkEvent::Ended,
            ClientEvent::Malformed { error } => LinkEvent::Malformed { error },
        })
    }
}

impl Adapter for SmgpAdapter {
    fn start(&mut self, now: Instant, wall: Timestamp) -> Result<(), LinkError> {
        self.session.login(now, wall.beijing_mmddhhmmss());
        Ok(())
    }

    fn handle_input(&mut self, data: &[u8], now: Instant) -> Result<(), LinkError> {
        self.session.handle_input(data, now).map_err(LinkError::protocol)
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.session.handle_timeout(now);
    }

    fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.session.poll_transmit()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.session.poll_timeout()
    }

    fn poll_event(&mut self, wall: Timestamp) -> Option<LinkEvent> {
        loop {
            let event = self.session.poll_event()?;
            if let Some(mapped) = self.map_event(event, wall) {
                return Some(mapped);
            }
        }
    }

    fn can_submit(&self) -> bool {
        self.session.can_submit()
    }

    fn submit(&mut self, now: Instant, _wall: Timestamp, work: &Work) -> Result<u64, LinkError> {
        self.session.submit(now, map::submit(&self.settings, work)).map(u64::from).map_err(LinkError::submit)
    }

    fn ack(&mut self, token: AckToken, ok: bool) {
        if let Some((sequence_id, msg_id)) = self.pending_acks.remove(&token) {
            if ok {
                self.session.ack_deliver(sequence_id, msg_id, Status::OK);
            }
        }
    }

    fn shutdown(&mut self, now: Instant) {
        self.session.exit(now);
    }

    fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        self.session.take_tally()
    }
}
