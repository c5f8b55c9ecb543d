//! The carriers' answers to submits, written a batch at a time.
//!
//! A link hands the store its answers in batches of up to a thousand. Written one by one
//! (`write.rs`), each costs five or six statements, each a round trip and a plan run by
//! PostgreSQL: at a thousand messages a second that is PostgreSQL's whole time. Here every
//! step is one statement for the whole batch — lock the carrier ids, lock the messages,
//! read the earlier answers, write the segments, move the states — and what the rules decide
//! per message is decided in Rust in between, as the single writes decide it.
//!
//! A segment answered twice in one batch (a resubmit whose first answer was late) is the
//! rare case a single statement cannot take: its later answers go in another round after the
//! rest.

use std::collections::{HashMap, HashSet};

use hongyan_store::totals::Held;
use hongyan_store::{ReportIn, Result, SubmitOutcome, Timestamp};

use super::held::hold_all;
use super::write::append_final;
use crate::store::PgStore;
use crate::writing::Writing;

/// What the batch changes in `messages`, decided before it is written.
#[derive(Default)]
struct Moves {
    /// Messages all of whose segments the carrier accepted: id, when.
    submitted: Vec<(i64, i64)>,
    /// Messages a segment of which the carrier refused: id, error, when.
    failed: Vec<(i64, String, i64)>,
    /// Failed messages that came over a client link (they may owe a final receipt).
    finals: Vec<(i64, i64, Timestamp)>,
    /// Channel and carrier id of each accepted segment: a report may be waiting for it.
    waiting: Vec<(String, String)>,
}

impl PgStore {
    /// Records `outcomes` as they came: a segment answered twice ends with its later answer.
    pub(crate) async fn record_answers(&self, w: &mut Writing<'_>, outcomes: &[SubmitOutcome]) -> Result<()> {
        let carrier_ids: Vec<&str> = outcomes.iter().filter_map(|o| o.carrier_msg_id.as_deref()).collect();
        w.lock_carrier_ids(&carrier_ids).await?;
        let mut seen = HashSet::new();
        let (first, again): (Vec<usize>, Vec<usize>) =
            (0..outcomes.len()).partition(|&i| seen.insert((outcomes[i].message_id, outcomes[i].segment)));
        let mut ids: Vec<i64> = first.iter().map(|&i| outcomes[i].message_id.0 as i64).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut held = hold_all(w, &ids).await?;
        let first: Vec<&SubmitOutcome> = first.iter().map(|&i| &outcomes[i]).filter(|o| known(&held, o)).collect();
        let earlier = earlier_results(w, &first).await?;
        write_segments(w, &held, &first).await?;
        let moves = decide(w, &mut held, &first, &earlier);
        write_moves(w, &moves).await?;
        for &(account_id, id, at) in &moves.finals {
            append_final(w, (account_id, id), at).await?;
        }
        self.apply_early_reports(w, &moves.waiting).await?;
        if again.is_empty() {
            return Ok(());
        }
        // The later answers of segments answered twice: another round, as they came.
        let again: Vec<SubmitOutcome> = again.into_iter().map(|i| outcomes[i].clone()).collect();
        Box::pin(self.record_answers(w, &again)).await
    }
}

/// Whether the answer's message is in the store (an answer for one that is not is logged
/// and dropped, as the single write does).
fn known(held: &HashMap<i64, Held>, o: &SubmitOutcome) -> bool {
    let found = held.contains_key(&(o.message_id.0 as i64));
    if !found {
        tracing::warn!(message_id = %o.message_id, "submit outcome for a message not in the store");
    }
    found
}

/// The submit results the segments had before this batch: an answer given again replaces
/// the earlier one, and the billed count follows.
async fn earlier_results(w: &Writing<'_>, outcomes: &[&SubmitOutcome]) -> Result<HashMap<(i64, i16), i32>> {
    if outcomes.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = outcomes.iter().map(|o| o.message_id.0 as i64).collect();
    let numbers: Vec<i16> = outcomes.iter().map(|o| i16::from(o.segment)).collect();
    let rows = w
        .rows(
            "SELECT s.message_id, s.number, s.submit_result
             FROM unnest($1::bigint[], $2::smallint[]) AS u(id, number)
             JOIN segments s ON s.message_id = u.id AND s.number = u.number",
            &[&ids, &numbers],
        )
        .await?;
    Ok(rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect())
}

/// Each answer's segment row, replaced whole if the segment was answered before (as
/// SQLite's REPLACE does), in one statement.
async fn write_segments(w: &Writing<'_>, held: &HashMap<i64, Held>, outcomes: &[&SubmitOutcome]) -> Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let id = |o: &&SubmitOutcome| o.message_id.0 as i64;
    let channel = |o: &&SubmitOutcome| held.get(&id(o)).map(|h| h.counted.channel().to_owned()).unwrap_or_default();
    w.exec(
        "INSERT INTO segments (message_id, number, channel, carrier_msg_id, submit_result, submit_error, submitted_at)
         SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::text[], $4::text[], $5::int[], $6::text[], $7::bigint[])
         ON CONFLICT (message_id, number) DO UPDATE SET channel = excluded.channel,
             carrier_msg_id = excluded.carrier_msg_id, submit_result = excluded.submit_result,
             submit_error = excluded.submit_error, submitted_at = excluded.submitted_at,
             report_stat = NULL, done_at = NULL, reported_at = NULL, report_raw = NULL",
        &[
            &outcomes.iter().map(id).collect::<Vec<_>>(),
            &outcomes.iter().map(|o| i16::from(o.segment)).collect::<Vec<_>>(),
            &outcomes.iter().map(channel).collect::<Vec<_>>(),
            &outcomes.iter().map(|o| o.carrier_msg_id.as_deref()).collect::<Vec<_>>(),
            &outcomes.iter().map(|o| o.result as i32).collect::<Vec<_>>(),
            &outcomes.iter().map(|o| o.error.as_deref()).collect::<Vec<_>>(),
            &outcomes.iter().map(|o| o.at.as_millis()).collect::<Vec<_>>(),
        ],
    )
    .await
    .map(drop)
}

