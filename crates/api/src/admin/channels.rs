//! The channels as operators and the acceptance see them: `GET /api/v1/admin/channels` (live:
//! links, windows, backlog, the current minute's link quality) and
//! `GET /api/v1/admin/channels/{name}/quality` (history from the kept minutes, in steps,
//! judged against the procurement's figures).

use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use hongyan_engine::monitor::ChannelFigures;
use hongyan_engine::quality::{minute_of, sum, QualityPoint, TARGETS};
use hongyan_store::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{parse_time, time, READERS};
use crate::console::Console;
use crate::{ApiError, AppState};

/// Most steps one answer holds.
const MAX_POINTS: i64 = 10_000;

fn figures_json(f: &ChannelFigures, now: Timestamp) -> Value {
    let s = &f.setup;
    let minute = current(&f.minute, now);
    json!({
        "name": f.name,
        "protocol": s.protocol,
        "addr": s.addr,
        "connections": s.connections,
        "window": s.window,
        "rate": s.rate,
        "simulated": s.simulated,
        "links_up": f.links_up,
        "in_flight": f.in_flight,
        "backlog": f.backlog,
        "submitted": f.submitted,
        "throttled": f.throttled,
        "last_error": f.last_error.as_ref().map(|(at, what)| json!({ "at": time(Some(*at)), "error": what })),
        "this_minute": point_json(&minute),
        "links": f.connections.iter().map(|c| json!({
            "index": c.index,
            "up": c.up,
            "in_flight": c.in_flight,
            "this_minute": point_json(&current(&c.minute, now)),
        })).collect::<Vec<_>>(),
    })
}

/// A minute still being filled, as a point over the part of it gone by.
fn current(m: &hongyan_store::LinkMinute, now: Timestamp) -> QualityPoint {
    QualityPoint {
        from: m.minute,
        to: Timestamp::from_millis(m.minute.as_millis() + 60_000),
        total: m.clone(),
        elapsed_ms: (now.as_millis() - m.minute.as_millis()).clamp(0, 60_000),
    }
}

fn ms(v: Option<f64>) -> Value {
    v.map_or(Value::Null, |v| json!((v * 1000.0).round() / 1000.0))
}

pub(crate) fn point_json(p: &QualityPoint) -> Value {
    let t = &p.total;
    let codes: serde_json::Map<String, Value> = t.codes.iter().map(|(c, n)| (c.to_string(), json!(n))).collect();
    json!({
        "from": time(Some(p.from)),
        "to": time(Some(p.to)),
        "availability": p.availability(),
        "up_seconds": f64::from(t.up_ms) / 1000.0,
        "loss": p.loss(),
        "rtt_ms": { "mean": ms(p.rtt_mean_ms()), "p50": ms(p.rtt_ms(0.5)), "p99": ms(p.rtt_ms(0.99)),
                    "max": ms(p.rtt_ms(1.0)), "samples": t.rtt.count() },
        "jitter_ms": ms(p.jitter_ms()),
        "submits": t.submits, "accepted": t.accepted, "refused": t.refused, "throttled": t.throttled,
        "unanswered": t.unanswered, "resends": t.resends, "drops": t.drops, "probes": t.probes,
        "in_flight_max": t.in_flight_max,
        "refusals_by_code": codes,
    })
}

/// `GET /api/v1/admin/channels`
pub(crate) async fn channels(State(state): State<AppState>, console: Console) -> Result<Json<Value>, ApiError> {
    console.require(READERS)?;
    let now = state.engine.clock().now();
    let list: Vec<Value> = state.engine.channel_figures().iter().map(|f| figures_json(f, now)).collect();
    Ok(Json(json!({ "channels": list })))
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
    let target = |name: &str, limit: f64, met: Option<bool>| json!({ "figure": name, "limit": limit, "met": met });
    Ok(Json(json!({
        "channel": name,
        "link": q.link,
        "from": time(Some(from)),
        "to": time(Some(to)),
        "step_seconds": step.as_secs(),
        "targets": [
            target("latency_ms_mean_max", TARGETS.latency_ms, judged[0]),
            target("jitter_ms_max", TARGETS.jitter_ms, judged[1]),
            target("loss_max", TARGETS.loss, judged[2]),
            target("availability_min", TARGETS.availability, judged[3]),
        ],
        "total": whole.as_ref().map(point_json),
        "points": points.iter().map(point_json).collect::<Vec<_>>(),
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
