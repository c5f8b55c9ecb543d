//! What operators' tools read: `GET /metrics` (Prometheus text format, for the address ranges
//! of `[metrics] allow`), `GET /readyz` (whether the platform can do its job now, each check
//! with its detail), and the layer that counts every HTTP request by route and status.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::LazyLock;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hongyan_types::Carrier;
use prometheus::{register_histogram_vec, register_int_counter_vec, Encoder, HistogramVec, IntCounterVec, TextEncoder};
use serde::Serialize;

use crate::{ApiError, AppState};

static REQUESTS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    register_int_counter_vec!("hongyan_http_requests_total", "HTTP requests answered", &["route", "method", "status"])
        .expect("metric registered once")
});

static REQUEST_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    let buckets = vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];
    register_histogram_vec!("hongyan_http_request_seconds", "Time to answer an HTTP request", &["route"], buckets)
        .expect("metric registered once")
});

/// A channel with a backlog and no submit for this long counts as stalled.
const STALL_MS: i64 = 60_000;

/// Counts each request under its route's pattern (`/api/v1/messages/{id}`), never its path,
/// so ids and numbers never become labels.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_owned();
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let resp = next.run(req).await;
    REQUESTS.with_label_values(&[route.as_str(), method.as_str(), resp.status().as_str()]).inc();
    REQUEST_SECONDS.with_label_values(&[route.as_str()]).observe(started.elapsed().as_secs_f64());
    resp
}

/// `GET /metrics`
pub(crate) async fn metrics(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let from = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if !from.is_some_and(|ip| state.console.metrics_allow.iter().any(|r| r.contains(ip))) {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", "metrics are served to [metrics] allow only"));
    }
    state.engine.refresh_metrics().await;
    let mut out = Vec::new();
    let encoder = TextEncoder::new();
    encoder
        .encode(&prometheus::gather(), &mut out)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    Ok(([(CONTENT_TYPE, encoder.format_type().to_owned())], out).into_response())
}

/// What `/readyz` answers: each check, and whether all passed.
#[derive(Serialize)]
struct Readiness<'a> {
    ready: bool,
    checks: Checks<'a>,
}

#[derive(Serialize)]
struct Checks<'a> {
    store: StoreCheck,
    carriers: CarrierChecks,
    queue: QueueCheck<'a>,
}

/// The store takes writes (not full, not starting or draining).
#[derive(Serialize)]
struct StoreCheck {
    ok: bool,
    detail: &'static str,
}

/// Each carrier with a channel has a link up.
#[derive(Serialize)]
struct CarrierChecks {
    ok: bool,
    by_carrier: BTreeMap<&'static str, CarrierCheck>,
}

#[derive(Serialize)]
struct CarrierCheck {
    ok: bool,
    channels_up: Vec<String>,
}

/// No channel with a link up and a backlog has stopped submitting.
#[derive(Serialize)]
struct QueueCheck<'a> {
    ok: bool,
    stalled_channels: Vec<&'a str>,
    oldest_due_seconds: Option<f64>,
}

/// `GET /readyz`: 200 when every check passes, else 503; the body says which failed and why.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let engine = &state.engine;
    let now = engine.clock().now();
    let full = engine.storage_full();
    let started = state.ready.load(Ordering::SeqCst) && engine.is_accepting();
    // A read every check needs anyway tells whether the store answers at all.
    let oldest = engine.oldest_due(now).await;
    let reachable = oldest.is_ok();
    let detail = if !reachable {
        "cannot be reached"
    } else if full {
        "storage is full"
    } else if !started {
        "starting or draining"
    } else {
        "writable"
    };
    let store = StoreCheck { ok: reachable && !full && started, detail };
    let figures = engine.channel_figures();
    let carriers = carrier_checks(engine, &figures);
    let stalled: Vec<&str> = figures
        .iter()
        .filter(|f| f.backlog > 0 && f.links_up > 0)
        .filter(|f| f.last_submit.is_none_or(|t| now.as_millis() - t.as_millis() > STALL_MS))
        .map(|f| f.name.as_str())
        .collect();
    let oldest = oldest.ok().flatten();
    let queue = QueueCheck {
        ok: stalled.is_empty(),
        stalled_channels: stalled,
        oldest_due_seconds: oldest.map(|t| (now.as_millis() - t.as_millis()).max(0) as f64 / 1000.0),
    };
    let ready = store.ok && carriers.ok && queue.ok;
    let body = Readiness { ready, checks: Checks { store, carriers, queue } };
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(body)).into_response()
}

/// For each carrier some channel serves: the channels with a link up.
fn carrier_checks(
    engine: &hongyan_engine::Engine,
    figures: &[hongyan_engine::monitor::ChannelFigures],
) -> CarrierChecks {
    let links_of = |name: &str| figures.iter().find(|f| f.name == name).map_or(0, |f| f.links_up);
    let mut by_carrier = BTreeMap::new();
    for carrier in [Carrier::ChinaMobile, Carrier::ChinaUnicom, Carrier::ChinaTelecom] {
        let channels: Vec<_> =
            engine.channel_states().into_iter().filter(|(s, _)| s.carriers.contains(&carrier)).collect();
        if channels.is_empty() {
            continue;
        }
        let channels_up: Vec<String> =
            channels.iter().filter(|(s, _)| links_of(&s.name) > 0).map(|(s, _)| s.name.clone()).collect();
        by_carrier.insert(carrier.as_str(), CarrierCheck { ok: !channels_up.is_empty(), channels_up });
    }
    CarrierChecks { ok: by_carrier.values().all(|c| c.ok), by_carrier }
}
