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

/// Two sessions, the wire between them, and the clock.
struct Pair {
    now: Instant,
    esme: EsmeSession,
    smsc: SmscSession,
    /// Every frame each side put on the wire, delivered or lost.
    esme_sent: Vec<Vec<u8>>,
    smsc_sent: Vec<Vec<u8>>,
    /// False loses everything that side sends, like a peer that stopped reading.
    esme_to_smsc: bool,
    smsc_to_esme: bool,
}

impl Pair {
    fn new(esme: SessionConfig, smsc: SessionConfig) -> Self {
        let now = Instant::now();
        Self {
            now,
            esme: EsmeSession::new(esme),
            smsc: SmscSession::new(smsc, now),
            esme_sent: Vec::new(),
            smsc_sent: Vec::new(),
            esme_to_smsc: true,
            smsc_to_esme: true,
        }
    }

    /// A pair with default configs, bound in `mode`, events drained.
    fn bound(mode: BindMode) -> Self {
        Self::bound_with(mode, SessionConfig::default(), SessionConfig::default())
    }

    fn bound_with(mode: BindMode, esme: SessionConfig, smsc: SessionConfig) -> Self {
        let mut pair = Self::new(esme, smsc);
        let events = pair.bind(mode, PASSWORD);
        assert!(matches!(events[..], [EsmeEvent::Bound { .. }]), "{events:?}");
        pair
    }

    /// Runs a bind; the SMSC application accepts `PASSWORD` and answers ESME_RINVPASWD to
    /// anything else. Returns the ESME's events.
    fn bind(&mut self, mode: BindMode, password: &str) -> Vec<EsmeEvent> {
        self.esme.bind(self.now, Bind::new(mode, SYSTEM_ID, password)).expect("bind sent");
        self.drive();
        let Some(SmscEvent::BindRequest { sequence, bind }) = self.smsc.poll_event() else {
            panic!("no bind reached the SMSC");
        };
        assert_eq!((bind.mode, bind.system_id.as_slice()), (mode, SYSTEM_ID.as_bytes()));
        let status =
            if bind.password == PASSWORD.as_bytes() { CommandStatus::ESME_ROK } else { CommandStatus::ESME_RINVPASWD };
        assert!(self.smsc.answer_bind(sequence, status, SMSC_ID));
        self.drive();
        self.esme_events()
    }

    /// Moves frames both ways until neither side has anything to send.
    fn drive(&mut self) {
        loop {
            let mut moved = false;
            while let Some(bytes) = self.esme.poll_transmit() {
                moved = true;
                if self.esme_to_smsc {
                    self.smsc.handle_input(&bytes, self.now).expect("smsc input");
                }
                self.esme_sent.push(bytes);
            }
            while let Some(bytes) = self.smsc.poll_transmit() {
                moved = true;
                if self.smsc_to_esme {
                    self.esme.handle_input(&bytes, self.now).expect("esme input");
                }
                self.smsc_sent.push(bytes);
            }
            if !moved {
                return;
            }
        }
    }

    /// Moves the clock forward by `d`, firing every timer at its own deadline on the way.
    fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        for _ in 0..10_000 {
            let next = [self.esme.poll_timeout(), self.smsc.poll_timeout()]
                .into_iter()
                .flatten()
                .filter(|&t| t <= target)
                .min();
            let Some(next) = next else {
                self.now = target;
                return;
            };
            self.now = next.max(self.now);
            self.esme.handle_timeout(self.now);
            self.smsc.handle_timeout(self.now);
            self.drive();
        }
        panic!("timers never settle: a deadline is not moving forward");
    }

    fn esme_events(&mut self) -> Vec<EsmeEvent> {
        std::iter::from_fn(|| self.esme.poll_event()).collect()
    }

    fn smsc_events(&mut self) -> Vec<SmscEvent> {
        std::iter::from_fn(|| self.smsc.poll_event()).collect()
    }

    /// Submits `submit` from the ESME and returns its sequence_number.
    fn submit(&mut self, submit: SubmitSm) -> u32 {
        let seq = self.esme.submit(self.now, submit).expect("submit accepted");
        self.drive();
        seq
    }

    /// Feeds `frame` to the SMSC as if the ESME sent it, and returns what the SMSC answered.
    fn raw_to_smsc(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.smsc.handle_input(bytes, self.now).expect("smsc input");
        std::iter::from_fn(|| self.smsc.poll_transmit()).map(|b| Frame::decode(&b).expect("our frame")).collect()
    }

    /// Feeds `frame` to the ESME as if the SMSC sent it, and returns what the ESME answered.
    fn raw_to_esme(&mut self, bytes: &[u8]) -> Vec<Frame> {
        self.esme.handle_input(bytes, self.now).expect("esme input");
        std::iter::from_fn(|| self.esme.poll_transmit()).map(|b| Frame::decode(&b).expect("our frame")).collect()
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
    assert_eq!(pair.esme.bind_mode(), Some(BindMode::Transceiver));
    assert_eq!(pair.smsc.bind_mode(), Some(BindMode::Transceiver));
    assert!(pair.smsc_events().is_empty());
    assert_eq!(count(&pair.esme_sent, CommandId::BIND_TRANSCEIVER), 1);
}
