//! Keep-alive of a logged-in link: after `idle` without a whole frame from the peer, send a
//! probe (CMPP/SMGP Active_Test, SMPP enquire_link); re-send the same probe every
//! `response_timeout` while nothing arrives; after `max_attempts` unanswered sends the link is
//! dead. Any whole frame from the peer, not only the probe's answer, proves it alive.
//!
//! The protocol makes the probe's bytes (with a fresh sequence number) and writes them; this
//! only says when.

use std::time::{Duration, Instant};

/// A probe sent and not answered yet.
#[derive(Debug)]
struct Probe {
    /// The frame, re-sent unchanged while unanswered.
    bytes: Vec<u8>,
    /// When it was last sent.
    sent_at: Instant,
    /// How many times it has been sent.
    attempts: u32,
}

/// What a keep-alive time-out asks of the link.
#[derive(Debug, PartialEq, Eq)]
pub enum KeepAliveDue {
    /// Nothing yet.
    Nothing,
    /// Idle long enough: make a probe and hand it to [`KeepAlive::probing`].
    NewProbe,
    /// The probe went unanswered: send these bytes again.
    Resend(Vec<u8>),
    /// `max_attempts` probes went unanswered.
    Dead,
}

/// The keep-alive state of one connection.
#[derive(Debug)]
pub struct KeepAlive {
    idle: Duration,
    response_timeout: Duration,
    max_attempts: u32,
    /// Runs only once logged in.
    on: bool,
    /// When the last whole frame arrived: the idle clock.
    last_rx: Option<Instant>,
    probe: Option<Probe>,
    /// The round trip of the last probe answered at its first send, until taken.
    answered: Option<Duration>,
    /// Probes re-sent since the last [`KeepAlive::take_resends`].
    resent: u32,
}

impl KeepAlive {
    /// Off until [`KeepAlive::start`]; `max_attempts` of 0 counts as 1.
    pub fn new(idle: Duration, response_timeout: Duration, max_attempts: u32) -> Self {
        Self {
            idle,
            response_timeout,
            max_attempts: max_attempts.max(1),
            on: false,
            last_rx: None,
            probe: None,
            answered: None,
            resent: 0,
        }
    }

    /// A whole frame arrived: the peer is alive.
    pub fn heard(&mut self, now: Instant) {
        self.last_rx = Some(now);
        // A re-sent probe's answer cannot be told from the first send's: no round trip then
        // (the re-send is counted as a loss by whoever counts them).
        if let Some(p) = self.probe.take().filter(|p| p.attempts == 1) {
            self.answered = Some(now.saturating_duration_since(p.sent_at));
        }
    }

    /// The round trip of the last probe, answered since the last call.
    pub fn take_round_trip(&mut self) -> Option<Duration> {
        self.answered.take()
    }

    /// Probes re-sent (their earlier send unanswered within the time-out) since the last call.
    pub fn take_resends(&mut self) -> u32 {
        std::mem::take(&mut self.resent)
    }

    /// Starts keep-alive (after login); idle time counts from the last frame heard.
    pub fn start(&mut self) {
        self.on = true;
    }

    /// Stops it for good.
    pub fn stop(&mut self) {
        self.on = false;
        self.probe = None;
    }

    /// When keep-alive next needs attention.
    pub fn deadline(&self) -> Option<Instant> {
        if !self.on {
            return None;
        }
        match &self.probe {
            Some(probe) => Some(probe.sent_at + self.response_timeout),
            None => Some(self.last_rx? + self.idle),
        }
    }

    /// What is due at `now`.
    pub fn timeout(&mut self, now: Instant) -> KeepAliveDue {
        match self.deadline() {
            Some(deadline) if now >= deadline => {}
            _ => return KeepAliveDue::Nothing,
        }
        match &mut self.probe {
            Some(probe) if probe.attempts >= self.max_attempts => KeepAliveDue::Dead,
            Some(probe) => {
                probe.attempts += 1;
                probe.sent_at = now;
                self.resent = self.resent.saturating_add(1);
                KeepAliveDue::Resend(probe.bytes.clone())
            }
            None => KeepAliveDue::NewProbe,
        }
    }

    /// The probe made for [`KeepAliveDue::NewProbe`] was sent at `now`.
    pub fn probing(&mut self, bytes: Vec<u8>, now: Instant) {
        self.probe = Some(Probe { bytes, sent_at: now, attempts: 1 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_after_idle_resends_then_gives_up_and_any_frame_revives() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut k = KeepAlive::new(s(180), s(60), 3);
        k.heard(t0);
        assert_eq!(k.deadline(), None, "off until logged in");
        k.start();
        assert_eq!(k.deadline(), Some(t0 + s(180)));
        assert_eq!(k.timeout(t0 + s(179)), KeepAliveDue::Nothing);
        assert_eq!(k.timeout(t0 + s(180)), KeepAliveDue::NewProbe);
        k.probing(vec![1, 2], t0 + s(180));
        k.heard(t0 + s(180) + Duration::from_millis(7));
        assert_eq!(k.take_round_trip(), Some(Duration::from_millis(7)), "answered at the first send");
        assert_eq!(k.take_round_trip(), None);
        assert_eq!(k.timeout(t0 + s(367)), KeepAliveDue::NewProbe);
        k.probing(vec![1, 2], t0 + s(180));
        assert_eq!(k.deadline(), Some(t0 + s(240)));
        assert_eq!(k.timeout(t0 + s(240)), KeepAliveDue::Resend(vec![1, 2]));
        assert_eq!(k.timeout(t0 + s(300)), KeepAliveDue::Resend(vec![1, 2]));
        assert_eq!(k.timeout(t0 + s(360)), KeepAliveDue::Dead, "three sends unanswered");
        assert_eq!(k.take_resends(), 2);
        k.heard(t0 + s(361));
        assert_eq!(k.take_round_trip(), None, "a re-sent probe gives no round trip");
        assert_eq!(k.deadline(), Some(t0 + s(541)), "any frame ends the probe and restarts the idle clock");
        k.stop();
        assert_eq!((k.deadline(), k.timeout(t0 + s(10_000))), (None, KeepAliveDue::Nothing));
    }
}
