//! The feed's part of the story: what a client is owed, in order, and nothing lost or repeated
//! past an acknowledgement.

use hongyan_store::*;

use crate::{message, report, t};

fn submitted_long_ago(id: u64, segment: u8, carrier_msg_id: &str) -> SubmitOutcome {
    SubmitOutcome {
        message_id: MessageId(id),
        segment,
        carrier_msg_id: Some(carrier_msg_id.into()),
        result: 0,
        error: None,
        at: t(-1_000_000),
    }
}

fn reports_of(events: &[FeedEvent]) -> Vec<(u64, u8, &str)> {
    events
        .iter()
        .filter_map(|e| match &e.item {
            FeedItem::Report(r) => Some((r.message_id.0, r.segment, r.stat.as_str())),
            FeedItem::Mo(_) | FeedItem::Final(_) => None,
        })
        .collect()
}

pub(crate) async fn reports_and_replies_are_fed_in_order(store: &dyn Store) {
    let c = store.create_account("feed", t(0)).await.unwrap().id;
    store
        .insert_messages(vec![message(800, c, "13800138800", 2), message(801, c, "13800138801", 1)], None)
        .await
        .unwrap();
    let subs = vec![
        submitted_long_ago(800, 1, "9801"),
        submitted_long_ago(800, 2, "9802"),
        submitted_long_ago(801, 1, "9803"),
    ];
    store.record_submits(subs).await.unwrap();
    store.apply_reports(vec![report("9802", "DELIVRD"), report("9802", "DELIVRD")]).await.unwrap();
    let mo = NewMo {
        account_id: Some(c),
        channel: "cmpp-sim".into(),
        from: "13800138800".into(),
        to: "106900001".into(),
        extension: Some("1".into()),
        text: "收到".into(),
        unsubscribe: None,
        received_at: t(62_000),
    };
    store.record_mo(mo.clone()).await.unwrap();
    store.record_mo(NewMo { account_id: None, ..mo.clone() }).await.unwrap();
    store.apply_reports(vec![report("9801", "UNDELIV")]).await.unwrap();

    let pulled = store.feed(c, FeedConsumer::PullReports, 10).await.unwrap();
    assert_eq!(reports_of(&pulled), [(800, 2, "DELIVRD"), (800, 1, "UNDELIV")], "one event per report, no repeat");
    // Each event tells the message's status as it was then.
    let (FeedItem::Report(first), FeedItem::Report(second)) = (&pulled[0].item, &pulled[1].item) else {
        unreachable!()
    };
    assert_eq!((first.to.as_str(), first.segments, first.status), ("13800138800", 2, MessageStatus::Submitted));
    assert_eq!((second.status, second.reported_at), (MessageStatus::Undelivered, t(61_000)));
    let replies = store.feed(c, FeedConsumer::PullReplies, 10).await.unwrap();
    assert!(
        matches!(&replies[..], [FeedEvent { item: FeedItem::Mo(m), .. }] if m.text == "收到"),
        "unattributed replies are not fed"
    );
    let pushed = store.feed(c, FeedConsumer::Push, 10).await.unwrap();
    assert_eq!(pushed.len(), 3, "the pusher reads both kinds in one order");
    assert!(pushed.windows(2).all(|w| w[0].seq < w[1].seq));

    // Acknowledging moves one reader only, never backwards.
    assert_eq!(store.ack_feed(c, FeedConsumer::PullReports, pulled[0].seq).await.unwrap(), pulled[0].seq);
    assert_eq!(store.ack_feed(c, FeedConsumer::PullReports, 0).await.unwrap(), pulled[0].seq);
    let last = pushed.last().unwrap().seq;
    assert_eq!(store.ack_feed(c, FeedConsumer::PullReplies, u64::MAX >> 1).await.unwrap(), last, "not past the end");
    assert!(store.feed(c, FeedConsumer::PullReplies, 10).await.unwrap().is_empty());
    assert_eq!(reports_of(&store.feed(c, FeedConsumer::PullReports, 10).await.unwrap()), [(800, 1, "UNDELIV")]);
    assert_eq!(store.feed(c, FeedConsumer::Push, 10).await.unwrap().len(), 3);

    // No report in time: the segment becomes UNKNOWN and is fed; a late report replaces it.
    let expired = store.expire_unreported(t(-500_000), t(100_000)).await.unwrap();
    assert_eq!(expired, 1, "only 801's segment was never reported");
    assert_eq!(store.get_message(c, MessageId(801)).await.unwrap().unwrap().status, MessageStatus::Unknown);
    assert_eq!(store.expire_unreported(t(-500_000), t(100_000)).await.unwrap(), 0);
    let late = store.apply_reports(vec![report("9803", "DELIVRD")]).await.unwrap();
    assert_eq!(late, [ReportMatch::Matched { message_id: MessageId(801), status: MessageStatus::Delivered }]);
    let got = store.get_message(c, MessageId(801)).await.unwrap().unwrap();
    assert_eq!((got.status, got.error), (MessageStatus::Delivered, None));
    let rest = store.feed(c, FeedConsumer::PullReports, 10).await.unwrap();
    assert_eq!(reports_of(&rest), [(800, 1, "UNDELIV"), (801, 1, "UNKNOWN"), (801, 1, "DELIVRD")], "{rest:#?}");
    assert_eq!(store.apply_reports(vec![report("9803", "DELIVRD")]).await.unwrap(), [ReportMatch::Duplicate]);
    history_looks_back_without_moving_readers(store, c).await;
    push_series(store, c).await;
}

