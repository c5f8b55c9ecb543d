//! Two sans-I/O sessions wired back to back, for each protocol crate's session tests (in the
//! manner of quinn-proto's `Pair`): a manual clock, every frame each side sent kept for the
//! test to read, and loss switchable per direction. Built only with the `testing` feature,
//! which the protocol crates turn on for their tests alone.
//!
//! Each protocol's tests name their pair `Pair<ClientSession, ServerSession>` and add what is
//! theirs (logging in, a sample submit) through a trait of their own.

use std::time::{Duration, Instant};

/// A session as the pair drives it: bytes in and out, timers, events.
pub trait Endpoint {
    /// What the session reports to its application.
    type Event;
    /// Feeds bytes; a session that refuses them fails the test.
    fn input(&mut self, bytes: &[u8], now: Instant);
    /// The next frame to put on the wire.
    fn transmit(&mut self) -> Option<Vec<u8>>;
    /// When the session next wants `fire`.
    fn deadline(&self) -> Option<Instant>;
    /// Runs the timers due at `now`.
    fn fire(&mut self, now: Instant);
    /// The next event.
    fn event(&mut self) -> Option<Self::Event>;
}

/// Implements [`Endpoint`] for a session type with the usual sans-I/O methods
/// (`handle_input`, `poll_transmit`, `poll_timeout`, `handle_timeout`, `poll_event`).
#[macro_export]
macro_rules! endpoint {
    ($ty:ty => $event:ty) => {
        impl $crate::testing::Endpoint for $ty {
            type Event = $event;
            fn input(&mut self, bytes: &[u8], now: std::time::Instant) {
                <$ty>::handle_input(self, bytes, now).expect(concat!(stringify!($ty), " takes the input"));
            }
            fn transmit(&mut self) -> Option<Vec<u8>> {
                <$ty>::poll_transmit(self)
            }
            fn deadline(&self) -> Option<std::time::Instant> {
                <$ty>::poll_timeout(self)
            }
            fn fire(&mut self, now: std::time::Instant) {
                <$ty>::handle_timeout(self, now)
            }
            fn event(&mut self) -> Option<$event> {
                <$ty>::poll_event(self)
            }
        }
    };
}

/// Two sessions, the wire between them, and the clock.
#[derive(Debug)]
pub struct Pair<C, S> {
    /// The clock both sessions are driven with.
    pub now: Instant,
    /// The side that connects.
    pub client: C,
    /// The side that listens.
    pub server: S,
    /// Every frame the client put on the wire, delivered or lost.
    pub client_sent: Vec<Vec<u8>>,
    /// Every frame the server put on the wire, delivered or lost.
    pub server_sent: Vec<Vec<u8>>,
    /// False loses everything the client sends, like a server that stopped reading.
    pub client_to_server: bool,
    /// False loses everything the server sends.
    pub server_to_client: bool,
}

impl<C: Endpoint, S: Endpoint> Pair<C, S> {
    /// The two sessions at `now`, nothing sent yet.
    pub fn wire(now: Instant, client: C, server: S) -> Self {
        Self {
            now,
            client,
            server,
            client_sent: Vec::new(),
            server_sent: Vec::new(),
            client_to_server: true,
            server_to_client: true,
        }
    }

    /// Moves frames both ways until neither side has anything to send.
    pub fn drive(&mut self) {
        loop {
            let mut moved = false;
            while let Some(bytes) = self.client.transmit() {
                moved = true;
                if self.client_to_server {
                    self.server.input(&bytes, self.now);
                }
                self.client_sent.push(bytes);
            }
            while let Some(bytes) = self.server.transmit() {
                moved = true;
                if self.server_to_client {
                    self.client.input(&bytes, self.now);
                }
                self.server_sent.push(bytes);
            }
            if !moved {
                return;
            }
        }
    }

    /// Moves the clock forward by `d`, firing every timer at its own deadline on the way.
    pub fn advance(&mut self, d: Duration) {
        let target = self.now + d;
        for _ in 0..10_000 {
            let next =
                [self.client.deadline(), self.server.deadline()].into_iter().flatten().filter(|&t| t <= target).min();
            let Some(next) = next else {
                self.now = target;
                return;
            };
            self.now = next.max(self.now);
            self.client.fire(self.now);
            self.server.fire(self.now);
            self.drive();
        }
        panic!("timers never settle: a deadline is not moving forward");
    }

    /// The client's events so far.
    pub fn client_events(&mut self) -> Vec<C::Event> {
        std::iter::from_fn(|| self.client.event()).collect()
    }

    /// The server's events so far.
    pub fn server_events(&mut self) -> Vec<S::Event> {
        std::iter::from_fn(|| self.server.event()).collect()
    }
}
