//! The statements' totals, counted in the writer's memory and written once per commit.
//!
//! `usage_daily` (per account, Beijing day, carrier, category, channel and state: messages,
//! billed segments, their price) and `accepted_minutely` (the sending chart) change with every
//! message written: accepted, answered by the carrier, settled by its report, failed, moved
//! to another channel. Triggers kept them until migration 000030, in the statement of each
//! change — about 32 µs of the ~75 µs a message costs the writer, for a few dozen lines that
//! thousands of messages in one commit all add to. Now each write reports its change here
//! ([`Tally`]), and the writer adds the sums to the tables in the same transaction, just
//! before its commit ([`Tally::flush`]): a commit holds its messages and their counts
//! together, as before, with one upsert per line instead of several per message.
//!
//! A job that runs in a savepoint may be rolled back alone; its counts are kept apart until
//! it ends ([`Tally::end_job`]) and dropped with it.
//!
//! What this module does not do: decide a message's state (the writes in `write_ops` do, and
//! tell the tally what they changed), or read the totals (`limit_ops`).

use std::collections::HashMap;

use rusqlite::{params, Connection, Row};

const BEIJING_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// One line of `usage_daily`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Line {
    account_id: i64,
    day: i64,
    carrier: String,
    category: String,
    channel: String,
    status: String,
}

/// A message as the totals see it: where it is counted, when it was accepted, its price.
#[derive(Debug, Clone)]
pub(crate) struct Counted {
    line: Line,
    accepted_at: i64,
    unit_price: Option<i64>,
}

impl Counted {
    pub(crate) fn new(
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

    /// Reads `account_id, accepted_at, carrier, category, channel, status, unit_price` of a
    /// message, starting at column `first`.
    pub(crate) fn from_row(row: &Row<'_>, first: usize) -> rusqlite::Result<Self> {
        let (carrier, channel, status): (String, String, String) =
            (row.get(first + 2)?, row.get(first + 4)?, row.get(first + 5)?);
        Ok(Self::new(
            (row.get(first)?, row.get(first + 1)?),
            (&carrier, row.get(first + 3)?),
            &channel,
            &status,
            row.get(first + 6)?,
        ))
    }

    /// Its account.
    pub(crate) fn account_id(&self) -> i64 {
        self.line.account_id
    }

    /// The state it is counted in now.
    pub(crate) fn status(&self) -> &str {
        &self.line.status
    }

    /// The channel it is counted on.
    pub(crate) fn channel(&self) -> &str {
        &self.line.channel
    }

    /// The same message in another state.
    pub(crate) fn with_status(&self, status: &str) -> Self {
        let mut moved = self.clone();
        moved.line.status = status.to_owned();
        moved
    }

    /// The same message on another channel.
    pub(crate) fn with_channel(&self, channel: &str) -> Self {
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

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Sums {
    messages: i64,
    billed: i64,
    priced: i64,
    amount: i64,
}

impl Sums {
    fn add(&mut self, other: Self) {
        self.messages += other.messages;
        self.billed += other.billed;
        self.priced += other.priced;
        self.amount += other.amount;
    }
}

/// Changes to the totals that the open transaction has made and not yet written.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    daily: HashMap<Line, Sums>,
    minutes: HashMap<(i64, i64), i64>,
    /// The running job's, until it ends.
    job_daily: HashMap<Line, Sums>,
    job_minutes: HashMap<(i64, i64), i64>,
}

impl Tally {
    /// A message stored.
    pub(crate) fn accepted(&mut self, m: &Counted) {
        self.add(&m.line, m.sums(1, 0));
        *self.job_minutes.entry((m.line.account_id, m.accepted_at / 60_000)).or_default() += 1;
    }

    /// A message taken back (with `billed` segments, if any were), as if never stored.
    pub(crate) fn taken_back(&mut self, m: &Counted, billed: i64) {
        self.add(&m.line, m.sums(-1, -billed));
        *self.job_minutes.entry((m.line.account_id, m.accepted_at / 60_000)).or_default() -= 1;
    }

    /// `n` more of its segments billed (negative: fewer), on the line it is counted in.
    pub(crate) fn billed(&mut self, m: &Counted, n: i64) {
        if n != 0 {
            self.add(&m.line, m.sums(0, n));
        }
    }

    /// A message with `billed` segments moved from the line of `from` to that of `to`.
    pub(crate) fn moved(&mut self, from: &Counted, billed: i64, to: &Counted) {
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
    pub(crate) fn end_job(&mut self, kept: bool) {
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

    /// Adds the transaction's counts to the tables; called once, just before the commit.
    pub(crate) fn flush(&mut self, conn: &Connection) -> rusqlite::Result<()> {
        self.end_job(true);
        if self.daily.is_empty() && self.minutes.is_empty() {
            return Ok(());
        }
        let mut daily = conn.prepare_cached(
            "INSERT INTO usage_daily (account_id, day, carrier, category, channel, status,
                                      messages, billed_segments, priced_segments, amount)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (account_id, day, carrier, category, channel, status) DO UPDATE SET
                 messages = messages + excluded.messages,
                 billed_segments = billed_segments + excluded.billed_segments,
                 priced_segments = priced_segments + excluded.priced_segments,
                 amount = amount + excluded.amount",
        )?;
        for (l, s) in self.daily.drain().filter(|(_, s)| *s != Sums::default()) {
            daily.execute(params![
                l.account_id,
                l.day,
                l.carrier,
                l.category,
                l.channel,
                l.status,
                s.messages,
                s.billed,
                s.priced,
                s.amount
            ])?;
        }
        let mut minutes = conn.prepare_cached(
            "INSERT INTO accepted_minutely (account_id, minute, messages) VALUES (?1, ?2, ?3)
             ON CONFLICT (minute, account_id) DO UPDATE SET messages = messages + excluded.messages",
        )?;
        for ((account_id, minute), n) in self.minutes.drain().filter(|(_, n)| *n != 0) {
            minutes.execute(params![account_id, minute, n])?;
        }
        Ok(())
    }
}

/// A stored message as a change of its state needs it: its segment count, where it is
/// counted, how many of its segments are billed, and whether it came over a client link
/// (SMPP/CMPP: only such a message has a reference, and only it may owe its client a final
/// receipt).
#[derive(Debug)]
pub(crate) struct Held {
    pub(crate) segments: u8,
    pub(crate) counted: Counted,
    pub(crate) billed: i64,
    pub(crate) linked: bool,
}

/// The message `id` as a change of its state needs it; `None` when there is no such message.
pub(crate) fn read(conn: &Connection, id: i64) -> rusqlite::Result<Option<Held>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT m.segments, m.account_id, m.accepted_at, m.carrier, m.category, m.channel, m.status, m.unit_price,
                (SELECT count(*) FROM segments s WHERE s.message_id = m.id AND s.submit_result = 0),
                m.client_ref IS NOT NULL
         FROM messages m WHERE m.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Held { segments: r.get(0)?, counted: Counted::from_row(r, 1)?, billed: r.get(8)?, linked: r.get(9)? })
    })
    .optional()
}