/// The history lists what was fed, newest first, by kind, stat, account and time, and leaves
/// every reader's position where it was.
async fn history_looks_back_without_moving_readers(store: &dyn Store, c: i64) {
    let before = store.feed(c, FeedConsumer::PullReports, 10).await.unwrap();
    let all = |kind, stat: Option<&str>| FeedFilter {
        kind: Some(kind),
        account_id: Some(c),
        stat: stat.map(str::to_owned),
        limit: 100,
        ..FeedFilter::default()
    };
    let reports = store.feed_history(all(FeedKind::Report, None)).await.unwrap();
    let events: Vec<FeedEvent> = reports.iter().map(|(_, e)| e.clone()).collect();
    let listed = reports_of(&events);
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert_eq!(listed[0], (801, 1, "DELIVRD"), "newest first");
    assert!(reports.iter().all(|(a, _)| *a == c), "each with its account");
    let undelivered = store.feed_history(all(FeedKind::Report, Some("UNDELIV"))).await.unwrap();
    assert_eq!(undelivered.len(), 1, "by stat");
    let replies = store.feed_history(all(FeedKind::Mo, None)).await.unwrap();
    assert!(matches!(&replies[..], [(_, FeedEvent { item: FeedItem::Mo(m), .. })] if m.text == "收到"));
    let from = |n: &str| FeedFilter { from_number: Some(n.into()), ..all(FeedKind::Mo, None) };
    assert_eq!(store.feed_history(from("13800138800")).await.unwrap().len(), 1, "a reply by the handset's number");
    assert!(store.feed_history(from("13800138801")).await.unwrap().is_empty());
    let mobile = FeedFilter {
        carrier: Some(Carrier::ChinaMobile),
        channel: Some("cmpp-sim".into()),
        ..all(FeedKind::Report, None)
    };
    assert_eq!(store.feed_history(mobile).await.unwrap().len(), 4, "by carrier and channel");
    let unicom = FeedFilter { carrier: Some(Carrier::ChinaUnicom), ..all(FeedKind::Report, None) };
    assert!(store.feed_history(unicom).await.unwrap().is_empty());
    let with_raw =
        |e: &FeedEvent| matches!(&e.item, FeedItem::Report(r) if r.raw.as_deref().is_some_and(|r| r.contains("stat")));
    assert!(reports.iter().any(|(_, e)| with_raw(e)), "the carrier's raw report comes along");
    let page = store.feed_history(FeedFilter { before_seq: Some(reports[0].1.seq), ..all(FeedKind::Report, None) });
    assert_eq!(page.await.unwrap().len(), 3, "paged by sequence");
    let other = store.feed_history(FeedFilter { account_id: Some(c + 1000), ..all(FeedKind::Report, None) });
    assert!(other.await.unwrap().is_empty(), "another account's history is its own");
    let later = store.feed_history(FeedFilter { from: Some(t(10_000_000)), ..all(FeedKind::Report, None) });
    assert!(later.await.unwrap().is_empty(), "by time");
    assert_eq!(store.feed(c, FeedConsumer::PullReports, 10).await.unwrap(), before, "readers did not move");
}

