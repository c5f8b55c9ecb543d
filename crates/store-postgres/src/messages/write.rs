//! The writes of a message's life other than the carriers' answers and reports (which are
//! written a batch at a time, `answers.rs` and `reports.rs`): acceptance, failure, failover,
//! the unknown sweep, and the feed events they share. Each runs in a [`Writing`] and locks the
//! message row before it reads the state it changes, so two nodes that act on one message
//! take turns. The state a message's reports give it is `hongyan_store::rules`, as on SQLite.

use hongyan_store::totals::{Counted, Held};
use hongyan_store::{MessageId, MessageStatus, NewMessage, Result, Timestamp};

use super::held::hold;
use crate::store::PgStore;
use crate::writing::{NewEvent, Writing};

/// The stat a segment gets when no report came in time, and the raw text that marks it as
/// ours, so that a carrier's late report may still replace it.
pub(crate) const NO_REPORT: &str = "UNKNOWN";
pub(crate) const NO_REPORT_RAW: &str = "no status report arrived in time";

impl PgStore {
    /// The messages' rows, accepted and counted, in one statement.
    pub(crate) async fn insert_rows(&self, w: &mut Writing<'_>, batch: &[&NewMessage]) -> Result<()> {
        let mut to = Vec::with_capacity(batch.len());
        let mut hash = Vec::with_capacity(batch.len());
        let mut content = Vec::with_capacity(batch.len());
        for m in batch {
            to.push(self.seal_text("to", Some(&m.to))?.unwrap_or_default());
            hash.push(self.current_hash(&m.to)?);
            content.push(self.seal_text("content", Some(&m.content))?.unwrap_or_default());
        }
        let col = |f: &dyn Fn(&NewMessage) -> String| batch.iter().map(|m| f(m)).collect::<Vec<String>>();
        let ids: Vec<i64> = batch.iter().map(|m| m.id.0 as i64).collect();
        let accounts: Vec<i64> = batch.iter().map(|m| m.account_id).collect();
        let carriers = col(&|m| m.carrier.as_str().to_owned());
        let categories = col(&|m| m.category.stored());
        let segments: Vec<i16> = batch.iter().map(|m| i16::from(m.segments)).collect();
        let channels = col(&|m| m.channel.clone());
        let accepted: Vec<i64> = batch.iter().map(|m| m.accepted_at.as_millis()).collect();
        let exts = col(&|m| m.source_ext.clone());
        let send_at: Vec<Option<i64>> = batch.iter().map(|m| m.send_at.map(Timestamp::as_millis)).collect();
        let callbacks: Vec<Option<String>> = batch.iter().map(|m| m.callback_url.clone()).collect();
        let senders = col(&|m| m.provenance.sender.clone());
        let interfaces = col(&|m| m.provenance.interface.clone());
        let addrs = col(&|m| m.provenance.client_addr.clone());
        let refs: Vec<Option<String>> = batch.iter().map(|m| m.provenance.client_ref.clone()).collect();
        let templates: Vec<Option<i64>> = batch.iter().map(|m| m.provenance.template_id).collect();
        let prices: Vec<Option<i64>> = batch.iter().map(|m| m.unit_price.map(|p| p.0)).collect();
        w.exec(
            "INSERT INTO messages (id, account_id, to_number, to_hash, carrier, category, content, segments, channel,
                                   status, accepted_at, source_ext, send_at, callback_url,
                                   sender, interface, client_addr, client_ref, template_id, unit_price, node)
             SELECT id, account_id, to_number, to_hash, carrier, category, content, segments, channel,
                    'accepted', accepted_at, source_ext, send_at, callback_url,
                    sender, interface, client_addr, client_ref, template_id, unit_price, $20
             FROM unnest($1::bigint[], $2::bigint[], $3::bytea[], $4::bytea[], $5::text[], $6::text[], $7::bytea[],
                         $8::smallint[], $9::text[], $10::bigint[], $11::text[], $12::bigint[], $13::text[],
                         $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[], $19::bigint[])
                  AS t(id, account_id, to_number, to_hash, carrier, category, content, segments, channel,
                       accepted_at, source_ext, send_at, callback_url, sender, interface, client_addr,
                       client_ref, template_id, unit_price)",
            &[
                &ids,
                &accounts,
                &to,
                &hash,
                &carriers,
                &categories,
                &content,
                &segments,
                &channels,
                &accepted,
                &exts,
                &send_at,
                &callbacks,
                &senders,
                &interfaces,
                &addrs,
                &refs,
                &templates,
                &prices,
                &&*self.node,
            ],
        )
        .await?;
        for m in batch {
            let at = (m.account_id, m.accepted_at.as_millis());
            let line = (m.carrier.as_str(), m.category.stored());
            w.tally.accepted(&Counted::new(at, line, &m.channel, "accepted", m.unit_price.map(|p| p.0)));
        }
        Ok(())
    }
}

/// A segment's report for the feed of the message's account, as it is now.
pub(crate) fn append_report(
    w: &mut Writing<'_>,
    (account_id, message_id, segment): (i64, i64, i16),
    stat: &str,
    status: MessageStatus,
    now: Timestamp,
) {
    w.append(NewEvent {
        account_id,
        kind: "report",
        ref_id: message_id,
        segment,
        created_at: now,
        report: Some((stat.to_owned(), status.as_str())),
    });
}

