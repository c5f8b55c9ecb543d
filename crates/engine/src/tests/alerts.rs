//! Alerts over a real SQLite store and a clock the test moves: each fires once, repeats at
//! its interval while it holds, and is resolved when it ends.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hongyan_store::AccountLimits;

use super::{engine_with_clock, req};
use crate::alerts::{AlertNotice, AlertRules, SystemChecks};
use crate::monitor::ChannelSetup;

fn seen(notices: &[AlertNotice]) -> BTreeSet<(&'static str, String, String)> {
    notices.iter().map(|n| (n.kind.as_str(), n.alert.rule.clone(), n.alert.subject.clone())).collect()
}

fn set(items: &[(&'static str, &str, &str)]) -> BTreeSet<(&'static str, String, String)> {
    items.iter().map(|(k, r, s)| (*k, r.to_string(), s.to_string())).collect()
}

#[tokio::test]
async fn alerts_fire_once_repeat_and_resolve() {
    let (e, _rx, store, clock) = engine_with_clock("alerts").await;
    let rules = AlertRules {
        down_after: Duration::from_secs(60),
        backlog_age: Duration::from_secs(300),
        repeat_every: Duration::from_secs(600),
        ..AlertRules::default()
    };
    e.set_alert_rules(rules);
    let setup = ChannelSetup {
        protocol: "CMPP 3.0".into(),
        addr: "127.0.0.1:7890".into(),
        connections: 1,
        window: 16,
        rate: None,
        simulated: true,
    };
    let link = e.monitor_channel("mobile", setup);
    let step = |secs: i64| clock.0.fetch_add(secs * 1000, Ordering::SeqCst);
    let limits = AccountLimits { daily_quota: Some(10), ..AccountLimits::default() };
    store.set_account_limits(1, limits).await.unwrap();
    let nine: Vec<String> = (0..9).map(|i| format!("1380013800{i}")).collect();
    let nine: Vec<&str> = nine.iter().map(String::as_str).collect();
    e.accept(1, req(&nine, "通知")).await.unwrap();
    let none = SystemChecks::default();

    assert_eq!(seen(&e.alert_tick(&none).await.unwrap()), set(&[("firing", "quota", "account 1 daily")]));
    step(30);
    assert!(e.alert_tick(&none).await.unwrap().is_empty(), "down 30 s is not yet down; the quota alert is sent once");

    step(31);
    let n = e.alert_tick(&none).await.unwrap();
    assert_eq!(seen(&n), set(&[("firing", "channel_down", "mobile"), ("firing", "carrier_down", "china_mobile")]));
    let down = n.iter().find(|n| n.alert.rule == "channel_down").unwrap();
    assert_eq!(down.channel.as_deref(), Some("mobile"), "an SMS about it must avoid the channel");
    assert!(down.text().starts_with("[告警 firing] channel_down mobile"), "{}", down.text());

    step(240);
    let key = SystemChecks { data_key: Some("the data keys cannot be read".into()) };
    assert_eq!(
        seen(&e.alert_tick(&key).await.unwrap()),
        set(&[("firing", "backlog_age", "queue"), ("firing", "data_key", "data_key")]),
        "the nine messages wait past 300 s"
    );
    assert_eq!(seen(&e.alert_tick(&none).await.unwrap()), set(&[("resolved", "data_key", "data_key")]));

    step(360);
    let n = e.alert_tick(&none).await.unwrap();
    assert_eq!(
        seen(&n),
        set(&[
            ("repeat", "quota", "account 1 daily"),
            ("repeat", "channel_down", "mobile"),
            ("repeat", "carrier_down", "china_mobile"),
        ]),
        "600 s after they were first sent; the backlog alert is younger"
    );
    assert!(n.iter().all(|n| n.alert.sends == 2));

    link.link(0, true, crate::Clock::now(&*clock));
    let n = e.alert_tick(&none).await.unwrap();
    assert_eq!(seen(&n), set(&[("resolved", "channel_down", "mobile"), ("resolved", "carrier_down", "china_mobile")]));
    let active: BTreeSet<String> = e.list_alerts(true, 100).await.unwrap().into_iter().map(|a| a.rule).collect();
    assert_eq!(active, ["backlog_age", "quota"].iter().map(|s| s.to_string()).collect());
    assert_eq!(e.list_alerts(false, 100).await.unwrap().len(), 5, "resolved ones are kept");
}

#[tokio::test]
async fn an_alert_sms_avoids_the_channel_it_is_about_where_another_serves_the_number() {
    let dir = std::env::temp_dir().join(format!("hongyan-engine-avoid-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: std::sync::Arc<dyn hongyan_store::Store> =
        std::sync::Arc::new(hongyan_store_sqlite::SqliteStore::open(&dir.join("db")).unwrap());
    use hongyan_types::Carrier;
    let specs = [
        crate::ChannelSpec::new("a", &[Carrier::ChinaMobile, Carrier::ChinaUnicom]),
        crate::ChannelSpec::new("b", &[Carrier::ChinaMobile]),
    ];
    let (e, _rx) = crate::Engine::new(store.clone(), std::sync::Arc::new(crate::SystemClock), &specs).await.unwrap();
    let account = e.create_account("ops").await.unwrap().account.id;
    e.sign_with(account, "鸿雁运维", "").await.unwrap();
    e.set_channel_up("a", true);
    e.set_channel_up("b", true);
    let channels = |req: crate::SendRequest| {
        let (e, store) = (e.clone(), store.clone());
        async move {
            let mut out = Vec::new();
            for r in e.accept(account, req).await.unwrap().results {
                let crate::NumberResult::Accepted { message_id, .. } = r else { panic!("{r:?}") };
                out.push(store.get_message(account, message_id).await.unwrap().unwrap().message.channel);
            }
            out
        }
    };
    let mobile: Vec<String> = (0..6).map(|i| format!("1380013800{i}")).collect();
    let plain = channels(req(&mobile.iter().map(String::as_str).collect::<Vec<_>>(), "x")).await;
    // Equal weights share by turns of a hundred: these six fall in a's turn.
    assert!(plain.iter().all(|c| c == "a"), "{plain:?}");
    let avoiding = |to: &[&str]| crate::SendRequest { avoid_channel: Some("a".into()), ..req(to, "告警") };
    let around = channels(avoiding(&mobile.iter().map(String::as_str).collect::<Vec<_>>())).await;
    assert!(around.iter().all(|c| c == "b"), "{around:?}");
    assert_eq!(channels(avoiding(&["18612345678"])).await, ["a"], "only a serves China Unicom: better a than none");
}
