//! The carriers' status reports, applied a batch at a time.
//!
//! As with the answers (`answers.rs`), each step is one statement for the whole batch: lock
//! the carrier ids, find the segments they name, lock those segments' messages, read the
//! messages' segments again under that lock, write the reports and the new states. What
//! `hongyan_store::rules` decides per message is decided in Rust in between, report after
//! report, so a long message whose segments report in one batch moves as it would one report
//! at a time, and each report's feed event carries the state the message had then.
//!
//! A carrier id named twice in one batch (a repeated report, or an id the carrier reused)
//! is matched in another round after the rest, as the first one changes which segment the
//! next one belongs to.

use std::collections::{HashMap, HashSet};

use hongyan_store::rules::settled;
use hongyan_store::totals::Held;
use hongyan_store::{MessageId, MessageStatus, ReportIn, ReportMatch, Result, StoreError, Timestamp};

use super::held::hold_all;
use super::write::{append_report, NO_REPORT_RAW};
use crate::store::PgStore;
use crate::writing::Writing;

/// A segment of a held message as it is now: its number, its stat, its raw report.
struct Segment {
    number: i16,
    stat: Option<String>,
    raw: Option<Vec<u8>>,
}

/// How a report batch leaves a message: its new state, when, and its error (`None`: as it was).
struct Change {
    status: MessageStatus,
    at: i64,
    error: Option<Option<String>>,
}

/// A segment's report as it is written.
struct Written {
    message_id: i64,
    number: i16,
    stat: String,
    done_at: Option<i64>,
    received_at: i64,
    /// Sealed.
    raw: Option<Vec<u8>>,
}

/// What the batch writes, decided before it is written.
#[derive(Default)]
struct Plan {
    segments: Vec<Written>,
    /// Each changed message's last change.
    changes: HashMap<i64, Change>,
}

