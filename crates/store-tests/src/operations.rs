//! What operators watch, for any backend that keeps it: link-quality minutes (a channel's and
//! each connection's) read by range and purged by age, incidents with their clocks, and alerts
//! raised, re-sent and resolved.

use std::collections::BTreeMap;

use hongyan_store::{
    AlertRecord, IncidentFilter, IncidentKind, IncidentPatch, LinkMinute, NewIncident, OperationsStore, RttHistogram,
};

use crate::t;

const MINUTE: i64 = 60_000;

fn minute(channel: &str, link: Option<u16>, at: i64, submits: u32) -> LinkMinute {
    let mut rtt = RttHistogram::default();
    rtt.add(40_000);
    rtt.add(41_500);
    LinkMinute {
        link,
        up_ms: 59_000,
        submits,
        accepted: submits - 1,
        refused: 1,
        resends: 2,
        probes: 3,
        rtt,
        rtt_sum_us: 81_500,
        rtt_max_us: 41_500,
        jitter_sum_us: 1_500,
        jitter_pairs: 1,
        in_flight_max: 7,
        codes: BTreeMap::from([(8, 1)]),
        ..LinkMinute::empty(channel, t(at))
    }
}

/// Runs the operators' part of the story.
pub async fn operations_story(store: &dyn OperationsStore) {
    link_minutes_by_range_and_age(store).await;
    incidents_and_their_clocks(store).await;
    alerts_raised_resent_and_resolved(store).await;
}

async fn link_minutes_by_range_and_age(store: &dyn OperationsStore) {
    let rows = vec![
        minute("cmcc", None, 0, 10),
        minute("cmcc", None, MINUTE, 20),
        minute("cmcc", Some(0), MINUTE, 20),
        minute("cmcc", None, 2 * MINUTE, 30),
        minute("cucc", None, MINUTE, 5),
    ];
    store.save_link_minutes(rows.clone()).await.unwrap();
    let channel = store.link_minutes("cmcc", None, t(0), t(2 * MINUTE)).await.unwrap();
    assert_eq!(channel, rows[..2], "the channel's own rows in [from, to), oldest first, every field kept");
    let link = store.link_minutes("cmcc", Some(0), t(0), t(3 * MINUTE)).await.unwrap();
    assert_eq!(link, [rows[2].clone()], "one connection's rows apart from the channel's");
    assert!(store.link_minutes("cmcc", Some(1), t(0), t(3 * MINUTE)).await.unwrap().is_empty());
    assert_eq!(store.purge_link_minutes(t(MINUTE)).await.unwrap(), 1, "only the minute before the cut");
    assert_eq!(store.link_minutes("cmcc", None, t(0), t(3 * MINUTE)).await.unwrap().len(), 2);
}

fn opened(kind: IncidentKind, channel: Option<&str>, at: i64, account_id: Option<i64>) -> NewIncident {
    NewIncident {
        kind,
        channel: channel.map(Into::into),
        symptom: format!("{} 通道中断 at {at}", kind.as_str()),
        opened_at: t(at),
        opened_by: "system".into(),
        account_id,
    }
}

async fn incidents_and_their_clocks(store: &dyn OperationsStore) {
    let down = store.open_incident(opened(IncidentKind::ChannelDown, Some("cmcc"), 1_000, None)).await.unwrap();
    let failing = store.open_incident(opened(IncidentKind::FailureRate, Some("cucc"), 2_000, None)).await.unwrap();
    let reported = store.open_incident(opened(IncidentKind::Reported, None, 3_000, Some(7))).await.unwrap();
    assert_eq!(down.opened, opened(IncidentKind::ChannelDown, Some("cmcc"), 1_000, None), "kept as opened");
    assert_eq!((down.fixed_at, down.cause.as_deref(), down.reported_at), (None, None, None));
    assert_eq!(store.get_incident(failing.id).await.unwrap(), Some(failing.clone()));
    assert_eq!(store.get_incident(9_999).await.unwrap(), None);

    let fixed = IncidentPatch { fixed_at: Some(t(5_000)), cause: Some("光缆被挖断".into()), ..Default::default() };
    let after = store.update_incident(down.id, fixed).await.unwrap().expect("the incident exists");
    assert_eq!((after.fixed_at, after.cause.as_deref()), (Some(t(5_000)), Some("光缆被挖断")));
    let report = IncidentPatch {
        actions: Some("改走备用通道".into()),
        result: Some("已恢复".into()),
        reported_at: Some(t(6_000)),
        ..Default::default()
    };
    let after = store.update_incident(down.id, report).await.unwrap().unwrap();
    assert_eq!(after.cause.as_deref(), Some("光缆被挖断"), "what a patch leaves out stays");
    assert_eq!((after.actions.as_deref(), after.result.as_deref()), (Some("改走备用通道"), Some("已恢复")));
    assert_eq!(after.reported_at, Some(t(6_000)));
    assert_eq!(store.update_incident(9_999, IncidentPatch::default()).await.unwrap(), None);

    let filter = |f: IncidentFilter| async move {
        store.incidents(f).await.unwrap().into_iter().map(|i| i.id).collect::<Vec<_>>()
    };
    let all = IncidentFilter { from: None, to: None, open_only: false, account_id: None, channel: None, limit: 10 };
    assert_eq!(filter(all.clone()).await, [reported.id, failing.id, down.id], "newest first");
    assert_eq!(filter(IncidentFilter { open_only: true, ..all.clone() }).await, [reported.id, failing.id]);
    assert_eq!(filter(IncidentFilter { channel: Some("cmcc".into()), ..all.clone() }).await, [down.id]);
    assert_eq!(filter(IncidentFilter { account_id: Some(7), ..all.clone() }).await, [reported.id]);
    let window = IncidentFilter { from: Some(t(1_500)), to: Some(t(3_000)), ..all.clone() };
    assert_eq!(filter(window).await, [failing.id], "from is inclusive, to is not");
    assert_eq!(filter(IncidentFilter { limit: 1, ..all }).await, [reported.id]);
}

fn alert(rule: &str, at: i64) -> AlertRecord {
    AlertRecord {
        id: 0,
        rule: rule.into(),
        subject: "cmcc".into(),
        message: format!("{rule} on cmcc"),
        started_at: t(at),
        last_sent_at: t(0),
        sends: 0,
        resolved_at: None,
    }
}

async fn alerts_raised_resent_and_resolved(store: &dyn OperationsStore) {
    let first = store.raise_alert(alert("channel_down", 1_000)).await.unwrap();
    assert!(first.id > 0);
    assert_eq!((first.sends, first.last_sent_at, first.resolved_at), (1, t(1_000), None), "sent once as raised");
    let second = store.raise_alert(alert("disk_low", 2_000)).await.unwrap();
    store.alert_sent(first.id, t(61_000)).await.unwrap();
    store.resolve_alert(second.id, t(70_000)).await.unwrap();
    store.resolve_alert(second.id, t(90_000)).await.unwrap();
    let all = store.alerts(false, 10).await.unwrap();
    assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), [second.id, first.id], "newest first");
    assert_eq!(all[0].resolved_at, Some(t(70_000)), "resolved once, at the first time");
    assert_eq!((all[1].sends, all[1].last_sent_at), (2, t(61_000)));
    let active = store.alerts(true, 10).await.unwrap();
    assert_eq!(active.iter().map(|a| a.id).collect::<Vec<_>>(), [first.id]);
}
