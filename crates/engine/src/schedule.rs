//! Scheduled sending and marketing quiet hours.
//!
//! A message may carry a `send_at` time; marketing accepted during quiet hours (for example
//! 21:00–08:00 Beijing time) is held until they end, not refused. Held messages are stored
//! like any other, with their time, and wait here until it comes; after a restart,
//! `resume_pending` puts them back.

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use hongyan_types::{Category, CategoryKind, QuietHours, Timestamp};
use tokio::sync::watch;

use crate::dispatch::Outbound;
use crate::Engine;

/// The longest a message may be scheduled ahead.
pub const MAX_SCHEDULE_AHEAD_MS: i64 = 30 * 24 * 3600 * 1000;

#[derive(Default)]
pub(crate) struct Schedule {
    // std locks: map operations only, never held across an await.
    quiet: RwLock<Option<QuietHours>>,
    held: Mutex<BTreeMap<(Timestamp, u64), Outbound>>,
}

impl Engine {
    /// Sets (or clears) the marketing quiet hours.
    pub fn set_quiet_hours(&self, quiet: Option<QuietHours>) {
        *self.schedule.quiet.write().expect("quiet lock") = quiet;
    }

    /// When a message of `category` asked for `send_at` may go, if later than `now`.
    pub(crate) fn hold_until(
        &self,
        category: Category,
        send_at: Option<Timestamp>,
        now: Timestamp,
    ) -> Option<Timestamp> {
        let mut t = send_at.filter(|t| *t > now).unwrap_or(now);
        if category.is(CategoryKind::Marketing) {
            if let Some(q) = *self.schedule.quiet.read().expect("quiet lock") {
                t = q.next_allowed(t);
            }
        }
        (t > now).then_some(t)
    }

    /// Keeps a message until its time; gives it back when it is due already.
    pub(crate) fn hold(&self, out: Outbound) -> Option<Outbound> {
        match out.message.send_at.filter(|t| *t > self.clock.now()) {
            Some(t) => {
                self.schedule.held.lock().expect("held lock").insert((t, out.message.id.0), out);
                None
            }
            None => Some(out),
        }
    }

    /// Messages waiting for their time.
    pub fn held_count(&self) -> usize {
        self.schedule.held.lock().expect("held lock").len()
    }

    /// Releases held messages to their channels as their time comes, until shutdown.
    pub async fn run_scheduler(self: std::sync::Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        loop {
            tokio::select! {
                _ = tick.tick() => self.release_due(),
                _ = shutdown.changed() => return,
            }
        }
    }

    fn release_due(&self) {
        let now = self.clock.now();
        let due: Vec<Outbound> = {
            let mut held = self.schedule.held.lock().expect("held lock");
            let later = held.split_off(&(now.plus_millis(1), 0));
            std::mem::replace(&mut *held, later).into_values().collect()
        };
        due.into_iter().for_each(|out| self.send_to_channel(out));
    }
}
