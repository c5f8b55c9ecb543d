//! Session tests: a [`ClientSession`] and a [`ServerSession`] wired back to back, in the
//! manner of quinn-proto's `Pair`, with a manual clock and switchable loss per direction.

mod errors;
mod liveness;
mod login;
mod traffic;

use super::{ClientEvent, ClientSession, ServerEvent, ServerSession, SessionConfig};
use crate::pdu::{Submit, SubmitResp};
use crate::{Frame, LoginMode, MsgId, Pdu, RequestId, Status};
use std::time::{Duration, Instant};

/// The account of smgp.md §5's test vector.
const CLIENT_ID: &[u8] = b"12345678";
const SECRET: &[u8] = b"pass";
/// 03-01 00:00:00, the value of the spec's test vector.
const TIMESTAMP: u32 = 301_000_000;
const C: Duration = Duration::from_secs(180);
const T: Duration = Duration::from_secs(60);

/// Two sessions back to back (see `hongyan_wire::testing`).
type Pair = hongyan_wire::testing::Pair<ClientSession, ServerSession>;
hongyan_wire::endpoint!(ClientSession => ClientEvent);
hongyan_wire::endpoint!(ServerSession => ServerEvent);

/// What these tests add to the pair.
trait SmgpPair: Sized {
    fn new(client: SessionConfig, server: SessionConfig, mode: LoginMode) -> Self;

    /// A pair with default configs in LoginMode 2 that has not logged in yet.
    fn fresh() -> Self;

    /// A pair with default configs, logged in (LoginMode 2), events drained.
    fn logged_in() -> Self;

    fn logged_in_with(client: SessionConfig, server: SessionConfig, mode: LoginMode) -> Self;

    /// Runs the login; the server accepts when the Login verifies against `server_secret`
    /// and answers 21 (authentication error) otherwise. Returns the client's events.
    fn login(&mut self, server_secret: &[u8]) -> Vec<ClientEvent>;

    /// Submits `submit` from the client and returns its SequenceID.
    fn submit(&mut self, submit: Submit) -> u32;
}

impl SmgpPair for Pair {
    fn new(client: SessionConfig, server: SessionConfig, mode: LoginMode) -> Self {
        Self::wire(
            Instant::now(),
            ClientSession::new(client, CLIENT_ID.to_vec(), SECRET.to_vec(), mode),
            ServerSession::new(server),
        )
    }

    fn fresh() -> Self {
        Self::new(SessionConfig::default(), SessionConfig::default(), LoginMode::TRANSMIT)
    }

    fn logged_in() -> Self {
        Self::logged_in_with(SessionConfig::default(), SessionConfig::default(), LoginMode::TRANSMIT)
    }

    fn logged_in_with(client: SessionConfig, server: SessionConfig, mode: LoginMode) -> Self {
        let mut pair = Self::new(client, server, mode);
        let events = pair.login(SECRET);
        assert!(matches!(events[..], [ClientEvent::LoggedIn { .. }]), "{events:?}");
        pair
    }

    fn login(&mut self, server_secret: &[u8]) -> Vec<ClientEvent> {
        self.client.login(self.now, TIMESTAMP);
        self.drive();
        let Some(ServerEvent::LoginRequest { sequence_id, login }) = self.server.poll_event() else {
            panic!("no Login reached the server");
        };
        let status = if login.verify(server_secret) { Status::OK } else { Status::AUTH_ERROR };
        self.server.answer_login(sequence_id, &login, status, server_secret);
        self.drive();
        self.client_events()
    }

    fn submit(&mut self, submit: Submit) -> u32 {
        let seq = self.client.submit(self.now, submit).expect("submit accepted");
        self.drive();
        seq
    }
}

/// How many frames with `request_id` are in `sent`.
fn count(sent: &[Vec<u8>], request_id: RequestId) -> usize {
    sent.iter().filter(|f| request_of(f) == request_id).count()
}

/// RequestID of an encoded frame.
fn request_of(frame: &[u8]) -> RequestId {
    RequestId(u32::from_be_bytes(frame[4..8].try_into().unwrap()))
}

/// SequenceID of an encoded frame.
fn sequence_of(frame: &[u8]) -> u32 {
    u32::from_be_bytes(frame[8..12].try_into().unwrap())
}

/// The last frame with `request_id` in `sent`, decoded.
fn last(sent: &[Vec<u8>], request_id: RequestId) -> Frame {
    let raw = sent.iter().rev().find(|f| request_of(f) == request_id).expect("frame sent");
    Frame::decode(raw).expect("our own frame decodes")
}

/// A Submit to one recipient.
fn sample_submit(text: &str) -> Submit {
    Submit {
        src_term_id: b"118901234".to_vec(),
        dest_term_ids: vec![b"13300000000".to_vec()],
        msg_content: text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        ..Submit::default()
    }
}

/// A MsgID with sequence `n`.
fn msg_id(n: u32) -> MsgId {
    MsgId::new(crate::MsgIdParts { gateway: 10_061, month: 1, day: 16, hour: 17, minute: 0, sequence: n })
}

/// The server's answer: accept with MsgID `n`.
fn accepted(n: u32) -> SubmitResp {
    SubmitResp { msg_id: msg_id(n), status: Status::OK }
}

/// The Submit the server saw as `sequence_id`, if it was reported.
fn server_submit(events: &[ServerEvent], sequence_id: u32) -> Option<&Submit> {
    events.iter().find_map(|e| match e {
        ServerEvent::Submit { sequence_id: s, submit } if *s == sequence_id => Some(submit),
        _ => None,
    })
}

#[test]
fn pair_smoke() {
    let mut pair = Pair::logged_in();
    assert!(matches!(last(&pair.client_sent, RequestId::LOGIN).pdu, Pdu::Login(_)));
    assert_eq!(pair.server.login_mode(), Some(LoginMode::TRANSMIT));
    assert!(pair.server_events().is_empty());
}
