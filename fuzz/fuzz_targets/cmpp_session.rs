//! Arbitrary bytes into both CMPP session kinds, split at an arbitrary point: never panics.
#![no_main]

use std::time::{Duration, Instant};

use hongyan_cmpp_proto::session::{ClientSession, ServerSession, SessionConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = Instant::now();
    let split = data.first().map_or(0, |b| usize::from(*b)).min(data.len());
    let (a, b) = data.split_at(split);

    let mut server = ServerSession::new(SessionConfig::default());
    let _ = server.handle_input(a, now);
    while let Some(ev) = server.poll_event() {
        if let hongyan_cmpp_proto::ServerEvent::ConnectRequest { sequence_id, connect } = ev {
            server.answer_connect(sequence_id, &connect, 0, b"secret");
        }
    }
    let _ = server.handle_input(b, now + Duration::from_secs(1));
    server.handle_timeout(now + Duration::from_secs(400));
    while server.poll_transmit().is_some() || server.poll_event().is_some() {}

    let mut client = ClientSession::new(SessionConfig::default(), b"901234".to_vec(), b"secret".to_vec());
    client.connect(now, 1015093000);
    let _ = client.handle_input(a, now);
    let _ = client.handle_input(b, now);
    client.handle_timeout(now + Duration::from_secs(400));
    while client.poll_transmit().is_some() || client.poll_event().is_some() {}
});
