//! Client systems' submits: logins, whole messages, parts kept until the last, stale parts.

use std::sync::atomic::Ordering;

use hongyan_store::{FeedConsumer, FeedItem, ReportIn, SubmitOutcome};
use hongyan_types::{Category, MessageStatus, Timestamp};

use super::engine_with_clock;
use crate::auth::AuthError;
use crate::{ClientSubmit, ClientSubmitOutcome, PART_WAIT_MS};

fn submit(id: &str, to: &str, text: &str, part: Option<(u8, u8)>) -> ClientSubmit {
    ClientSubmit {
        protocol: "smpp",
        client_msg_id: id.into(),
        source: "1069".into(),
        to: to.into(),
        category: Category::NOTIFICATION,
        receipt: true,
        text: text.into(),
        part: part.map(|(n, total)| (format!("1069|{to}|42|{total}"), n, total)),
        sender: "smpp:etax01".into(),
        client_addr: "10.0.0.8".into(),
    }
}

#[tokio::test]
async fn logins_are_checked_per_protocol_and_account_state() {
    let (e, _rx, _store, _clock) = engine_with_clock("client-login").await;
    let l = e.create_client_login(3, "smpp", "etax01".into(), 8).await.unwrap();
    assert_eq!(l.secret.len(), 8);
    assert!(l.secret.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(e.client_login("smpp", "etax01", &l.secret).await.unwrap().caller.account_id, 3);
    assert!(matches!(e.client_login("smpp", "etax01", "wrong").await, Err(AuthError::Invalid)));
    assert!(matches!(e.client_login("cmpp", "etax01", &l.secret).await, Err(AuthError::Invalid)));
    assert!(
        matches!(e.client_login("smpp", "nobody", "x").await, Err(AuthError::Invalid)),
        "same answer: nothing leaks"
    );
    let (caller, secret) = e.client_secret("smpp", "etax01").await.unwrap().unwrap();
    assert_eq!((caller.caller.account_id, secret), (3, l.secret));
}

#[tokio::test]
async fn a_login_keeps_its_default_category_and_short_codes_name_categories() {
    let (e, _rx, _store, _clock) = engine_with_clock("client-category").await;
    let l = e.create_client_login_in(3, "cmpp", "900003".into(), 16, Some(Category::VERIFICATION)).await.unwrap();
    let (who, _) = e.client_secret("cmpp", "900003").await.unwrap().unwrap();
    assert_eq!(who.default_category.as_deref(), Some("verification"));
    let default = who.default_category.as_deref();
    assert_eq!(e.client_category(default, ""), Ok(Category::VERIFICATION), "none named: the login's default");
    assert_eq!(e.client_category(default, "MKT"), Ok(Category::MARKETING), "a code wins over the default");
    assert_eq!(e.client_category(None, "  "), Ok(Category::NOTIFICATION), "no default: notification");
    assert_eq!(e.client_category(None, "Notification"), Ok(Category::NOTIFICATION));
    let unknown = e.client_category(default, "CMT").unwrap_err();
    assert!(unknown.to_string().contains("VERIF, NOTIF, MKT"), "{unknown}");
    e.set_categories(hongyan_types::Categories::new(vec![hongyan_types::CategoryDef::of_kind(
        hongyan_types::CategoryKind::Notification,
    )]));
    assert!(e.client_category(default, "").is_err(), "a default no longer configured is refused, not guessed");
    assert_eq!(l.default_category.as_deref(), Some("verification"));
}

/// A CMPP Msg_Id in CMPP's layout comes back a year later (same second, same sequence): that
/// is a new message, not a replay of the old one.
#[tokio::test]
async fn a_client_id_seen_again_a_year_later_is_a_new_message() {
    let (e, _rx, _store, clock) = engine_with_clock("client-id-again").await;
    let first = e.client_submit(2, submit("7160000001", "13800138000", "去年", None)).await.unwrap();
    clock.0.fetch_add(365 * 24 * 3600 * 1000, Ordering::SeqCst);
    let again = e.client_submit(2, submit("7160000001", "13800138000", "今年", None)).await.unwrap();
    let (ClientSubmitOutcome::Accepted(a), ClientSubmitOutcome::Accepted(b)) = (first, again) else {
        panic!("both accepted")
    };
    assert_ne!(a, b, "the second is a message of its own, not the first one's answer replayed");
}

#[tokio::test]
async fn a_long_message_is_accepted_when_its_last_part_comes_and_receipted_per_part() {
    let (e, _rx, store, clock) = engine_with_clock("client-parts").await;
    let one = e.client_submit(2, submit("a1", "13800138000", "单条", None)).await.unwrap();
    assert!(matches!(one, ClientSubmitOutcome::Accepted(_)));

    assert_eq!(
        e.client_submit(2, submit("b2", "13900139000", "第二段", Some((2, 2)))).await.unwrap(),
        ClientSubmitOutcome::Kept
    );
    let ClientSubmitOutcome::Accepted(id) =
        e.client_submit(2, submit("b1", "13900139000", "第一段", Some((1, 2)))).await.unwrap()
    else {
        panic!("the last part completes the message")
    };
    let d = store.get_message(2, id).await.unwrap().unwrap();
    assert_eq!(&*d.message.content, "【某省税务局】第一段第二段", "parts in order, signed once");
    let p = &d.message.provenance;
    assert_eq!((p.sender.as_str(), p.interface.as_str(), p.client_addr.as_str()), ("smpp:etax01", "smpp", "10.0.0.8"));
    let first_part_came = clock.0.load(Ordering::SeqCst);
    assert_eq!(
        p.client_ref.as_deref(),
        Some(format!("smpp:b1:{first_part_came}").as_str()),
        "the sender of a long message is recorded"
    );

    // The carrier takes it and reports: the client is owed one receipt per part id.
    let now = Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
    let sub = SubmitOutcome {
        message_id: id,
        segment: 1,
        carrier_msg_id: Some("77".into()),
        result: 0,
        error: None,
        at: now,
    };
    e.submit_outcomes(vec![sub]).await.unwrap();
    let report = ReportIn {
        channel: "mobile".into(),
        carrier_msg_id: "77".into(),
        stat: "DELIVRD".into(),
        done_at: None,
        received_at: now,
        raw: String::new(),
    };
    e.reports(vec![report]).await.unwrap();
    let finals = store.feed(2, FeedConsumer::Smpp, 10).await.unwrap();
    let FeedItem::Final(f) = &finals.last().unwrap().item else { panic!("{finals:?}") };
    assert_eq!((f.status, f.part_ids.clone()), (MessageStatus::Delivered, vec!["b1".to_owned(), "b2".to_owned()]));
}

#[tokio::test]
async fn parts_that_stop_coming_are_sent_as_they_are_and_refusals_are_named() {
    let (e, _rx, store, clock) = engine_with_clock("client-stale").await;
    assert_eq!(
        e.client_submit(4, submit("c1", "13700137000", "只到了一段", Some((1, 3)))).await.unwrap(),
        ClientSubmitOutcome::Kept
    );
    assert_eq!(e.flush_client_parts().await.unwrap(), 0, "still waiting");
    clock.0.fetch_add(PART_WAIT_MS + 1, Ordering::SeqCst);
    assert_eq!(e.flush_client_parts().await.unwrap(), 1);
    let list = store
        .list_messages(hongyan_store::MessageFilter { account_id: Some(4), limit: 5, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(&*list[0].message.content, "【某省税务局】只到了一段");
    assert_eq!(e.flush_client_parts().await.unwrap(), 0, "settled once");

    let bad = e.client_submit(4, submit("d1", "12345", "你好", None)).await.unwrap();
    assert!(matches!(bad, ClientSubmitOutcome::Refused { code: "invalid_number", .. }), "{bad:?}");
    let empty = e.client_submit(4, submit("d2", "13700137000", "  ", None)).await;
    assert!(matches!(empty, Err(crate::AcceptError::EmptyContent)));
}

/// Parts that stopped coming and make a message too long are refused once by the flush, and
/// settled: each acknowledged part gets a REJECTD final, and nothing is tried again.
#[tokio::test]
async fn stale_parts_refused_for_good_are_settled_not_retried() {
    let (e, _rx, store, clock) = engine_with_clock("client-refused").await;
    let text = "长".repeat(67);
    for n in 1..=8 {
        let kept = e.client_submit(4, submit(&format!("z{n}"), "13800138000", &text, Some((n, 9)))).await.unwrap();
        assert_eq!(kept, ClientSubmitOutcome::Kept);
    }
    clock.0.fetch_add(PART_WAIT_MS + 1, Ordering::SeqCst);
    assert_eq!(e.flush_client_parts().await.unwrap(), 1, "refused: 8 × 67 characters are over 500");
    assert_eq!(e.flush_client_parts().await.unwrap(), 0, "and not tried again");
    let finals = store.feed(4, FeedConsumer::Smpp, 10).await.unwrap();
    let [hongyan_store::FeedEvent { item: FeedItem::Final(f), .. }] = &finals[..] else { panic!("{finals:?}") };
    let ids: Vec<String> = (1..=8).map(|n| format!("z{n}")).collect();
    assert_eq!((f.status, &f.part_ids), (MessageStatus::Rejected, &ids));

    // The last part of a message that is too long is answered with the refusal itself: the
    // parts before it are settled at once, and its own id is owed nothing.
    for n in 1..=8 {
        e.client_submit(4, submit(&format!("y{n}"), "13900139000", &text, Some((n, 9)))).await.unwrap();
    }
    let last = e.client_submit(4, submit("y9", "13900139000", &text, Some((9, 9)))).await;
    assert!(matches!(last, Err(crate::AcceptError::ContentTooLong(603))), "{last:?}");
    assert!(store.stale_client_groups(Timestamp::from_millis(i64::MAX)).await.unwrap().is_empty());
    let finals = store.feed(4, FeedConsumer::Smpp, 10).await.unwrap();
    let FeedItem::Final(f) = &finals[1].item else { panic!("{finals:?}") };
    assert_eq!(f.part_ids, (1..=8).map(|n| format!("y{n}")).collect::<Vec<_>>());
}
