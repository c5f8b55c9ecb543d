//! The CMPP client session behind the link engine's [`Adapter`] trait.

use std::collections::HashMap;
use std::time::Instant;

use hongyan_cmpp_proto::session::{ClientEvent, ClientSession, SessionConfig};
use hongyan_cmpp_proto::Version;
use hongyan_types::Timestamp;

use super::map;
use crate::adapter::{AckToken, Adapter, LinkEvent, Mo, Work};
use crate::LinkError;

/// What a CMPP channel needs besides its address.
#[derive(Debug, Clone)]
pub struct CmppSettings {
    /// SP_Id (企业代码), 6 digits.
    pub sp_id: String,
    /// Shared secret.
    pub secret: String,
    /// Src_Id: the SP service code shown to the handset as sender.
    pub src_id: String,
    /// Service_Id (业务代码).
    pub service_id: String,
    /// Version, window, timers.
    pub session: SessionConfig,
}

pub(crate) struct CmppAdapter {
    channel: String,
    settings: CmppSettings,
    session: ClientSession,
    version: Version,
    /// Ack token → (Sequence_Id, Msg_Id) of the DELIVER to answer.
    pending_acks: HashMap<AckToken, (u32, u64)>,
    next_token: AckToken,
}

impl CmppAdapter {
    pub(crate) fn new(channel: &str, settings: CmppSettings) -> Self {
        let session = ClientSession::new(
            settings.session.clone(),
            settings.sp_id.as_bytes().to_vec(),
            settings.secret.as_bytes().to_vec(),
        );
        let version = settings.session.version;
        Self { channel: channel.to_owned(), settings, session, version, pending_acks: HashMap::new(), next_token: 0 }
    }

    fn token_for(&mut self, sequence_id: u32, msg_id: u64) -> AckToken {
        self.next_token += 1;
        self.pending_acks.insert(self.next_token, (sequence_id, msg_id));
        self.next_token
    }

    fn map_event(&mut self, event: ClientEvent, wall: Timestamp) -> LinkEvent {
        match event {
            ClientEvent::Connected { version } => {
                self.version = version;
                LinkEvent::Up { detail: format!("CMPP {version}") }
            }
            ClientEvent::ConnectRejected { status } => {
                LinkEvent::LoginRefused { detail: format!("CMPP CONNECT status {status}") }
            }
            ClientEvent::SubmitResp { sequence_id, resp } => {
                LinkEvent::Answered { key: u64::from(sequence_id), answer: map::answer(&resp) }
            }
            ClientEvent::SubmitTimedOut { sequence_id, .. } => LinkEvent::TimedOut { key: u64::from(sequence_id) },
            ClientEvent::Deliver { sequence_id, deliver } => match deliver.report(self.version) {
                Some(Ok(r)) => {
                    let report = map::report(&self.channel, &deliver, &r, self.version, wall);
                    LinkEvent::Report { ack: self.token_for(sequence_id, deliver.msg_id), report }
                }
                Some(Err(e)) => {
                    // Answered "structure error" so the ISMG does not resend it forever.
                    self.session.ack_deliver(sequence_id, deliver.msg_id, 1);
                    LinkEvent::Malformed { error: format!("status report body: {e}") }
                }
                None => {
                    let d = &deliver;
                    let mo = Mo::from_pdu(
                        &d.src_terminal_id,
                        &d.dest_id,
                        &self.settings.src_id,
                        d.msg_fmt.0,
                        d.tp_udhi != 0,
                        &d.msg_content,
                    );
                    LinkEvent::Mo { ack: self.token_for(sequence_id, deliver.msg_id), mo }
                }
            },
            ClientEvent::LinkDead => LinkEvent::Dead { reason: "CMPP keep-alive or login unanswered".into() },
            ClientEvent::Terminated => LinkEvent::Ended,
            ClientEvent::Malformed { error } => LinkEvent::Malformed { error },
        }
    }
}

impl Adapter for CmppAdapter {
    fn start(&mut self, now: Instant, wall: Timestamp) -> Result<(), LinkError> {
        self.session.connect(now, wall.beijing_mmddhhmmss());
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
        let event = self.session.poll_event()?;
        Some(self.map_event(event, wall))
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
                self.session.ack_deliver(sequence_id, msg_id, 0);
            }
        }
    }

    fn shutdown(&mut self, now: Instant) {
        self.session.terminate(now);
    }

    fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        self.session.take_tally()
    }
}
