//! The open transaction as the writer's jobs see it.

use hongyan_store::Result;
use rusqlite::Connection;

/// The open transaction as a job sees it: the connection, and the statements' totals its
/// changes add to, which the writer writes once before the commit (`usage.rs`).
pub(crate) struct Writing<'c> {
    conn: &'c Connection,
    pub(crate) tally: std::cell::RefCell<hongyan_store::totals::Tally>,
}

impl<'c> Writing<'c> {
    pub(crate) fn new(conn: &'c Connection) -> Self {
        Self { conn, tally: Default::default() }
    }

    /// Ends the running job: its counts are kept with the transaction, or dropped.
    pub(crate) fn end_job(&self, kept: bool) {
        self.tally.borrow_mut().end_job(kept);
    }

    /// Writes the transaction's counts; the last step before its commit.
    pub(crate) fn flush(&self) -> Result<()> {
        crate::usage::flush(&mut self.tally.borrow_mut(), self.conn).map_err(crate::backend)
    }
}

impl std::ops::Deref for Writing<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}
