//! A message locked for a change of its state, read as the totals and the rules need it.

use std::collections::HashMap;

use hongyan_store::totals::{Counted, Held};
use hongyan_store::Result;
use tokio_postgres::Row;

use crate::writing::Writing;

/// What [`held`] reads: the message's id, then what [`Held`] holds.
const HELD_COLUMNS: &str = "m.id, m.segments, m.account_id, m.accepted_at, m.carrier, m.category, m.channel,
     m.status, m.unit_price,
     (SELECT count(*) FROM segments s WHERE s.message_id = m.id AND s.submit_result = 0),
     m.client_ref IS NOT NULL";

/// A row of [`HELD_COLUMNS`] as its id and [`Held`].
fn held(r: &Row) -> (i64, Held) {
    let (carrier, channel, status): (String, String, String) = (r.get(4), r.get(6), r.get(7));
    let counted = Counted::new((r.get(2), r.get(3)), (&carrier, r.get(5)), &channel, &status, r.get(8));
    let held = Held { segments: r.get::<_, i16>(1) as u8, counted, billed: r.get(9), linked: r.get(10) };
    (r.get(0), held)
}

/// The message `id` locked for a change of its state; `None` when there is no such message.
pub(crate) async fn hold(w: &Writing<'_>, id: i64) -> Result<Option<Held>> {
    let sql = format!("SELECT {HELD_COLUMNS} FROM messages m WHERE m.id = $1 FOR UPDATE");
    Ok(w.row(&sql, &[&id]).await?.map(|r| held(&r).1))
}

/// The messages `ids` locked, in the order of their ids (the order every batch locks in, so
/// two batches never wait for each other in a circle); those that do not exist are missing.
pub(crate) async fn hold_all(w: &Writing<'_>, ids: &[i64]) -> Result<HashMap<i64, Held>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!("SELECT {HELD_COLUMNS} FROM messages m WHERE m.id = ANY($1) ORDER BY m.id FOR UPDATE");
    Ok(w.rows(&sql, &[&ids]).await?.iter().map(held).collect())
}