/// A message reached a final state: its client is owed receipts, if it asked for them.
pub(crate) async fn append_final(
    w: &mut Writing<'_>,
    (account_id, message_id): (i64, i64),
    now: Timestamp,
) -> Result<()> {
    let sql = "SELECT 1 FROM client_submits WHERE message_id = $1 AND receipt LIMIT 1";
    if w.row(sql, &[&message_id]).await?.is_some() {
        w.append(NewEvent { account_id, kind: "final", ref_id: message_id, segment: 0, created_at: now, report: None });
    }
    Ok(())
}

/// Recomputes the status of the held message from its segments' reports.
pub(crate) async fn aggregate(
    w: &mut Writing<'_>,
    message_id: i64,
    held: &Held,
    now: Timestamp,
) -> Result<MessageStatus> {
    let sql = "SELECT report_stat FROM segments WHERE message_id = $1 AND report_stat IS NOT NULL ORDER BY number";
    let stats: Vec<String> = w.rows(sql, &[&message_id]).await?.iter().map(|r| r.get(0)).collect();
    settle(w, message_id, held, &stats, now).await
}

/// The status `stats` give the held message, written (and counted) when it changes.
async fn settle(
    w: &mut Writing<'_>,
    message_id: i64,
    held: &Held,
    stats: &[String],
    now: Timestamp,
) -> Result<MessageStatus> {
    let counted = &held.counted;
    let current = MessageStatus::parse(counted.status()).unwrap_or(MessageStatus::Submitted);
    let Some((next, error)) = hongyan_store::rules::settled(held.segments, current, stats) else { return Ok(current) };
    w.exec(
        "UPDATE messages SET status = $2, completed_at = $3,
             error = CASE WHEN $2 = 'delivered' THEN NULL ELSE coalesce($4, error) END WHERE id = $1",
        &[&message_id, &next.as_str(), &now.as_millis(), &error],
    )
    .await?;
    w.tally.moved(counted, held.billed, &counted.with_status(next.as_str()));
    if held.linked {
        append_final(w, (counted.account_id(), message_id), now).await?;
    }
    Ok(next)
}

/// Marks the message failed for `reason` if it is still waiting to be sent.
pub(crate) async fn fail(w: &mut Writing<'_>, id: MessageId, reason: &str, now: Timestamp) -> Result<()> {
    let id = id.0 as i64;
    let Some(held) = hold(w, id).await? else { return Ok(()) };
    let sql = "UPDATE messages SET status = 'failed', error = $2, completed_at = $3
               WHERE id = $1 AND status IN ('accepted', 'queued')";
    if w.exec(sql, &[&id, &reason, &now.as_millis()]).await? > 0 {
        w.tally.moved(&held.counted, held.billed, &held.counted.with_status("failed"));
        if held.linked {
            append_final(w, (held.counted.account_id(), id), now).await?;
        }
    }
    Ok(())
}

/// Moves the message from channel `from` to `to` if it is still there and unsent.
pub(crate) async fn reassign(w: &mut Writing<'_>, id: MessageId, from: &str, to: &str) -> Result<bool> {
    let id = id.0 as i64;
    let Some(held) = hold(w, id).await? else { return Ok(false) };
    let sql = "UPDATE messages SET channel = $3 WHERE id = $1 AND channel = $2 AND status = 'accepted'";
    let moved = w.exec(sql, &[&id, &from, &to]).await? > 0;
    if moved {
        w.tally.moved(&held.counted, held.billed, &held.counted.with_channel(to));
    }
    Ok(moved)
}

/// Segments expired per call, so one sweep never holds locks for long.
const EXPIRE_BATCH: i64 = 5000;

impl PgStore {
    /// Segments submitted before `before` with no report get `UNKNOWN`; early reports older
    /// than that go. Segments another node is changing right now are left to its next pass.
    pub(crate) async fn expire(&self, w: &mut Writing<'_>, before: Timestamp, now: Timestamp) -> Result<usize> {
        let raw = self.seal_text("raw", Some(NO_REPORT_RAW))?;
        let expired = w
            .rows(
                "UPDATE segments SET report_stat = $3, reported_at = $2, report_raw = $4
                 WHERE (message_id, number) IN (
                     SELECT message_id, number FROM segments
                     WHERE report_stat IS NULL AND submit_result = 0 AND submitted_at < $1
                     LIMIT $5 FOR UPDATE SKIP LOCKED)
                 RETURNING message_id, number",
                &[&before.as_millis(), &now.as_millis(), &NO_REPORT, &raw, &EXPIRE_BATCH],
            )
            .await?;
        let mut pairs: Vec<(i64, i16)> = expired.iter().map(|r| (r.get(0), r.get(1))).collect();
        pairs.sort_unstable();
        for &(message_id, number) in &pairs {
            let Some(held) = hold(w, message_id).await? else { continue };
            let status = aggregate(w, message_id, &held, now).await?;
            append_report(w, (held.counted.account_id(), message_id, number), NO_REPORT, status, now);
        }
        w.exec("DELETE FROM early_reports WHERE received_at < $1", &[&before.as_millis()]).await?;
        Ok(pairs.len())
    }
}