/// What each answer does to its message, in order, counted as it goes: a refused segment
/// fails a message still waiting to be sent; the last accepted segment makes it submitted.
fn decide(
    w: &mut Writing<'_>,
    held: &mut HashMap<i64, Held>,
    outcomes: &[&SubmitOutcome],
    earlier: &HashMap<(i64, i16), i32>,
) -> Moves {
    let mut moves = Moves::default();
    for o in outcomes {
        let id = o.message_id.0 as i64;
        let Some(h) = held.get_mut(&id) else { continue };
        let was_billed = earlier.get(&(id, i16::from(o.segment))) == Some(&0);
        let delta = i64::from(o.result == 0) - i64::from(was_billed);
        w.tally.billed(&h.counted, delta);
        h.billed += delta;
        let waiting = h.counted.status() == "accepted";
        if o.result != 0 {
            if waiting {
                let error =
                    o.error.clone().unwrap_or_else(|| format!("carrier refused the submit (result {})", o.result));
                moves.failed.push((id, error, o.at.as_millis()));
                move_to(w, h, "failed");
                if h.linked {
                    moves.finals.push((h.counted.account_id(), id, o.at));
                }
            }
            continue;
        }
        if waiting && h.billed >= i64::from(h.segments) {
            moves.submitted.push((id, o.at.as_millis()));
            move_to(w, h, "submitted");
        }
        if let Some(carrier_msg_id) = &o.carrier_msg_id {
            moves.waiting.push((h.counted.channel().to_owned(), carrier_msg_id.clone()));
        }
    }
    moves
}

/// The held message counted in `status` from now on.
fn move_to(w: &mut Writing<'_>, h: &mut Held, status: &str) {
    let to = h.counted.with_status(status);
    w.tally.moved(&h.counted, h.billed, &to);
    h.counted = to;
}

/// The states [`decide`] chose, one statement per kind of move.
async fn write_moves(w: &Writing<'_>, moves: &Moves) -> Result<()> {
    if !moves.submitted.is_empty() {
        let (ids, at): (Vec<i64>, Vec<i64>) = moves.submitted.iter().copied().unzip();
        w.exec(
            "UPDATE messages m SET status = 'submitted', submitted_at = u.at
             FROM unnest($1::bigint[], $2::bigint[]) AS u(id, at) WHERE m.id = u.id AND m.status = 'accepted'",
            &[&ids, &at],
        )
        .await?;
    }
    if !moves.failed.is_empty() {
        w.exec(
            "UPDATE messages m SET status = 'failed', error = u.error, completed_at = u.at
             FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS u(id, error, at)
             WHERE m.id = u.id AND m.status = 'accepted'",
            &[
                &moves.failed.iter().map(|f| f.0).collect::<Vec<_>>(),
                &moves.failed.iter().map(|f| f.1.as_str()).collect::<Vec<_>>(),
                &moves.failed.iter().map(|f| f.2).collect::<Vec<_>>(),
            ],
        )
        .await?;
    }
    Ok(())
}

impl PgStore {
    /// Reports that overtook these answers, applied now that their segments are known.
    async fn apply_early_reports(&self, w: &mut Writing<'_>, waiting: &[(String, String)]) -> Result<()> {
        if waiting.is_empty() {
            return Ok(());
        }
        let (channels, ids): (Vec<&str>, Vec<&str>) = waiting.iter().map(|(c, i)| (c.as_str(), i.as_str())).unzip();
        let rows = w
            .rows(
                "DELETE FROM early_reports e USING unnest($1::text[], $2::text[]) AS u(channel, carrier_msg_id)
                 WHERE e.channel = u.channel AND e.carrier_msg_id = u.carrier_msg_id
                 RETURNING e.channel, e.carrier_msg_id, e.stat, e.done_at, e.received_at, e.raw",
                &[&channels, &ids],
            )
            .await?;
        let reports = rows.iter().map(|r| self.early_report(r)).collect::<Result<Vec<_>>>()?;
        Box::pin(self.apply_report_batch(w, &reports)).await.map(drop)
    }

    /// A held early report (`channel, carrier_msg_id, stat, done_at, received_at, raw`).
    fn early_report(&self, r: &tokio_postgres::Row) -> Result<ReportIn> {
        Ok(ReportIn {
            channel: r.get(0),
            carrier_msg_id: r.get(1),
            stat: r.get(2),
            done_at: r.get::<_, Option<i64>>(3).map(Timestamp::from_millis),
            received_at: Timestamp::from_millis(r.get(4)),
            raw: self.open_text("raw", r.get(5))?.unwrap_or_default(),
        })
    }
}
