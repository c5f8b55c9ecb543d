//! The SGIP client session (Login Type 1, SP → SMG) behind the link engine's [`Adapter`].

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use hongyan_sgip_proto::pdu::Bind;
use hongyan_sgip_proto::session::SessionConfig;
use hongyan_sgip_proto::{ClientEvent, ClientSession, LoginType, Request, ResultCode, Sequence};
use hongyan_types::Timestamp;

use super::map;
use crate::adapter::{AckToken, Adapter, LinkEvent, Work};
use crate::LinkError;

/// What an SGIP channel needs besides its address.
#[derive(Debug, Clone)]
pub struct SgipSettings {
    /// Login name (both directions).
    pub login_name: String,
    /// Login password (both directions).
    pub password: String,
    /// SPNumber: the SP number shown to the handset.
    pub sp_number: String,
    /// CorpId (企业代码).
    pub corp_id: String,
    /// ServiceType.
    pub service_type: String,
    /// Where we listen for the SMG's own connections (reports, MO).
    pub listen: SocketAddr,
    /// Our certificate when the SMG's connections come in TLS; plain TCP without it.
    pub listen_tls: Option<hongyan_net::ServerTls>,
    /// Node id, window and timers.
    pub session: SessionConfig,
}

pub(crate) struct SgipAdapter {
    settings: SgipSettings,
    session: ClientSession,
    wall: Timestamp,
    pending_acks: HashMap<AckToken, Sequence>,
    next_token: AckToken,
}

impl SgipAdapter {
    /// `session_no` gives each session of the channel its own block of a million sequence
    /// counters. The Submit's sequence (node, time, counter) is SGIP's only message key, so two
    /// connections — or a connection and its reconnect within the same second — must never
    /// hand out the same one.
    pub(crate) fn new(settings: SgipSettings, session_no: u32) -> Self {
        let bind = Bind::new(LoginType::SP_TO_SMG, settings.login_name.as_bytes(), settings.password.as_bytes());
        let config = SessionConfig { first_counter: session_no.wrapping_mul(1 << 20), ..settings.session.clone() };
        let session = ClientSession::new(config, bind);
        Self { settings, session, wall: Timestamp::from_millis(0), pending_acks: HashMap::new(), next_token: 0 }
    }

    fn map_event(&mut self, event: ClientEvent) -> LinkEvent {
        match event {
            ClientEvent::Bound => LinkEvent::Up { detail: "SGIP 1.2".into() },
            ClientEvent::BindRejected { result } => {
                LinkEvent::LoginRefused { detail: format!("SGIP Bind result {result}") }
            }
            ClientEvent::Response { sequence, resp, .. } => {
                LinkEvent::Answered { key: u64::from(sequence.counter), answer: map::answer(&sequence, &resp) }
            }
            ClientEvent::TimedOut { sequence, .. } => LinkEvent::TimedOut { key: u64::from(sequence.counter) },
            ClientEvent::Request { sequence, request } => {
                // The SMG normally uses its own connection for these; answer what comes anyway.
                self.next_token += 1;
                self.pending_acks.insert(self.next_token, sequence);
                LinkEvent::Ignored { ack: self.next_token, what: format!("SGIP {} on the SP's link", kind(&request)) }
            }
            ClientEvent::Unbound => LinkEvent::Ended,
            ClientEvent::LinkDead => LinkEvent::Dead { reason: "SGIP Bind unanswered".into() },
            ClientEvent::Malformed { error } => LinkEvent::Malformed { error },
        }
    }
}

pub(crate) fn kind(r: &Request) -> &'static str {
    match r {
        Request::Submit(_) => "Submit",
        Request::Deliver(_) => "Deliver",
        Request::Report(_) => "Report",
        Request::UserRpt(_) => "UserRpt",
    }
}

impl Adapter for SgipAdapter {
    fn start(&mut self, now: Instant, wall: Timestamp) -> Result<(), LinkError> {
        self.wall = wall;
        self.session
            .bind(now, wall.beijing_mmddhhmmss())
            .map_err(|e| LinkError::LoginNotSent { protocol: "SGIP", source: Box::new(e) })
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
        self.wall = wall;
        let event = self.session.poll_event()?;
        Some(self.map_event(event))
    }

    fn can_submit(&self) -> bool {
        self.session.can_send()
    }

    fn submit(&mut self, now: Instant, wall: Timestamp, work: &Work) -> Result<u64, LinkError> {
        self.session
            .submit(now, wall.beijing_mmddhhmmss(), map::submit(&self.settings, work))
            .map(|s| u64::from(s.counter))
            .map_err(LinkError::submit)
    }

    fn ack(&mut self, token: AckToken, ok: bool) {
        if let Some(sequence) = self.pending_acks.remove(&token) {
            if ok {
                self.session.ack(sequence, ResultCode::OK);
            }
        }
    }

    fn shutdown(&mut self, now: Instant) {
        self.session.unbind(now, self.wall.beijing_mmddhhmmss());
    }

    fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        self.session.take_tally()
    }
}
