//! Session tests: an [`EsmeSession`] and an [`SmscSession`] wired back to back, in the manner
//! of quinn-proto's `Pair`, with a manual clock and switchable loss per direction.

mod bind;
mod errors;
mod liveness;
mod traffic;

use super::{EsmeEvent, EsmeSession, SessionConfig, SmscEvent, SmscSession};
use crate::pdu::{Address, Bind, BindMode, DeliverSm, SubmitSm};
use crate::{CommandId, CommandStatus, DataCoding, Frame, Npi, Pdu, RegisteredDelivery, Ton};
use std::time::{Duration, Instant};

const SYSTEM_ID: &str = "hongyan";
const PASSWORD: &str = "secret";
const SMSC_ID: &str = "smsc";
/// Default enquire_link_interval.
const IDLE: Duration = Duration::from_secs(30);
/// Default response_timeout.
const T: Duration = Duration::from_secs(30);

/// Two sessions back to back (see `hongyan_wire::testing`).
type Pair = hongyan_wire::testing::Pair<EsmeSession, SmscSession>;
hongyan_wire::endpoint!(EsmeSession => EsmeEvent);
hongyan_wire::endpoint!(SmscSession => SmscEvent);

/// What these tests add to the pair.
trait SmppPair: Sized {
    fn new(esme: SessionConfig, smsc: SessionConfig) -> Self;

    /// A pair with default configs, bound in `mode`, events drained.
    fn bound(mode: BindMode) -> Self;

    fn bound_with(mode: BindMode, esme: SessionConfig, smsc: SessionConfig) -> Self;

    /// Runs a bind; the SMSC application accepts `PASSWORD` and answers ESME_RINVPASWD to
    /// anything else. Returns the ESME's events.
    fn bind(&mut self, mode: BindMode, password: &str) -> Vec<EsmeEvent>;

    /// Submits `submit` from the ESME and returns its sequence_number.
    fn submit(&mut self, submit: SubmitSm) -> u32;

    /// Feeds `frame` to the SMSC as if the ESME sent it, and returns what the SMSC answered.
    fn raw_to_smsc(&mut self, bytes: &[u8]) -> Vec<Frame>;

    /// Feeds `frame` to the ESME as if the SMSC sent it, and returns what the ESME answered.
    fn raw_to_esme(&mut self, bytes: &[u8]) -> Vec<Frame>;
}

impl SmppPair for Pair {
    fn new(esme: SessionConfig, smsc: SessionConfig) -> Self {
        let now = Instant::now();
        Self::wire(now, EsmeSession::new(esme), SmscSession::new(smsc, now))
    }

    fn bound(mode: BindMode) -> Self {
        Self::bound_with(mode, SessionConfig::default(), SessionConfig::default())
    }

    fn bound_with(mode: BindMode, esme: SessionConfig, smsc: SessionConfig) -> Self {
        let mut pair = Self::new(esme, smsc);
        let events = pair.bind(mode, PASSWORD);
        assert!(matches!(events[..], [EsmeEvent::Bound { .. }]), "{events:?}");
        pair
    }

    fn bind(&mut self, mode: BindMode, password: &str) -> Vec<EsmeEvent> {
        self.client.bind(self.now, Bind::new(mode, SYSTEM_ID, password)).expect("bind sent");
        self.drive();
        let Some(SmscEvent::BindRequest { sequence, bind }) = self.server.poll_event() else {
            panic!("no bind reached the SMSC");
        };
        assert_eq!((bind.mode, bind.system_id.as_slice()), (mode, SYSTEM_ID.as_bytes()));
        let status =
            if bind.password == PASSWORD.as_bytes() { CommandStatus::ESME_ROK } else { CommandStatus::ESME_RINVPASWD };
        assert!(self.server.answer_bind(sequence, status, SMSC_ID));
        self.drive();
        self.client_events()
    }

    fn submit(&mut self, submit: SubmitSm) -> u32 {
        let seq = self.client.submit(self.now, submit).expect("submit accepted");
        self.drive();
        seq
    }

    fn raw_to_smsc(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.server.handle_input(bytes, self.now).expect("smsc input");
        std::iter::from_fn(|| self.server.poll_transmit()).map(|b| Frame::decode(&b).expect("our frame")).collect()
    }

    fn raw_to_esme(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.client.handle_input(bytes, self.now).expect("esme input");
        std::iter::from_fn(|| self.client.poll_transmit()).map(|b| Frame::decode(&b).expect("our frame")).collect()
    }
}

/// How many frames with `command` are in `sent`.
fn count(sent: &[Vec<u8>], command: CommandId) -> usize {
    sent.iter().filter(|f| command_of(f) == command).count()
}

/// command_id of an encoded frame.
fn command_of(frame: &[u8]) -> CommandId {
    CommandId(u32::from_be_bytes(frame[4..8].try_into().unwrap()))
}

/// sequence_number of an encoded frame.
fn sequence_of(frame: &[u8]) -> u32 {
    u32::from_be_bytes(frame[12..16].try_into().unwrap())
}

/// A UCS2 submit_sm to one recipient that wants a receipt.
fn sample_submit(text: &str) -> SubmitSm {
    SubmitSm {
        source: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"),
        dest: Address::international("8613800138000"),
        registered_delivery: RegisteredDelivery::RECEIPT,
        data_coding: DataCoding::UCS2,
        short_message: text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ..SubmitSm::default()
    }
}

/// An MO deliver_sm.
fn sample_deliver(text: &str) -> DeliverSm {
    DeliverSm {
        source: Address::international("8613800138000"),
        dest: Address::new(Ton::UNKNOWN, Npi::UNKNOWN, "10690000"),
        short_message: text.as_bytes().to_vec(),
        ..DeliverSm::default()
    }
}

/// The submit_sm the SMSC saw as `sequence`, if it was reported.
fn smsc_submit(events: &[SmscEvent], sequence: u32) -> Option<&SubmitSm> {
    events.iter().find_map(|e| match e {
        SmscEvent::Submit { sequence: s, submit } if *s == sequence => Some(submit),
        _ => None,
    })
}

/// A frame `pdu` with `sequence`, encoded.
fn encoded(sequence: u32, pdu: Pdu) -> Vec<u8> {
    Frame::new(sequence, pdu).encode()
}

#[test]
fn pair_smoke() {
    let mut pair = Pair::bound(BindMode::Transceiver);
    assert_eq!(pair.client.bind_mode(), Some(BindMode::Transceiver));
    assert_eq!(pair.server.bind_mode(), Some(BindMode::Transceiver));
    assert!(pair.server_events().is_empty());
    assert_eq!(count(&pair.client_sent, CommandId::BIND_TRANSCEIVER), 1);
}
