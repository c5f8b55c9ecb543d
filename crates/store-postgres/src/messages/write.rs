//! The writes of a message's life: acceptance, the carrier's answers, reports, failure,
//! failover. Each runs in a [`Writing`] and locks the message row before it reads the state
//! it changes, so two nodes that act on one message (an answer here, its report there) take
//! turns. The state a message's reports give it is `hongyan_store::rules`, as on SQLite.

use hongyan_store::totals::{Counted, Held};
use hongyan_store::{MessageId, MessageStatus, NewMessage, ReportIn, ReportMatch, Result, SubmitOutcome, Timestamp};

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

    pub(crate) async fn record_submit(&self, w: &mut Writing<'_>, o: &SubmitOutcome) -> Result<()> {
        let id = o.message_id.0 as i64;
        if let Some(carrier_msg_id) = &o.carrier_msg_id {
            w.lock_carrier_id(carrier_msg_id).await?;
        }
        let Some(held) = hold(w, id).await? else {
            tracing::warn!(message_id = %o.message_id, "submit outcome for a message not in the store");
            return Ok(());
        };
        let segment = i16::from(o.segment);
        let sql = "SELECT submit_result FROM segments WHERE message_id = $1 AND number = $2";
        let earlier: Option<i32> = w.row(sql, &[&id, &segment]).await?.map(|r| r.get(0));
        let counted = &held.counted;
        w.tally.billed(counted, i64::from(o.result == 0) - i64::from(earlier == Some(0)));
        // An answer given again replaces the segment's row whole, as SQLite's REPLACE does.
        w.exec(
            "INSERT INTO segments (message_id, number, channel, carrier_msg_id, submit_result, submit_error, submitted_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (message_id, number) DO UPDATE SET channel = excluded.channel,
                 carrier_msg_id = excluded.carrier_msg_id, submit_result = excluded.submit_result,
                 submit_error = excluded.submit_error, submitted_at = excluded.submitted_at,
                 report_stat = NULL, done_at = NULL, reported_at = NULL, report_raw = NULL",
            &[&id, &segment, &counted.channel(), &o.carrier_msg_id, &(o.result as i32), &o.error, &o.at.as_millis()],
        )
        .await?;
        let billed = held.billed + i64::from(o.result == 0) - i64::from(earlier == Some(0));
        if o.result != 0 {
            let error = o.error.clone().unwrap_or_else(|| format!("carrier refused the submit (result {})", o.result));
            let sql = "UPDATE messages SET status = 'failed', error = $2, completed_at = $3 WHERE id = $1 AND status = 'accepted'";
            if w.exec(sql, &[&id, &error, &o.at.as_millis()]).await? > 0 {
                w.tally.moved(counted, billed, &counted.with_status("failed"));
                if held.linked {
                    append_final(w, (counted.account_id(), id), o.at).await?;
                }
            }
            return Ok(());
        }
        if billed >= i64::from(held.segments) {
            let sql =
                "UPDATE messages SET status = 'submitted', submitted_at = $2 WHERE id = $1 AND status = 'accepted'";
            if w.exec(sql, &[&id, &o.at.as_millis()]).await? > 0 {
                w.tally.moved(counted, billed, &counted.with_status("submitted"));
            }
        }
        match &o.carrier_msg_id {
            Some(carrier_msg_id) => self.apply_early_report(w, counted.channel(), carrier_msg_id).await,
            None => Ok(()),
        }
    }

    /// A report that overtook this submit's response is applied now that its id is known.
    async fn apply_early_report(&self, w: &mut Writing<'_>, channel: &str, carrier_msg_id: &str) -> Result<()> {
        let sql = "DELETE FROM early_reports WHERE channel = $1 AND carrier_msg_id = $2
                   RETURNING channel, carrier_msg_id, stat, done_at, received_at, raw";
        let Some(r) = w.row(sql, &[&channel, &carrier_msg_id]).await? else { return Ok(()) };
        let report = self.early_report(&r)?;
        Box::pin(self.apply_report(w, &report)).await.map(drop)
    }

    /// A carrier that restarts its id counter gives an id already used on this channel, so
    /// several segments may hold it. The report belongs to one the carrier accepted that is
    /// still waiting for its report (the newest submit first); with none waiting, the newest
    /// holder takes it: its repeat is a duplicate, and the platform's own UNKNOWN may still be
    /// replaced by the carrier's late word.
    pub(crate) async fn apply_report(&self, w: &mut Writing<'_>, r: &ReportIn) -> Result<ReportMatch> {
        w.lock_carrier_id(&r.carrier_msg_id).await?;
        let candidates = w
            .rows(
                "SELECT report_stat IS NULL AND submit_result = 0, submitted_at, message_id, number
                 FROM segments WHERE channel = $1 AND carrier_msg_id = $2",
                &[&r.channel, &r.carrier_msg_id],
            )
            .await?;
        let owner = candidates
            .iter()
            .map(|c| ((c.get::<_, bool>(0), c.get::<_, i64>(1), c.get::<_, i64>(2)), c.get::<_, i16>(3)))
            .max_by_key(|(rank, _)| *rank);
        let Some(((_, _, message_id), number)) = owner else {
            let raw = self.seal_text("raw", Some(&r.raw))?;
            w.exec(
                "INSERT INTO early_reports (channel, carrier_msg_id, stat, done_at, received_at, raw)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                &[
                    &r.channel,
                    &r.carrier_msg_id,
                    &r.stat,
                    &r.done_at.map(Timestamp::as_millis),
                    &r.received_at.as_millis(),
                    &raw,
                ],
            )
            .await?;
            return Ok(ReportMatch::Unmatched);
        };
        let Some(held) = hold(w, message_id).await? else { return Ok(ReportMatch::Unmatched) };
        // Read again under the message's lock: another node may have applied the same report.
        let sql = "SELECT report_stat, report_raw FROM segments WHERE message_id = $1 AND number = $2";
        let now = w.row(sql, &[&message_id, &number]).await?;
        let now = now.ok_or_else(|| hongyan_store::StoreError::Backend("a segment vanished".into()))?;
        if now.get::<_, Option<String>>(0).is_some()
            && self.open_text("raw", now.get(1))?.as_deref() != Some(NO_REPORT_RAW)
        {
            return Ok(ReportMatch::Duplicate);
        }
        let raw = self.seal_text("raw", Some(&r.raw))?;
        w.exec(
            "UPDATE segments SET report_stat = $3, done_at = $4, reported_at = $5, report_raw = $6
             WHERE message_id = $1 AND number = $2",
            &[&message_id, &number, &r.stat, &r.done_at.map(Timestamp::as_millis), &r.received_at.as_millis(), &raw],
        )
        .await?;
        let status = match held.segments {
            1 => settle(w, message_id, &held, std::slice::from_ref(&r.stat), r.received_at).await?,
            _ => aggregate(w, message_id, &held, r.received_at).await?,
        };
        let account_id = held.counted.account_id();
        append_report(w, (account_id, message_id, number), &r.stat, status, r.received_at);
        Ok(ReportMatch::Matched { message_id: MessageId(message_id as u64), status })
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
