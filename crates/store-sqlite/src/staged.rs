//! Large requests written in pieces, still all or nothing.
//!
//! One writer serves every write, and a transaction holds it from its first row to its
//! commit. A request of 10,000 numbers written as one transaction holds it for about a third
//! of a second, and a verification code queued behind it waits that long. So a request of
//! more than [`STAGE_ABOVE`] messages is written [`CHUNK`] rows per job, and each job waits
//! for the one before it: between two of them the writer commits whatever else queued, so a
//! code waits for one chunk at most.
//!
//! What keeps the request all or nothing is a mark. The first chunk's transaction stores it
//! (`staged_requests`: the request's ids) and the last chunk's transaction removes it, with
//! the client's reference and answer, so the request counts as accepted exactly when that
//! commit does. Until then its rows are not the platform's yet: the engine hands messages to
//! their channels only once the insert has answered. A request that fails midway takes its
//! rows back at once ([`undo`]); one whose process stopped midway is taken back at the next
//! start ([`undo_unfinished`]), before the store's accepted messages are queued again.
//!
//! The rows are visible to searches while they are written (a second or two for 100,000),
//! as a commit's rows are.

use hongyan_store::{NewMessage, RequestRecord, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

use crate::writing::Writing;
use crate::{backend, usage, write_ops, Writes};

/// Requests with more messages than this are written in pieces.
pub(crate) const STAGE_ABOVE: usize = 1_000;
/// Messages per piece: about 6 ms of the writer's time.
pub(crate) const CHUNK: usize = 200;

/// Writes `batch` in pieces (the caller checked it is larger than [`STAGE_ABOVE`]); the batch
/// back once its last piece committed.
pub(crate) async fn insert(
    writes: Writes,
    batch: Vec<NewMessage>,
    request: Option<RequestRecord>,
) -> Result<Vec<NewMessage>> {
    let ids: Vec<i64> = batch.iter().map(|m| m.id.0 as i64).collect();
    let stage = ids[0];
    match write_pieces(&writes, stage, &ids, batch, request).await {
        Ok(batch) => Ok(batch),
        Err(e) => {
            if let Err(undo_error) = writes.guarded(move |c| undo(c, stage, &ids)).await {
                // Its mark stays: the next start takes the rows back.
                tracing::error!(stage, error = %undo_error, "could not take back a failed request's rows");
            }
            Err(e)
        }
    }
}

async fn write_pieces(
    writes: &Writes,
    stage: i64,
    ids: &[i64],
    mut batch: Vec<NewMessage>,
    request: Option<RequestRecord>,
) -> Result<Vec<NewMessage>> {
    let n = batch.len();
    let mut mark = Some(ids.iter().flat_map(|id| id.to_le_bytes()).collect::<Vec<u8>>());
    let mut request = Some(request);
    let mut start = 0;
    while start < n {
        let end = (start + CHUNK).min(n);
        let mark = mark.take();
        // The whole batch travels to the writer and back, so no piece is copied.
        let piece = move |c: &Writing<'_>| -> Result<Vec<NewMessage>> {
            if let Some(ids) = mark {
                let created_at = batch[0].accepted_at.as_millis();
                c.prepare_cached("INSERT INTO staged_requests (stage, created_at, ids) VALUES (?1, ?2, ?3)")
                    .and_then(|mut s| s.execute(params![stage, created_at, ids]))
                    .map_err(backend)?;
            }
            write_ops::insert_rows(c, &batch[start..end])?;
            Ok(batch)
        };
        batch = if end < n {
            writes.unguarded(piece).await?
        } else {
            let request = request.take().flatten();
            let last = move |c: &Writing<'_>| {
                let batch = piece(c)?;
                finish(c, stage, &batch, request.as_ref())?;
                Ok(batch)
            };
            // A reference used before fails this piece alone: its own savepoint.
            writes.guarded(last).await?
        };
        start = end;
    }
    Ok(batch)
}

/// The last piece: the client's reference with its answer, and the mark removed.
fn finish(c: &Connection, stage: i64, batch: &[NewMessage], request: Option<&RequestRecord>) -> Result<()> {
    if let Some(r) = request {
        write_ops::record_request(c, r)?;
    }
    write_ops::finish_request(c, batch, request)?;
    c.prepare_cached("DELETE FROM staged_requests WHERE stage = ?1")
        .and_then(|mut s| s.execute([stage]))
        .map_err(backend)?;
    Ok(())
}

/// Takes a request's rows back, and the counts they added to the usage tables, then its mark.
pub(crate) fn undo(c: &Writing<'_>, stage: i64, ids: &[i64]) -> Result<usize> {
    let mut delete = c.prepare_cached("DELETE FROM messages WHERE id = ?1").map_err(backend)?;
    let mut taken = 0;
    for id in ids {
        let Some(held) = usage::read(c, *id).map_err(backend)? else { continue };
        c.tally.borrow_mut().taken_back(&held.counted, held.billed);
        taken += delete.execute([id]).map_err(backend)?;
    }
    c.prepare_cached("DELETE FROM staged_requests WHERE stage = ?1")
        .and_then(|mut s| s.execute([stage]))
        .map_err(backend)?;
    Ok(taken)
}

/// Takes back every request whose writing a stopped process left unfinished; how many
/// messages it took back.
pub(crate) fn undo_unfinished(c: &Writing<'_>) -> Result<usize> {
    let mut taken = 0;
    while let Some((stage, blob)) = c
        .query_row("SELECT stage, ids FROM staged_requests LIMIT 1", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
        })
        .optional()
        .map_err(backend)?
    {
        if blob.len() % 8 != 0 {
            return Err(StoreError::Backend(format!("staged request {stage}: its ids are {} bytes", blob.len())));
        }
        let ids: Vec<i64> = blob
            .chunks_exact(8)
            .map(|b| {
                let mut id = [0; 8];
                id.copy_from_slice(b);
                i64::from_le_bytes(id)
            })
            .collect();
        let n = undo(c, stage, &ids)?;
        tracing::warn!(stage, messages = n, "took back a request whose writing had not finished");
        taken += n;
    }
    Ok(taken)
}
