//! The channels as operators and the acceptance see them: `GET /api/v1/admin/channels` (live:
//! links, windows, backlog, the current minute's link quality) and
//! `GET /api/v1/admin/channels/{name}/quality` (history from the kept minutes, in steps,
//! judged against the procurement's figures).

use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use hongyan_engine::quality::{minute_of, sum, TARGETS};
use hongyan_store::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_time, READERS};
use crate::console::Console;
use crate::figures::{targets, ChannelView, PointView};
use crate::shapes::Time;
use crate::{ApiError, AppState};

/// Most steps one answer holds.
const MAX_POINTS: i64 = 10_000;

/// `GET /api/v1/admin/channels`
pub(crate) async fn channels(State(state): State<AppState>, console: Console) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    let now = state.engine.clock().now();
    let figures = state.engine.channel_figures();
    let channels: Vec<ChannelView<'_>> = figures.iter().map(|f| ChannelView::new(f, now)).collect();
    Ok(Json(json!({ "channels": channels })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct QualityQuery {
    from: Option<String>,
    to: Option<String>,
    step: Option<String>,
    /// One connection's figures (its index) instead of the channel's.
    link: Option<u16>,
}

/// A step: seconds, or a number with `m`, `h` or `d`; whole minutes, at least one.
fn parse_step(s: &str) -> Result<Duration, ApiError> {
    let bad = || ApiError::bad_request("invalid_query", "step is whole minutes up to 366 days: 60, 300, 15m, 1h or 1d");
    let (digits, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    let secs = match unit {
        's' => n,
        'm' => n.saturating_mul(60),
        'h' => n.saturating_mul(3600),
        'd' => n.saturating_mul(86_400),
        _ => return Err(bad()),
    };
    if !(60..=366 * 86_400).contains(&secs) || !secs.is_multiple_of(60) {
        return Err(bad());
    }
    Ok(Duration::from_secs(secs))
}

/// `GET /api/v1/admin/channels/{name}/quality?from&to&step`: the last hour by the minute
/// unless asked otherwise.
pub(crate) async fn quality(
    State(state): State<AppState>,
    console: Console,
    Path(name): Path<String>,
    q: Result<Query<QualityQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    let Query(q) = q.map_err(|e| ApiError::bad_request("invalid_query", e.body_text()))?;
    let Some(channel) = state.engine.channel_figures().into_iter().find(|f| f.name == name) else {
        return Err(ApiError::not_found(format!("no channel {name:?}")));
    };
    if q.link.is_some_and(|l| usize::from(l) >= channel.connections.len()) {
        let n = channel.connections.len();
        return Err(ApiError::bad_request("invalid_query", format!("link is a connection index below {n}")));
    }
    let now = state.engine.clock().now();
    let to = q.to.as_deref().map(|s| parse_time(s, "to")).transpose()?.unwrap_or(now);
    let from = match q.from.as_deref() {
        Some(s) => parse_time(s, "from")?,
        None => Timestamp::from_millis(to.as_millis() - 3_600_000),
    };
    let step = q.step.as_deref().map(parse_step).transpose()?.unwrap_or(Duration::from_secs(60));
    let (from, to) = (minute_of(from), minute_of(Timestamp::from_millis(to.as_millis() + 59_999)));
    if from >= to {
        return Err(ApiError::unprocessable("invalid_field", "from must be before to"));
    }
    let step_ms = step.as_millis() as i64;
    let steps = (to.as_millis() - from.as_millis() + step_ms - 1) / step_ms;
    if steps > MAX_POINTS {
        return Err(ApiError::unprocessable(
            "too_many_points",
            format!("{steps} steps; at most {MAX_POINTS}: use a longer step"),
        ));
    }
    let points = state.engine.link_quality(&name, q.link, from, to, step).await?;
    let whole = sum(&points);
    let judged = whole.as_ref().map(|w| w.judged(&TARGETS)).unwrap_or_default();
    Ok(Json(json!({
        "channel": name,
        "link": q.link,
        "from": Time::at(from),
        "to": Time::at(to),
        "step_seconds": step.as_secs(),
        "targets": targets(&TARGETS, judged),
        "total": whole.as_ref().map(PointView::new),
        "points": points.iter().map(PointView::new).collect::<Vec<_>>(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_whole_minutes() {
        assert_eq!(parse_step("60").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_step("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_step("1d").unwrap(), Duration::from_secs(86_400));
        for bad in ["", "30", "90", "1x", "m", "-5m", "1.5h", "367d", "99999999999999999999d"] {
            assert!(parse_step(bad).is_err(), "{bad}");
        }
    }
}