impl PgStore {
    /// Applies `reports` (those naming one carrier id as they came).
    pub(crate) async fn apply_report_batch(
        &self,
        w: &mut Writing<'_>,
        reports: &[ReportIn],
    ) -> Result<Vec<ReportMatch>> {
        let mut matches = vec![ReportMatch::Unmatched; reports.len()];
        let carrier_ids: Vec<&str> = reports.iter().map(|r| r.carrier_msg_id.as_str()).collect();
        w.lock_carrier_ids(&carrier_ids).await?;
        let mut seen = HashSet::new();
        let (first, again): (Vec<usize>, Vec<usize>) =
            (0..reports.len()).partition(|&i| seen.insert((&reports[i].channel, &reports[i].carrier_msg_id)));
        let owners = owners(w, reports, &first).await?;
        let (owned, early): (Vec<usize>, Vec<usize>) = first.iter().partition(|&&i| owners.contains_key(&i));
        self.hold_early(w, reports, &early).await?;
        let mut ids: Vec<i64> = owners.values().map(|o| o.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut held = hold_all(w, &ids).await?;
        let mut segments = segments_of(w, &ids).await?;
        let owing = owing_receipts(w, &held).await?;
        let mut plan = Plan::default();
        for i in owned {
            let (message_id, number) = owners[&i];
            let (Some(h), Some(segs)) = (held.get_mut(&message_id), segments.get_mut(&message_id)) else { continue };
            let apply = (self, &owing, &mut plan);
            matches[i] = apply_one(w, apply, (message_id, number), (h, segs), &reports[i])?;
        }
        write_plan(w, &plan).await?;
        if !again.is_empty() {
            // A carrier id named again: another round, which sees what this one wrote.
            let repeated: Vec<ReportIn> = again.iter().map(|&i| reports[i].clone()).collect();
            let answers = Box::pin(self.apply_report_batch(w, &repeated)).await?;
            for (i, m) in again.into_iter().zip(answers) {
                matches[i] = m;
            }
        }
        Ok(matches)
    }

    /// Reports whose segment is not known yet (their answer is still on its way), held
    /// until it comes, in one statement.
    async fn hold_early(&self, w: &Writing<'_>, reports: &[ReportIn], early: &[usize]) -> Result<()> {
        if early.is_empty() {
            return Ok(());
        }
        let raws = early.iter().map(|&i| self.seal_text("raw", Some(&reports[i].raw))).collect::<Result<Vec<_>>>()?;
        let field = |f: fn(&ReportIn) -> &str| early.iter().map(|&i| f(&reports[i])).collect::<Vec<_>>();
        w.exec(
            "INSERT INTO early_reports (channel, carrier_msg_id, stat, done_at, received_at, raw)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[])
             ON CONFLICT DO NOTHING",
            &[
                &field(|r| &r.channel),
                &field(|r| &r.carrier_msg_id),
                &field(|r| &r.stat),
                &early.iter().map(|&i| reports[i].done_at.map(Timestamp::as_millis)).collect::<Vec<_>>(),
                &early.iter().map(|&i| reports[i].received_at.as_millis()).collect::<Vec<_>>(),
                &raws,
            ],
        )
        .await
        .map(drop)
    }
}

/// The segment each report of `batch` belongs to, by its position in `reports`. A carrier that restarts its id counter gives an id
/// already used on this channel, so several segments may hold it: the report belongs to one
/// the carrier accepted that still waits for its report (the newest submit first); with none
/// waiting, the newest holder takes it (its repeat is then a duplicate, and the platform's
/// own UNKNOWN may still be replaced by the carrier's late word).
async fn owners(w: &Writing<'_>, reports: &[ReportIn], batch: &[usize]) -> Result<HashMap<usize, (i64, i16)>> {
    if batch.is_empty() {
        return Ok(HashMap::new());
    }
    let channels: Vec<&str> = batch.iter().map(|&i| reports[i].channel.as_str()).collect();
    let ids: Vec<&str> = batch.iter().map(|&i| reports[i].carrier_msg_id.as_str()).collect();
    let rows = w
        .rows(
            "SELECT u.k, s.report_stat IS NULL AND s.submit_result = 0, s.submitted_at, s.message_id, s.number
             FROM unnest($1::text[], $2::text[], $3::bigint[]) AS u(channel, carrier_msg_id, k)
             JOIN segments s ON s.channel = u.channel AND s.carrier_msg_id = u.carrier_msg_id
             WHERE s.carrier_msg_id IS NOT NULL",
            &[&channels, &ids, &batch.iter().map(|&i| i as i64).collect::<Vec<_>>()],
        )
        .await?;
    // Waiting for a report first, then the newest submit, then the newest message.
    type Rank = (bool, i64, i64);
    let mut best: HashMap<usize, (Rank, i16)> = HashMap::new();
    for r in &rows {
        let rank = (r.get::<_, bool>(1), r.get::<_, i64>(2), r.get::<_, i64>(3));
        let entry = best.entry(r.get::<_, i64>(0) as usize).or_insert((rank, r.get(4)));
        if rank > entry.0 {
            *entry = (rank, r.get(4));
        }
    }
    Ok(best.into_iter().map(|(k, ((_, _, message_id), number))| (k, (message_id, number))).collect())
}

/// The segments of the held messages `ids`, read again under their locks, by number.
async fn segments_of(w: &Writing<'_>, ids: &[i64]) -> Result<HashMap<i64, Vec<Segment>>> {
    let mut out: HashMap<i64, Vec<Segment>> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let sql = "SELECT message_id, number, report_stat, report_raw FROM segments
               WHERE message_id = ANY($1) ORDER BY message_id, number";
    for r in w.rows(sql, &[&ids]).await? {
        out.entry(r.get(0)).or_default().push(Segment { number: r.get(1), stat: r.get(2), raw: r.get(3) });
    }
    Ok(out)
}

/// Which of the held messages that came over a client link owe it a final receipt.
async fn owing_receipts(w: &Writing<'_>, held: &HashMap<i64, Held>) -> Result<HashSet<i64>> {
    let linked: Vec<i64> = held.iter().filter(|(_, h)| h.linked).map(|(id, _)| *id).collect();
    if linked.is_empty() {
        return Ok(HashSet::new());
    }
    let sql = "SELECT DISTINCT message_id FROM client_submits WHERE message_id = ANY($1) AND receipt";
    Ok(w.rows(sql, &[&linked]).await?.iter().map(|r| r.get(0)).collect())
}

/// One report applied to its held message, in memory and in the plan.
fn apply_one(
    w: &mut Writing<'_>,
    (store, owing, plan): (&PgStore, &HashSet<i64>, &mut Plan),
    (message_id, number): (i64, i16),
    (h, segs): (&mut Held, &mut [Segment]),
    r: &ReportIn,
) -> Result<ReportMatch> {
    let seg =
        segs.iter_mut().find(|s| s.number == number).ok_or_else(|| StoreError::Backend("a segment vanished".into()))?;
    if seg.stat.is_some() && store.open_text("raw", seg.raw.clone())?.as_deref() != Some(NO_REPORT_RAW) {
        return Ok(ReportMatch::Duplicate);
    }
    let raw = store.seal_text("raw", Some(&r.raw))?;
    seg.stat = Some(r.stat.clone());
    seg.raw = raw.clone();
    let at = r.received_at.as_millis();
    let done_at = r.done_at.map(Timestamp::as_millis);
    plan.segments.push(Written { message_id, number, stat: r.stat.clone(), done_at, received_at: at, raw });
    let stats: Vec<String> = segs.iter().filter_map(|s| s.stat.clone()).collect();
    let current = MessageStatus::parse(h.counted.status()).unwrap_or(MessageStatus::Submitted);
    let mut status = current;
    if let Some((next, error)) = settled(h.segments, current, &stats) {
        let to = h.counted.with_status(next.as_str());
        w.tally.moved(&h.counted, h.billed, &to);
        h.counted = to;
        let earlier = plan.changes.remove(&message_id).and_then(|c| c.error);
        let error = if next == MessageStatus::Delivered { Some(None) } else { error.map(Some).or(earlier) };
        plan.changes.insert(message_id, Change { status: next, at, error });
        if owing.contains(&message_id) {
            w.append(crate::writing::NewEvent {
                account_id: h.counted.account_id(),
                kind: "final",
                ref_id: message_id,
                segment: 0,
                created_at: r.received_at,
                report: None,
            });
        }
        status = next;
    }
    append_report(w, (h.counted.account_id(), message_id, number), &r.stat, status, r.received_at);
    Ok(ReportMatch::Matched { message_id: MessageId(message_id as u64), status })
}

/// The segments' reports and the messages' new states, one statement each.
async fn write_plan(w: &Writing<'_>, plan: &Plan) -> Result<()> {
    let s = &plan.segments;
    if !s.is_empty() {
        w.exec(
            "UPDATE segments s SET report_stat = u.stat, done_at = u.done_at, reported_at = u.at, report_raw = u.raw
             FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::bigint[], $5::bigint[], $6::bytea[])
                  AS u(message_id, number, stat, done_at, at, raw)
             WHERE s.message_id = u.message_id AND s.number = u.number",
            &[
                &s.iter().map(|x| x.message_id).collect::<Vec<_>>(),
                &s.iter().map(|x| x.number).collect::<Vec<_>>(),
                &s.iter().map(|x| x.stat.as_str()).collect::<Vec<_>>(),
                &s.iter().map(|x| x.done_at).collect::<Vec<_>>(),
                &s.iter().map(|x| x.received_at).collect::<Vec<_>>(),
                &s.iter().map(|x| x.raw.as_deref()).collect::<Vec<_>>(),
            ],
        )
        .await?;
    }
    if plan.changes.is_empty() {
        return Ok(());
    }
    let c: Vec<(&i64, &Change)> = plan.changes.iter().collect();
    w.exec(
        "UPDATE messages m SET status = u.status, completed_at = u.at,
             error = CASE WHEN u.keep THEN m.error ELSE u.error END
         FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bool[], $5::text[]) AS u(id, status, at, keep, error)
         WHERE m.id = u.id",
        &[
            &c.iter().map(|x| *x.0).collect::<Vec<_>>(),
            &c.iter().map(|x| x.1.status.as_str()).collect::<Vec<_>>(),
            &c.iter().map(|x| x.1.at).collect::<Vec<_>>(),
            &c.iter().map(|x| x.1.error.is_none()).collect::<Vec<_>>(),
            &c.iter().map(|x| x.1.error.clone().flatten()).collect::<Vec<_>>(),
        ],
    )
    .await
    .map(drop)
}
