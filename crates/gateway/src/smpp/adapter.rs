//! The SMPP ESME session (bound as transceiver) behind the link engine's [`Adapter`] trait.

use std::time::Instant;

use hongyan_smpp_proto::pdu::{Bind, BindMode};
use hongyan_smpp_proto::session::SessionConfig;
use hongyan_smpp_proto::{CommandStatus, EsmeEvent, EsmeSession};
use hongyan_types::Timestamp;

use super::map;
use crate::adapter::{AckToken, Adapter, LinkEvent, Mo, Work};
use crate::LinkError;

/// What an SMPP channel needs besides its address.
#[derive(Debug, Clone)]
pub struct SmppSettings {
    /// system_id.
    pub system_id: String,
    /// password.
    pub password: String,
    /// system_type; often empty.
    pub system_type: String,
    /// source_addr shown to the handset.
    pub source: String,
    /// service_type; often empty.
    pub service_type: String,
    /// Window, enquire_link interval and timers.
    pub session: SessionConfig,
}

pub(crate) struct SmppAdapter {
    channel: String,
    settings: SmppSettings,
    session: EsmeSession,
}

impl SmppAdapter {
    pub(crate) fn new(channel: &str, settings: SmppSettings) -> Self {
        let session = EsmeSession::new(settings.session.clone());
        Self { channel: channel.to_owned(), settings, session }
    }

    fn map_event(&mut self, event: EsmeEvent, wall: Timestamp) -> Option<LinkEvent> {
        Some(match event {
            EsmeEvent::Bound { mode, .. } => LinkEvent::Up { detail: format!("SMPP 3.4 {mode:?}") },
            EsmeEvent::BindRejected { status } => LinkEvent::LoginRefused { detail: format!("SMPP bind: {status}") },
            EsmeEvent::SubmitResp { sequence, status, resp } => {
                LinkEvent::Answered { key: u64::from(sequence), answer: map::answer(status, &resp) }
            }
            EsmeEvent::SubmitTimedOut { sequence, .. } => LinkEvent::TimedOut { key: u64::from(sequence) },
            EsmeEvent::GenericNack { sequence, status, request: Some(_) } => {
                let resp = hongyan_smpp_proto::pdu::SubmitSmResp::default();
                LinkEvent::Answered { key: u64::from(sequence), answer: map::answer(status, &resp) }
            }
            EsmeEvent::Deliver { sequence, deliver } if deliver.is_receipt() => {
                match map::report(&self.channel, &deliver, wall) {
                    Some(report) => LinkEvent::Report { ack: u64::from(sequence), report },
                    None => {
                        self.session.ack_deliver(sequence, CommandStatus::ESME_ROK);
                        LinkEvent::Malformed { error: "delivery receipt without a message id".into() }
                    }
                }
            }
            EsmeEvent::Deliver { sequence, deliver: d } => {
                let (source, coding, udhi) = (&self.settings.source, d.data_coding.0, d.esm_class.udhi());
                let mo = Mo::from_pdu(&d.source.addr, &d.dest.addr, source, coding, udhi, &d.short_message);
                LinkEvent::Mo { ack: u64::from(sequence), mo }
            }
            EsmeEvent::DataSm { sequence, .. } => {
                LinkEvent::Ignored { ack: u64::from(sequence), what: "SMPP data_sm".into() }
            }
            EsmeEvent::Unbound => LinkEvent::Ended,
            EsmeEvent::LinkDead => LinkEvent::Dead { reason: "SMPP enquire_link or bind unanswered".into() },
            EsmeEvent::Malformed { error } => LinkEvent::Malformed { error },
            EsmeEvent::GenericNack { .. }
            | EsmeEvent::Outbind(_)
            | EsmeEvent::DataSmResp { .. }
            | EsmeEvent::Response { .. }
            | EsmeEvent::AlertNotification(_) => return None,
        })
    }
}

impl Adapter for SmppAdapter {
    fn start(&mut self, now: Instant, _wall: Timestamp) -> Result<(), LinkError> {
        let mut bind =
            Bind::new(BindMode::Transceiver, self.settings.system_id.as_bytes(), self.settings.password.as_bytes());
        bind.system_type = self.settings.system_type.as_bytes().to_vec();
        self.session
            .bind(now, bind)
            .map(|_| ())
            .map_err(|e| LinkError::LoginNotSent { protocol: "SMPP", source: Box::new(e) })
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

    /// The token is the deliver_sm's sequence number.
    fn ack(&mut self, token: AckToken, ok: bool) {
        if ok {
            self.session.ack_deliver(token as u32, CommandStatus::ESME_ROK);
        }
    }

    fn shutdown(&mut self, now: Instant) {
        self.session.unbind(now);
    }

    fn is_closed(&self) -> bool {
        self.session.is_closed()
    }

    fn take_tally(&mut self) -> hongyan_wire::LinkTally {
        self.session.take_tally()
    }
}