async fn push_series(store: &dyn Store, c: i64) {
    assert!(store.push_targets(t(0), 100).await.unwrap().iter().all(|p| p.account_id != c), "no callback yet");
    let cb = Callback { url: "http://127.0.0.1:9/cb".into(), secret: "s3cret".into() };
    assert!(store.set_callback(c, Some(cb.clone())).await.unwrap());
    assert_eq!(store.callback(c).await.unwrap(), Some(cb.clone()));
    let due = store.push_targets(t(0), 100).await.unwrap();
    assert!(due.iter().any(|p| p.account_id == c && p.attempts == 0 && p.callback == cb));

    store.push_retry_later(c, 1, t(0), t(1_000), "connection refused".into()).await.unwrap();
    assert!(store.push_targets(t(500), 100).await.unwrap().iter().all(|p| p.account_id != c), "backing off");
    let again = store.push_targets(t(1_000), 100).await.unwrap();
    assert!(again.iter().any(|p| p.account_id == c && p.attempts == 1 && p.failing_since == Some(t(0))));

    let events = store.feed(c, FeedConsumer::Push, 2).await.unwrap();
    let seqs = (events[0].seq, events[1].seq);
    store.push_give_up(c, seqs, "HTTP 500".into(), t(2_000)).await.unwrap();
    let failures = store.push_failures(Some(c)).await.unwrap();
    assert_eq!((failures[0].seqs, failures[0].error.as_str(), failures[0].resent_at), (seqs, "HTTP 500", None));
    let left = store.feed(c, FeedConsumer::Push, 100).await.unwrap();
    assert!(left.iter().all(|e| e.seq > seqs.1), "the pusher moved past what it gave up");
    store.push_delivered(c, left.last().unwrap().seq).await.unwrap();
    assert!(store.feed(c, FeedConsumer::Push, 100).await.unwrap().is_empty());

    assert!(store.resend_push_failure(failures[0].id, t(3_000)).await.unwrap());
    assert!(!store.resend_push_failure(failures[0].id, t(3_000)).await.unwrap(), "once");
    let resent = store.feed(c, FeedConsumer::Push, 100).await.unwrap();
    let items = |v: &[FeedEvent]| v.iter().map(|e| e.item.clone()).collect::<Vec<_>>();
    assert_eq!(items(&resent), items(&events), "the same events, at the end of the feed");
    let pull = store.feed(c, FeedConsumer::PullReports, 100).await.unwrap();
    assert!(pull.iter().all(|e| e.seq < resent[0].seq), "pull readers do not get them twice");
    assert!(store.set_callback(c, None).await.unwrap());
    assert_eq!(store.callback(c).await.unwrap(), None);
}

fn client_part(account_id: i64, part: u8, id: &str, at: i64) -> ClientPart {
    ClientPart {
        account_id,
        protocol: "smpp".into(),
        group_key: "1069|13800138900|7|2".into(),
        part,
        total: 2,
        client_msg_id: id.into(),
        source: "1069".into(),
        to: "13800138900".into(),
        category: "notification".into(),
        receipt: true,
        text: format!("第{part}段"),
        received_at: t(at),
        sender: "smpp:hy000001".into(),
        client_addr: "10.9.8.7".into(),
    }
}

