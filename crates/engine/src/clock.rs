//! Injected time.

use std::time::SystemTime;

use hongyan_types::Timestamp;

/// Where the engine reads "now". Tests pass a clock they control.
pub trait Clock: Send + Sync + 'static {
    /// The current wall-clock time.
    fn now(&self) -> Timestamp;
}

/// The operating system's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_system(SystemTime::now())
    }
}

/// The wall-clock time when it was made, moved on by tokio's clock. In a running process that
/// is the system clock (give or take the wall clock's own adjustments); under tokio's paused
/// clock it follows virtual time, so a test's links, simulators and engine all see the same
/// time pass.
#[derive(Debug, Clone, Copy)]
pub struct TokioClock {
    start: Timestamp,
    at: tokio::time::Instant,
}

impl TokioClock {
    /// Starts from the system clock now.
    pub fn new() -> Self {
        Self { start: SystemClock.now(), at: tokio::time::Instant::now() }
    }
}

impl Default for TokioClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = i64::try_from(self.at.elapsed().as_millis()).unwrap_or(i64::MAX / 2);
        Timestamp::from_millis(self.start.as_millis() + elapsed)
    }
}
