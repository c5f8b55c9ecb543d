//! The statements' totals, counted in memory while a transaction writes and added to the
//! tables once, just before its commit.
//!
//! The daily totals (per account, Beijing day, carrier, category, channel and state: messages,
//! billed segments, their price) and the per-minute acceptance counts change with every
//! message written: accepted, answered by the carrier, settled by its report, failed, moved
//! to another channel. Each write reports its change to a [`Tally`]; the backend adds
//! [`Tally::drain`]'s sums to its tables in the same transaction, so a commit holds its
//! messages and their counts together, with one upsert per line instead of several per
//! message. Every backend counts the same way because they share this code.
//!
//! A job that may be rolled back alone (a savepoint) keeps its counts apart until it ends
//! ([`Tally::end_job`]) and they are dropped with it.
//!
//! What this module does not do: decide a message's state (the backends' writes do, and tell
//! the tally what they changed), or read the totals.

use std::collections::HashMap;

const BEIJING_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// One line of the daily totals: what a statement and the state counts add up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Line {
    /// The account.
    pub account_id: i64,
    /// The Beijing day of acceptance, in days since the epoch.
    pub day: i64,
    /// Carrier, as stored.
    pub carrier: String,
    /// Category, as stored.
    pub category: String,
    /// Channel.
    pub channel: String,
    /// State, as stored.
    pub status: String,
}

/// A message as the totals see it: where it is counted, when it was accepted, its price.
#[derive(Debug, Clone)]
pub struct Counted {
    line: Line,
    accepted_at: i64,
    unit_price: Option<i64>,
}

impl Counted {
    /// A message of `account_id` accepted at `accepted_at` (UTC ms), counted in the line its
    /// carrier, category, channel and state name, at `unit_price` a billed segment.
    pub fn new(
        (account_id, accepted_at): (i64, i64),
        (carrier, category): (&str, String),
        channel: &str,
        status: &str,
        unit_price: Option<i64>,
    ) -> Self {
        let day = (accepted_at + BEIJING_OFFSET_MS) / DAY_MS;
        let (carrier, channel, status) = (carrier.to_owned(), channel.to_owned(), status.to_owned());
        Self { line: Line { account_id, day, carrier, category, channel, status }, accepted_at, unit_price }
    }

    /// Its account.
    pub fn account_id(&self) -> i64 {
        self.line.account_id
    }

    /// The state it is counted in now.
    pub fn status(&self) -> &str {
        &self.line.status
    }

    /// The channel it is counted on.
    pub fn channel(&self) -> &str {
        &self.line.channel
    }

    /// The same message in another state.
    pub fn with_status(&self, status: &str) -> Self {
        let mut moved = self.clone();
        moved.line.status = status.to_owned();
        moved
    }

    /// The same message on another channel.
    pub fn with_channel(&self, channel: &str) -> Self {
        let mut moved = self.clone();
        moved.line.channel = channel.to_owned();
        moved
    }

    /// What `billed` of its segments add to its line.
    fn sums(&self, messages: i64, billed: i64) -> Sums {
        let priced = if self.unit_price.is_some() { billed } else { 0 };
        Sums { messages, billed, priced, amount: self.unit_price.unwrap_or(0) * billed }
    }
}

/// What one line adds up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sums {
    /// Messages.
    pub messages: i64,
    /// Segments the carrier accepted.
    pub billed: i64,
    /// Billed segments that carry a price.
    pub priced: i64,
    /// Their price, in the smallest unit of `Money`.
    pub amount: i64,
}

impl Sums {
    fn add(&mut self, other: Self) {
        self.messages += other.messages;
        self.billed += other.billed;
        self.priced += other.priced;
        self.amount += other.amount;
    }
}

/// Changes to the totals that an open transaction has made and not yet written.
#[derive(Debug, Default)]
pub struct Tally {
    daily: HashMap<Line, Sums>,
    minutes: HashMap<(i64, i64), i64>,
    /// The running job's, until it ends.
    job_daily: HashMap<Line, Sums>,
    job_minutes: HashMap<(i64, i64), i64>,
}

impl Tally {
    /// A message stored.
    pub fn accepted(&mut self, m: &Counted) {
        self.add(&m.line, m.sums(1, 0));
        *self.job_minutes.entry((m.line.account_id, m.accepted_at / 60_000)).or_default() += 1;
    }

    /// A message taken back (with `billed` segments, if any were), as if never stored.
    pub fn taken_back(&mut self, m: &Counted, billed: i64) {
        self.add(&m.line, m.sums(-1, -billed));
        *self.job_minutes.entry((m.line.account_id, m.accepted_at / 60_000)).or_default() -= 1;
    }

    /// `n` more of its segments billed (negative: fewer), on the line it is counted in.
    pub fn billed(&mut self, m: &Counted, n: i64) {
        if n != 0 {
            self.add(&m.line, m.sums(0, n));
        }
    }

    /// A message with `billed` segments moved from the line of `from` to that of `to`.
    pub fn moved(&mut self, from: &Counted, billed: i64, to: &Counted) {
        self.add(&from.line, from.sums(-1, -billed));
        self.add(&to.line, to.sums(1, billed));
    }

    fn add(&mut self, line: &Line, sums: Sums) {
        match self.job_daily.get_mut(line) {
            Some(kept) => kept.add(sums),
            None => {
                self.job_daily.insert(line.clone(), sums);
            }
        }
    }

    /// The running job ended: its counts join the transaction's if it was `kept`, or are
    /// dropped with its rolled-back changes.
    pub fn end_job(&mut self, kept: bool) {
        if kept {
            for (line, sums) in self.job_daily.drain() {
                self.daily.entry(line).or_default().add(sums);
            }
            for (minute, n) in self.job_minutes.drain() {
                *self.minutes.entry(minute).or_default() += n;
            }
        } else {
            self.job_daily.clear();
            self.job_minutes.clear();
        }
    }

    /// The transaction's counts, to be added to the tables just before its commit: the day
    /// lines and the (account, minute) counts that changed, each in a fixed order so that
    /// concurrent transactions lock shared lines in the same order.
    pub fn drain(&mut self) -> Drained {
        self.end_job(true);
        let mut daily: Vec<(Line, Sums)> = self.daily.drain().filter(|(_, s)| *s != Sums::default()).collect();
        daily.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut minutes: Vec<((i64, i64), i64)> = self.minutes.drain().filter(|(_, n)| *n != 0).collect();
        minutes.sort_unstable();
        Drained { daily, minutes }
    }
}

/// What [`Tally::drain`] hands the backend to write.
#[derive(Debug, Default)]
pub struct Drained {
    /// Sums to add to each day line.
    pub daily: Vec<(Line, Sums)>,
    /// Messages to add per (account, minute since the epoch).
    pub minutes: Vec<((i64, i64), i64)>,
}

impl Drained {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.daily.is_empty() && self.minutes.is_empty()
    }
}

/// A stored message as a change of its state needs it: its segment count, where it is
/// counted, how many of its segments are billed, and whether it came over a client link
/// (SMPP/CMPP: only such a message has a reference, and only it may owe its client a final
/// receipt).
#[derive(Debug)]
pub struct Held {
    /// Its segment count.
    pub segments: u8,
    /// Where it is counted.
    pub counted: Counted,
    /// Segments the carrier accepted.
    pub billed: i64,
    /// Came over a client link.
    pub linked: bool,
}