pub(crate) async fn client_systems_get_receipts_for_their_part_ids(store: &dyn Store) {
    let d = store.create_account("smpp-client", t(0)).await.unwrap().id;
    let login = ClientLogin {
        protocol: "smpp".into(),
        login: "etax01".into(),
        account_id: d,
        secret: "pw".into(),
        created_at: t(0),
        default_category: None,
    };
    store.create_client_login(login.clone()).await.unwrap();
    assert!(matches!(store.create_client_login(login.clone()).await, Err(StoreError::Conflict(_))));
    let (found, account) = store.find_client_login("smpp", "etax01").await.unwrap().unwrap();
    assert_eq!((found, account.id), (login, d));
    assert!(store.find_client_login("cmpp", "etax01").await.unwrap().is_none(), "logins are per protocol");
    assert!(store.set_client_login_category(d, "smpp", "etax01", Some("verification".into())).await.unwrap());
    assert!(!store.set_client_login_category(d + 1, "smpp", "etax01", None).await.unwrap(), "another account's");
    let (found, _) = store.find_client_login("smpp", "etax01").await.unwrap().unwrap();
    assert_eq!(found.default_category.as_deref(), Some("verification"), "kept with the login");

    assert!(store.add_client_part(client_part(d, 2, "p2", 5)).await.unwrap().is_empty(), "one of two");
    assert_eq!(store.stale_client_groups(t(6)).await.unwrap().len(), 1, "kept, and found when stale");
    let whole = store.add_client_part(client_part(d, 1, "p1", 6)).await.unwrap();
    assert_eq!(whole.iter().map(|p| p.client_msg_id.as_str()).collect::<Vec<_>>(), ["p1", "p2"]);
    assert_eq!(
        (whole[1].sender.as_str(), whole[1].client_addr.as_str()),
        ("smpp:hy000001", "10.9.8.7"),
        "who sent it is kept"
    );

    let origin = ClientOrigin {
        protocol: "smpp".into(),
        part_ids: vec!["p1".into(), "p2".into()],
        source: "1069".into(),
        receipt: true,
        group: Some((d, whole[0].group_key.clone())),
    };
    let record = RequestRecord {
        account_id: d,
        client_ref: "smpp:p1".into(),
        answer: Some("{}".into()),
        request_hash: None,
        created_at: t(7),
        origin: Some(origin),
    };
    let unlinked = store.insert_messages(vec![message(900, d, "13800138900", 2)], Some(record.clone())).await;
    assert!(unlinked.is_err(), "a client link's message without its reference is refused");
    store.insert_messages(vec![linked(900, d, "13800138900", 2, &record)], Some(record)).await.unwrap();
    assert!(store.stale_client_groups(t(i64::MAX / 4)).await.unwrap().is_empty(), "the parts went with the message");

    let subs = vec![submitted_long_ago(900, 1, "9901"), submitted_long_ago(900, 2, "9902")];
    store.record_submits(subs).await.unwrap();
    store.apply_reports(vec![report("9901", "DELIVRD")]).await.unwrap();
    assert!(store.feed(d, FeedConsumer::Smpp, 10).await.unwrap().is_empty(), "not final yet");
    store.apply_reports(vec![report("9902", "UNDELIV")]).await.unwrap();
    let finals = store.feed(d, FeedConsumer::Smpp, 10).await.unwrap();
    let [FeedEvent { item: FeedItem::Final(f), seq, .. }] = &finals[..] else { panic!("{finals:?}") };
    assert_eq!(
        (f.message_id, f.status, f.part_ids.clone()),
        (MessageId(900), MessageStatus::Undelivered, vec!["p1".into(), "p2".into()])
    );
    assert_eq!((f.source.as_str(), f.to.as_str(), f.error.as_deref()), ("1069", "13800138900", Some("UNDELIV")));
    assert!(store.feed(d, FeedConsumer::Cmpp, 10).await.unwrap().is_empty(), "it came over SMPP");
    assert_eq!(
        store.feed(d, FeedConsumer::Push, 10).await.unwrap().len(),
        2,
        "push sees the two reports, not the final"
    );
    store.ack_feed(d, FeedConsumer::Smpp, *seq).await.unwrap();
    assert!(store.feed(d, FeedConsumer::Smpp, 10).await.unwrap().is_empty());

    // Nothing final is owed for a message whose client asked for no receipt.
    let origin = ClientOrigin {
        protocol: "smpp".into(),
        part_ids: vec!["q1".into()],
        source: "1069".into(),
        receipt: false,
        group: None,
    };
    let record = RequestRecord {
        account_id: d,
        client_ref: "smpp:q1".into(),
        // A one-part submit's reference is an id just issued: no answer is kept for it.
        answer: None,
        request_hash: None,
        created_at: t(7),
        origin: Some(origin),
    };
    store.insert_messages(vec![linked(901, d, "13800138901", 1, &record)], Some(record)).await.unwrap();
    assert!(store.find_request(d, "smpp:q1").await.unwrap().is_none(), "no answer kept, no reference held");
    assert!(store.find_request(d, "smpp:p1").await.unwrap().is_some(), "a long message's answer is kept");
    store.fail_messages(vec![(MessageId(901), "no route".into())], t(8)).await.unwrap();
    assert!(store.feed(d, FeedConsumer::Smpp, 10).await.unwrap().is_empty());
    a_refused_long_message_owes_rejected_receipts(store, d).await;
}

