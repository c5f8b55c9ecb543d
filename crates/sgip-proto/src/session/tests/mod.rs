//! Session tests: a [`ClientSession`] and a [`ServerSession`] wired back to back, in the
//! manner of quinn-proto's `Pair`, with a manual clock and switchable loss per direction.

mod bind;
mod errors;
mod timers;
mod traffic;

use super::{ClientEvent, ClientSession, Request, ServerEvent, ServerSession, SessionConfig};
use crate::pdu::{Bind, Resp, Submit};
use crate::{mmddhhmmss, CommandId, Frame, LoginType, MessageCoding, ResultCode, Sequence};
use std::time::{Duration, Instant};

/// The SP's node id (`3AAAAQQQQQ`: area 0100, corporation 99999).
const SP_NODE: u32 = 3_010_099_999;
/// The SMG's node id (`1AAAAX`: area 0100, index 1).
const SMG_NODE: u32 = 101_001;
/// 11-20 20:32:25, the spec's time example.
const TIME: u32 = mmddhhmmss(11, 20, 20, 32, 25);
const NAME: &[u8] = b"hongyan";
const PASSWORD: &[u8] = b"pa55word";
/// The spec's response time-out and idle limit.
const T: Duration = Duration::from_secs(30);
const IDLE: Duration = Duration::from_secs(60);

/// Two sessions back to back (see `hongyan_wire::testing`).
type Pair = hongyan_wire::testing::Pair<ClientSession, ServerSession>;
hongyan_wire::endpoint!(ClientSession => ClientEvent);
hongyan_wire::endpoint!(ServerSession => ServerEvent);

/// What these tests add to the pair.
trait SgipPair: Sized {
    /// An SP client (Login Type 1) and an SMG server with these configs; node ids are set.
    fn new(client: SessionConfig, server: SessionConfig) -> Self;

    fn with_login(client: SessionConfig, server: SessionConfig, login_type: LoginType) -> Self;

    /// A pair with default configs, bound, events drained.
    fn bound() -> Self;

    fn bound_with(client: SessionConfig, server: SessionConfig) -> Self;

    /// Runs the login; the server accepts when the Bind verifies against `password` and
    /// answers 1 (illegal login) otherwise. Returns the client's events.
    fn login(&mut self, password: &[u8]) -> Vec<ClientEvent>;

    /// Submits `submit` from the client and returns its sequence.
    fn submit(&mut self, submit: Submit) -> Sequence;
}

impl SgipPair for Pair {
    fn new(client: SessionConfig, server: SessionConfig) -> Self {
        Self::with_login(client, server, LoginType::SP_TO_SMG)
    }

    fn with_login(client: SessionConfig, server: SessionConfig, login_type: LoginType) -> Self {
        let now = Instant::now();
        let bind = Bind::new(login_type, NAME, PASSWORD);
        Self::wire(
            now,
            ClientSession::new(SessionConfig { node_id: SP_NODE, ..client }, bind),
            ServerSession::new(SessionConfig { node_id: SMG_NODE, ..server }, now),
        )
    }

    fn bound() -> Self {
        Self::bound_with(SessionConfig::default(), SessionConfig::default())
    }

    fn bound_with(client: SessionConfig, server: SessionConfig) -> Self {
        let mut pair = Self::new(client, server);
        let events = pair.login(PASSWORD);
        assert_eq!(events, [ClientEvent::Bound]);
        pair
    }

    fn login(&mut self, password: &[u8]) -> Vec<ClientEvent> {
        self.client.bind(self.now, TIME).expect("valid Bind");
        self.drive();
        let Some(ServerEvent::BindRequest { sequence, bind }) = self.server.poll_event() else {
            panic!("no Bind reached the server");
        };
        let ok = bind.verify(NAME, password);
        self.server.answer_bind(sequence, if ok { ResultCode::OK } else { ResultCode::ILLEGAL_LOGIN });
        self.drive();
        self.client_events()
    }

    fn submit(&mut self, submit: Submit) -> Sequence {
        let sequence = self.client.submit(self.now, TIME, submit).expect("submit accepted");
        self.drive();
        sequence
    }
}

/// A config whose server never closes for idleness within a test.
fn patient() -> SessionConfig {
    SessionConfig { idle_timeout: Duration::from_secs(3600), ..SessionConfig::default() }
}

/// How many frames with `command` are in `sent`.
fn count(sent: &[Vec<u8>], command: CommandId) -> usize {
    sent.iter().filter(|f| command_of(f) == command).count()
}

/// Command ID of an encoded frame.
fn command_of(frame: &[u8]) -> CommandId {
    CommandId(u32::from_be_bytes(frame[4..8].try_into().unwrap()))
}

/// The decoded frames with `command` in `sent`.
fn frames(sent: &[Vec<u8>], command: CommandId) -> Vec<Frame> {
    sent.iter().filter(|f| command_of(f) == command).map(|f| Frame::decode(f).expect("decodes")).collect()
}

/// The Resp body of every `command` frame in `sent`, with its sequence.
fn resps(sent: &[Vec<u8>], command: CommandId) -> Vec<(Sequence, Resp)> {
    frames(sent, command).into_iter().map(|f| (f.sequence, *f.pdu.resp().expect("a Resp"))).collect()
}

/// A Submit to one recipient.
fn sample_submit(text: &str) -> Submit {
    Submit {
        sp_number: b"10655012345".to_vec(),
        user_numbers: vec![b"8613012345678".to_vec()],
        message_coding: MessageCoding::UCS2,
        message_content: text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ..Submit::default()
    }
}

/// The requests the server was handed, with their sequences.
fn server_requests(events: &[ServerEvent]) -> Vec<(Sequence, Request)> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Request { sequence, request } => Some((*sequence, request.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn pair_smoke() {
    let mut pair = Pair::bound();
    assert!(pair.client.is_bound() && pair.client.can_send());
    assert_eq!(pair.server.login_type(), Some(LoginType::SP_TO_SMG));
    assert!(pair.server_events().is_empty());
    assert_eq!(pair.client.next_counter(), 1, "the Bind took counter 0");
}
