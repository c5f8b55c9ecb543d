//! The channel views: live figures as the gateway reports them, and a period's link quality
//! folded from the kept minutes and judged against the procurement's figures.

use axum::http::StatusCode;
use hongyan_engine::monitor::ChannelSetup;
use hongyan_engine::quality::minute_of;
use hongyan_store::{LinkMinute, Timestamp};

use super::admin::{admin, send};
use super::fixture;

fn setup() -> ChannelSetup {
    ChannelSetup {
        protocol: "CMPP 3.0".into(),
        addr: "127.0.0.1:7890".into(),
        connections: 2,
        window: 16,
        rate: Some(100),
        simulated: true,
    }
}

/// A minute with a link up all along, `n` submits at 5 ms and `lost` re-sends.
fn minute(at: Timestamp, n: u32, lost: u32) -> LinkMinute {
    let mut m = LinkMinute::empty("mobile", at);
    m.up_ms = 60_000;
    m.submits = n;
    m.accepted = n;
    m.resends = lost;
    for _ in 0..n {
        m.rtt.add(5_000);
    }
    m.rtt_sum_us = u64::from(n) * 5_000;
    m.rtt_max_us = 5_000;
    m.jitter_pairs = n.saturating_sub(1);
    m.jitter_sum_us = u64::from(m.jitter_pairs) * 300;
    m
}

#[tokio::test]
async fn live_figures_and_a_period_judged_against_the_channel_targets() {
    let f = fixture("channels").await;
    let c = admin(&f).await;
    let engine = &f.state.engine;
    let monitor = engine.monitor_channel("mobile", setup());
    let now = engine.clock().now();
    monitor.link(0, true, now);
    monitor.submitted(0, now);
    monitor.round_trip(0, std::time::Duration::from_millis(7), false, now);
    monitor.refused(8, now);

    let (status, live, _) = send(&f.state, "GET", "/api/v1/admin/channels", Some(&c), None).await;
    assert_eq!(status, StatusCode::OK, "{live}");
    let ch = &live["channels"][0];
    assert_eq!(
        (ch["name"].as_str(), ch["links_up"].as_u64(), ch["connections"].as_u64()),
        (Some("mobile"), Some(1), Some(2))
    );
    assert_eq!(ch["this_minute"]["submits"], 1);
    let links: Vec<_> =
        ch["links"].as_array().unwrap().iter().map(|l| (l["index"].as_u64(), l["up"].as_bool())).collect();
    assert_eq!(links, [(Some(0), Some(true)), (Some(1), Some(false))], "{ch}");
    assert_eq!(ch["links"][0]["this_minute"]["submits"], 1, "the submit went out on link 0");
    assert_eq!(ch["links"][1]["this_minute"]["submits"], 0);
    assert_eq!(ch["this_minute"]["refusals_by_code"]["8"], 1);
    assert_eq!(ch["this_minute"]["rtt_ms"]["max"], 7.0);

    // Three hours ago, two hours of minutes: the first hour clean, the second with one loss
    // in 500 sends and ten minutes without a link.
    let start = minute_of(Timestamp::from_millis(now.as_millis() - 3 * 3_600_000));
    let at = |m: i64| Timestamp::from_millis(start.as_millis() + m * 60_000);
    let mut rows: Vec<LinkMinute> = (0..60).map(|m| minute(at(m), 100, 0)).collect();
    rows.extend((60..110).map(|m| minute(at(m), 10, u32::from(m == 60))));
    // Connection 1's own rows beside them: read on their own, never added to the channel's.
    rows.extend((0..3).map(|m| LinkMinute { link: Some(1), ..minute(at(m), 7, 0) }));
    f.store.save_link_minutes(rows).await.unwrap();

    let to = Timestamp::from_millis(start.as_millis() + 2 * 3_600_000);
    let uri = format!(
        "/api/v1/admin/channels/mobile/quality?from={}&to={}&step=1h",
        start.to_rfc3339_beijing().replace('+', "%2B"),
        to.to_rfc3339_beijing().replace('+', "%2B")
    );
    let (status, q, _) = send(&f.state, "GET", &uri, Some(&c), None).await;
    assert_eq!(status, StatusCode::OK, "{q}");
    let points = q["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!((points[0]["availability"].as_f64(), points[0]["loss"].as_f64()), (Some(1.0), Some(0.0)));
    assert_eq!(points[0]["submits"], 6000);
    let second_availability = points[1]["availability"].as_f64().unwrap();
    assert!((second_availability - 50.0 / 60.0).abs() < 1e-9, "{second_availability}");
    assert_eq!(points[1]["loss"].as_f64(), Some(1.0 / 501.0));
    let total = &q["total"];
    assert_eq!(total["submits"], 6500);
    let (status, one, _) = send(&f.state, "GET", &format!("{uri}&link=1"), Some(&c), None).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!((one["link"].as_u64(), one["total"]["submits"].as_u64()), (Some(1), Some(21)), "{one}");
    assert_eq!(total["jitter_ms"], 0.3);
    assert!((5.0..=6.0).contains(&total["rtt_ms"]["p50"].as_f64().unwrap()), "{total}");
    let met: Vec<_> =
        q["targets"].as_array().unwrap().iter().map(|t| (t["figure"].clone(), t["met"].clone())).collect();
    assert_eq!(
        met,
        vec![
            ("latency_ms_mean_max".into(), true.into()),
            ("jitter_ms_max".into(), true.into()),
            ("loss_max".into(), true.into()),
            ("availability_min".into(), false.into()),
        ],
        "{q}"
    );

    for (uri, status, code) in [
        ("/api/v1/admin/channels/nowhere/quality", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/admin/channels/mobile/quality?step=90", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/admin/channels/mobile/quality?colour=red", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/admin/channels/mobile/quality?link=2", StatusCode::BAD_REQUEST, "invalid_query"),
        ("/api/v1/admin/channels/mobile/quality?from=yesterday", StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
        (
            "/api/v1/admin/channels/mobile/quality?from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z",
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
        ),
        (
            "/api/v1/admin/channels/mobile/quality?from=2000-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_points",
        ),
    ] {
        let (got, body, _) = send(&f.state, "GET", uri, Some(&c), None).await;
        assert_eq!((got, body["error"]["code"].as_str()), (status, Some(code)), "{uri}: {body}");
    }
    let (status, _, _) = send(&f.state, "GET", "/api/v1/admin/channels", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
