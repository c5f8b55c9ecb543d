//! Session tests: a [`ClientSession`] and a [`ServerSession`] wired back to back, in the
//! manner of quinn-proto's `Pair`, with a manual clock and switchable loss per direction.

mod errors;
mod liveness;
mod login;
mod traffic;

use super::{ClientEvent, ClientSession, ServerEvent, ServerSession, SessionConfig};
use crate::pdu::{Submit, SubmitResp};
use crate::{CommandId, Frame, Pdu, SubmitResult, Version};
use std::time::{Duration, Instant};

const SP_ID: &[u8] = b"901234";
const SECRET: &[u8] = b"secret";
/// 10-15 09:30:00, the value of the spec's test vector.
const TIMESTAMP: u32 = 1_015_093_000;
const C: Duration = Duration::from_secs(180);
const T: Duration = Duration::from_secs(60);

/// Two sessions back to back (see `hongyan_wire::testing`).
type Pair = hongyan_wire::testing::Pair<ClientSession, ServerSession>;
hongyan_wire::endpoint!(ClientSession => ClientEvent);
hongyan_wire::endpoint!(ServerSession => ServerEvent);

/// What these tests add to the pair.
trait CmppPair: Sized {
    fn new(client: SessionConfig, server: SessionConfig) -> Self;

    /// A pair with default configs, logged in, events drained.
    fn connected() -> Self;

    fn connected_with(client: SessionConfig, server: SessionConfig) -> Self;

    /// Runs the login; the server accepts when the CONNECT verifies against `server_secret`
    /// and answers 3 (authentication error) otherwise. Returns the client's events.
    fn login(&mut self, server_secret: &[u8]) -> Vec<ClientEvent>;

    /// Submits `submit` from the client and returns its Sequence_Id.
    fn submit(&mut self, submit: Submit) -> u32;
}

impl CmppPair for Pair {
    fn new(client: SessionConfig, server: SessionConfig) -> Self {
        Self::wire(
            Instant::now(),
            ClientSession::new(client, SP_ID.to_vec(), SECRET.to_vec()),
            ServerSession::new(server),
        )
    }

    fn connected() -> Self {
        Self::connected_with(SessionConfig::default(), SessionConfig::default())
    }

    fn connected_with(client: SessionConfig, server: SessionConfig) -> Self {
        let mut pair = Self::new(client, server);
        let events = pair.login(SECRET);
        assert!(matches!(events[..], [ClientEvent::Connected { .. }]), "{events:?}");
        pair
    }

    fn login(&mut self, server_secret: &[u8]) -> Vec<ClientEvent> {
        self.client.connect(self.now, TIMESTAMP);
        self.drive();
        let Some(ServerEvent::ConnectRequest { sequence_id, connect }) = self.server.poll_event() else {
            panic!("no CONNECT reached the server");
        };
        let status = if connect.verify(server_secret) { 0 } else { 3 };
        self.server.answer_connect(sequence_id, &connect, status, server_secret);
        self.drive();
        self.client_events()
    }

    fn submit(&mut self, submit: Submit) -> u32 {
        let seq = self.client.submit(self.now, submit).expect("submit accepted");
        self.drive();
        seq
    }
}

/// How many frames with `command` are in `sent`.
fn count(sent: &[Vec<u8>], command: CommandId) -> usize {
    sent.iter().filter(|f| command_of(f) == command).count()
}

/// Command_Id of an encoded frame.
fn command_of(frame: &[u8]) -> CommandId {
    CommandId(u32::from_be_bytes(frame[4..8].try_into().unwrap()))
}

/// Sequence_Id of an encoded frame.
fn sequence_of(frame: &[u8]) -> u32 {
    u32::from_be_bytes(frame[8..12].try_into().unwrap())
}

/// The last frame with `command` in `sent`, decoded in `version`.
fn last(sent: &[Vec<u8>], command: CommandId, version: Version) -> Frame {
    let raw = sent.iter().rev().find(|f| command_of(f) == command).expect("frame sent");
    Frame::decode(raw, version).expect("our own frame decodes")
}

/// A SUBMIT to one recipient.
fn sample_submit(text: &str) -> Submit {
    Submit {
        msg_src: SP_ID.to_vec(),
        src_id: b"106900001234".to_vec(),
        dest_terminal_ids: vec![b"13800138000".to_vec()],
        msg_content: text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ..Submit::default()
    }
}

/// The server's answer: accept with `msg_id`.
fn accepted(msg_id: u64) -> SubmitResp {
    SubmitResp { msg_id, result: SubmitResult::OK }
}

/// The SUBMIT the server saw as `sequence_id`, if it was reported.
fn server_submit(events: &[ServerEvent], sequence_id: u32) -> Option<&Submit> {
    events.iter().find_map(|e| match e {
        ServerEvent::Submit { sequence_id: s, submit } if *s == sequence_id => Some(submit),
        _ => None,
    })
}

#[test]
fn pair_smoke() {
    let mut pair = Pair::connected();
    assert_eq!(pair.client.version(), Version::V30);
    assert_eq!(pair.server.version(), Version::V30);
    assert!(matches!(last(&pair.client_sent, CommandId::CONNECT, Version::V30).pdu, Pdu::Connect(_)));
    assert!(pair.server_events().is_empty());
}