/// A message that came over a client link, as the engine makes it: with its request's
/// reference.
fn linked(id: u64, d: i64, to: &str, segments: u8, record: &RequestRecord) -> NewMessage {
    let mut m = message(id, d, to, segments);
    let client_ref = Some(record.client_ref.clone());
    m.provenance = Provenance { client_ref, interface: "smpp".into(), ..(*m.provenance).clone() }.into();
    m
}

/// A long message refused for good: its kept parts go at once, and the acknowledged part ids
/// are owed one `rejected` final, to the protocol's receipt reader only.
async fn a_refused_long_message_owes_rejected_receipts(store: &dyn Store, d: i64) {
    store.add_client_part(client_part(d, 1, "r1", 20)).await.unwrap();
    let whole = store.add_client_part(client_part(d, 2, "r2", 21)).await.unwrap();
    let refusal = ClientRefusal {
        account_id: d,
        protocol: "smpp".into(),
        group_key: whole[0].group_key.clone(),
        part_ids: vec!["r1".into()],
        source: "1069".into(),
        to: "13800138900".into(),
        receipt: true,
        error: "content is 600 characters long".into(),
        accepted_at: t(20),
        refused_at: t(21),
    };
    store.refuse_client_parts(refusal.clone()).await.unwrap();
    assert!(store.stale_client_groups(t(i64::MAX / 4)).await.unwrap().is_empty(), "nothing left to try again");
    let finals = store.feed(d, FeedConsumer::Smpp, 10).await.unwrap();
    let [FeedEvent { item: FeedItem::Final(f), seq, .. }] = &finals[..] else { panic!("{finals:?}") };
    assert_eq!(
        (f.status, f.part_ids.clone(), f.to.as_str()),
        (MessageStatus::Rejected, vec!["r1".into()], "13800138900")
    );
    assert_eq!((f.completed_at, f.source.as_str()), (Some(t(21)), "1069"));
    assert!(store.feed(d, FeedConsumer::Cmpp, 10).await.unwrap().is_empty(), "it came over SMPP");
    assert!(store.feed(d, FeedConsumer::Push, 10).await.unwrap().iter().all(|e| !matches!(e.item, FeedItem::Final(_))));
    store.ack_feed(d, FeedConsumer::Smpp, *seq).await.unwrap();
    assert!(store.feed(d, FeedConsumer::Smpp, 10).await.unwrap().is_empty());
    // Without receipts asked for, only the parts go.
    store.refuse_client_parts(ClientRefusal { receipt: false, ..refusal }).await.unwrap();
    assert!(store.feed(d, FeedConsumer::Smpp, 10).await.unwrap().is_empty());
}
