//! The SQL of the link-quality minutes: append, read a channel's (or one connection's) range,
//! purge by age.

use hongyan_store::{LinkMinute, Result, RttHistogram, Timestamp};
use rusqlite::types::Type;
use rusqlite::{params, Connection, Row};

use crate::backend;

const COLUMNS: &str = "channel, minute, up_ms, submits, accepted, refused, throttled, unanswered, resends, drops, \
                       probes, rtt, rtt_sum_us, rtt_max_us, jitter_sum_us, jitter_pairs, in_flight_max, codes, link";

pub(crate) fn save(conn: &Connection, rows: &[LinkMinute]) -> Result<()> {
    let sql = format!("INSERT INTO link_minutes ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
    let mut stmt = conn.prepare_cached(&sql).map_err(backend)?;
    for r in rows {
        stmt.execute(params![
            r.channel,
            r.minute.as_millis(),
            r.up_ms,
            r.submits,
            r.accepted,
            r.refused,
            r.throttled,
            r.unanswered,
            r.resends,
            r.drops,
            r.probes,
            r.rtt.to_bytes(),
            r.rtt_sum_us as i64,
            r.rtt_max_us as i64,
            r.jitter_sum_us as i64,
            r.jitter_pairs,
            r.in_flight_max,
            r.codes_text(),
            r.link,
        ])
        .map_err(backend)?;
    }
    Ok(())
}

pub(crate) fn range(
    conn: &Connection,
    (channel, link): (&str, Option<u16>),
    from: Timestamp,
    to: Timestamp,
) -> rusqlite::Result<Vec<LinkMinute>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM link_minutes WHERE channel = ?1 AND link IS ?4 AND minute >= ?2 AND minute < ?3 \
         ORDER BY minute"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![channel, from.as_millis(), to.as_millis(), link], row)?;
    rows.collect()
}

pub(crate) fn purge(conn: &Connection, before: Timestamp) -> Result<usize> {
    conn.execute("DELETE FROM link_minutes WHERE minute < ?1", [before.as_millis()]).map_err(backend)
}

fn row(row: &Row<'_>) -> rusqlite::Result<LinkMinute> {
    let rtt: Vec<u8> = row.get(11)?;
    let codes: String = row.get(17)?;
    let bad = |i: usize, t: Type, e: String| rusqlite::Error::FromSqlConversionFailure(i, t, e.into());
    Ok(LinkMinute {
        channel: row.get(0)?,
        link: row.get(18)?,
        minute: Timestamp::from_millis(row.get(1)?),
        up_ms: row.get(2)?,
        submits: row.get(3)?,
        accepted: row.get(4)?,
        refused: row.get(5)?,
        throttled: row.get(6)?,
        unanswered: row.get(7)?,
        resends: row.get(8)?,
        drops: row.get(9)?,
        probes: row.get(10)?,
        rtt: RttHistogram::from_bytes(&rtt).map_err(|e| bad(11, Type::Blob, e.to_string()))?,
        rtt_sum_us: row.get::<_, i64>(12)? as u64,
        rtt_max_us: row.get::<_, i64>(13)? as u64,
        jitter_sum_us: row.get::<_, i64>(14)? as u64,
        jitter_pairs: row.get(15)?,
        in_flight_max: row.get(16)?,
        codes: LinkMinute::parse_codes(&codes).ok_or_else(|| bad(17, Type::Text, format!("bad codes {codes:?}")))?,
    })
}
