//! The story every [`Store`] backend must tell the same way.
//!
//! Backends call [`run_story`] (the whole store) or a concern's own story, such as
//! [`users_story`], from their integration tests: SQLite runs every one, PostgreSQL those of
//! the concerns it implements so far. They only use the public traits, so they cannot lean on
//! a backend's internals. Never a normal dependency.

mod accounts;
mod batches;
mod content;
mod feed;
mod numbers;
mod operations;
mod users;

pub use accounts::accounts_story;
pub use content::content_story;
pub use numbers::numbers_story;
pub use operations::operations_story;
pub use users::users_story;

use hongyan_store::*;

fn t(ms: i64) -> Timestamp {
    Timestamp::from_millis(1_795_910_782_000 + ms)
}

fn message(id: u64, account_id: i64, to: &str, segments: u8) -> NewMessage {
    NewMessage {
        id: MessageId(id),
        account_id,
        to: to.into(),
        carrier: Carrier::ChinaMobile,
        category: Category::VERIFICATION,
        content: "您的验证码是 123456".into(),
        segments,
        channel: "cmpp-sim".into(),
        source_ext: "01".into(),
        accepted_at: t(0),
        send_at: (id == 100).then(|| t(3_600_000)),
        callback_url: (id == 100).then(|| "http://10.0.0.1/cb".to_owned()),
        provenance: Provenance {
            sender: format!("key:HY{account_id}"),
            interface: "http".into(),
            client_addr: "10.1.2.3".into(),
            client_ref: None,
            template_id: None,
        }
        .into(),
        // Priced at 0.05 yuan a segment: the statement's amounts come from this, not from
        // today's price table.
        unit_price: Some(Money(500)),
    }
}

fn accepted(id: u64, segment: u8, carrier_msg_id: &str) -> SubmitOutcome {
    SubmitOutcome {
        message_id: MessageId(id),
        segment,
        carrier_msg_id: Some(carrier_msg_id.into()),
        result: 0,
        error: None,
        at: t(10),
    }
}

fn report(carrier_msg_id: &str, stat: &str) -> ReportIn {
    ReportIn {
        channel: "cmpp-sim".into(),
        carrier_msg_id: carrier_msg_id.into(),
        stat: stat.into(),
        done_at: Some(t(60_000)),
        received_at: t(61_000),
        raw: format!("{{\"stat\":\"{stat}\"}}"),
    }
}

/// Runs the whole story; panics with a readable message at the first broken promise.
pub async fn run_story(store: &dyn Store) {
    let (a, b) = accounts_and_keys(store).await;
    accept_submit_report(store, a.id).await;
    long_message_with_a_failed_segment(store, a.id).await;
    tenants_are_isolated(store, a.id, b.id).await;
    restart_work_is_listed(store, a.id).await;
    client_references_are_unique(store, a.id, b.id).await;
    signatures_are_approved_before_use(store, a.id, b.id).await;
    limits_usage_and_blacklist(store, a.id, b.id).await;
    counts_agree_with_the_messages(store, a.id, b.id).await;
    templates_and_free_text(store, a.id, b.id).await;
    replies_unsubscribe_and_find_their_account(store, a.id, b.id).await;
    a_report_before_its_response_waits(store, a.id).await;
    ported_numbers(store).await;
    number_facts_in_one_look_up(store, a.id).await;
    nonces_are_good_once_per_key_within_the_window(store).await;
    feed::reports_and_replies_are_fed_in_order(store).await;
    feed::client_systems_get_receipts_for_their_part_ids(store).await;
    batches::batches_decide_as_one_at_a_time(store).await;
    store.close().await.expect("close");
    assert!(matches!(
        store.insert_messages(vec![message(999, a.id, "13800138999", 1)], None).await,
        Err(StoreError::Closed)
    ));
}

async fn nonces_are_good_once_per_key_within_the_window(store: &dyn Store) {
    let claim = |key: &'static str, at: i64, forget_before: i64| {
        store.claim_nonce(key, "nonce-0123456789", t(at), t(forget_before))
    };
    assert!(claim("k", 0, -600_000).await.unwrap(), "first sight");
    assert!(!claim("k", 100_000, -500_000).await.unwrap(), "a replay within the window");
    assert!(claim("other", 100_000, -500_000).await.unwrap(), "per key");
    assert!(claim("k", 700_000, 1).await.unwrap(), "forgotten once older than the window");
    assert!(!claim("k", 700_001, 2).await.unwrap(), "and remembered again from then");
}

async fn accounts_and_keys(store: &dyn Store) -> (Account, Account) {
    let a = store.create_account("etax", t(0)).await.expect("create etax");
    let b = store.create_account("interaction", t(0)).await.expect("create interaction");
    assert_ne!(a.id, b.id);
    assert!(matches!(store.create_account("etax", t(1)).await, Err(StoreError::Conflict(_))), "names are unique");
    let key = ApiKey {
        key_id: "AKtest".into(),
        account_id: a.id,
        secret_hash: vec![7; 32],
        created_at: t(0),
        revoked_at: None,
        last_used_at: None,
    };
    store.create_api_key(key.clone()).await.expect("create key");
    assert!(matches!(store.create_api_key(key.clone()).await, Err(StoreError::Conflict(_))));
    let found = store.find_api_key("AKtest").await.unwrap().expect("key found");
    assert_eq!(found.key, key);
    assert_eq!(found.account.name, "etax");
    assert!(store.find_api_key("AKnone").await.unwrap().is_none());
    (a, b)
}

async fn accept_submit_report(store: &dyn Store, account: i64) {
    store
        .insert_messages(vec![message(100, account, "13800138000", 1), message(101, account, "13900139000", 1)], None)
        .await
        .unwrap();
    assert_eq!(store.max_message_id().await.unwrap(), 101);
    let got = store.get_message(account, MessageId(100)).await.unwrap().expect("stored");
    assert_eq!(got.status, MessageStatus::Accepted);
    assert_eq!(got.message, message(100, account, "13800138000", 1));

    store.record_submits(vec![accepted(100, 1, "9001")]).await.unwrap();
    let got = store.get_message(account, MessageId(100)).await.unwrap().unwrap();
    assert_eq!(got.status, MessageStatus::Submitted);
    assert_eq!(got.submitted_at, Some(t(10)));
    assert_eq!(got.segments[0].carrier_msg_id.as_deref(), Some("9001"));

    let matches = store
        .apply_reports(vec![report("9001", "DELIVRD"), report("9001", "DELIVRD"), report("nope", "DELIVRD")])
        .await
        .unwrap();
    assert_eq!(
        matches,
        vec![
            ReportMatch::Matched { message_id: MessageId(100), status: MessageStatus::Delivered },
            ReportMatch::Duplicate,
            ReportMatch::Unmatched
        ]
    );
    let got = store.get_message(account, MessageId(100)).await.unwrap().unwrap();
    assert_eq!(got.status, MessageStatus::Delivered);
    assert_eq!(got.segments[0].report_stat.as_deref(), Some("DELIVRD"));
    assert_eq!(got.segments[0].done_at, Some(t(60_000)));
    assert_eq!(got.completed_at, Some(t(61_000)));

    let refused = SubmitOutcome {
        result: 13,
        carrier_msg_id: None,
        error: Some("Dest_terminal_Id error".into()),
        ..accepted(101, 1, "")
    };
    store.record_submits(vec![refused]).await.unwrap();
    let got = store.get_message(account, MessageId(101)).await.unwrap().unwrap();
    assert_eq!(got.status, MessageStatus::Failed);
    assert_eq!(got.error.as_deref(), Some("Dest_terminal_Id error"));
}

async fn a_report_before_its_response_waits(store: &dyn Store, account: i64) {
    store.insert_messages(vec![message(700, account, "13800138700", 1)], None).await.unwrap();
    let early = store.apply_reports(vec![report("9700", "UNDELIV")]).await.unwrap();
    assert_eq!(early, [ReportMatch::Unmatched]);
    store.record_submits(vec![accepted(700, 1, "9700")]).await.unwrap();
    let got = store.get_message(account, MessageId(700)).await.unwrap().unwrap();
    assert_eq!(got.status, MessageStatus::Undelivered, "the held report was applied with the response");
    assert_eq!(got.segments[0].report_stat.as_deref(), Some("UNDELIV"));
    let again = store.apply_reports(vec![report("9700", "UNDELIV")]).await.unwrap();
    assert_eq!(again, [ReportMatch::Duplicate]);
}

async fn long_message_with_a_failed_segment(store: &dyn Store, account: i64) {
    store.insert_messages(vec![message(200, account, "13800138001", 3)], None).await.unwrap();
    store.record_submits(vec![accepted(200, 1, "9101"), accepted(200, 2, "9102")]).await.unwrap();
    let got = store.get_message(account, MessageId(200)).await.unwrap().unwrap();
    assert_eq!(got.status, MessageStatus::Accepted, "one segment is still unsent");
    store.record_submits(vec![accepted(200, 3, "9103")]).await.unwrap();
    store.apply_reports(vec![report("9101", "DELIVRD")]).await.unwrap();
    let got = store.get_message(account, MessageId(200)).await.unwrap().unwrap();
    assert_eq!(got.status, MessageStatus::Submitted, "two reports still missing");
    store.apply_reports(vec![report("9102", "UNDELIV"), report("9103", "DELIVRD")]).await.unwrap();
    let got = store.get_message(account, MessageId(200)).await.unwrap().unwrap();
    assert_eq!(got.status, MessageStatus::Undelivered);
    assert_eq!(got.error.as_deref(), Some("UNDELIV"));
    assert_eq!(got.segments.len(), 3);
}

async fn tenants_are_isolated(store: &dyn Store, a: i64, b: i64) {
    assert!(store.get_message(b, MessageId(100)).await.unwrap().is_none(), "b must not see a's message");
    let filter = |account_id, to: Option<&str>| MessageFilter {
        account_id: Some(account_id),
        to: to.map(Into::into),
        limit: 50,
        ..MessageFilter::default()
    };
    assert!(store.list_messages(filter(b, None)).await.unwrap().is_empty());
    let mine = store.list_messages(filter(a, Some("13800138000"))).await.unwrap();
    assert_eq!(mine.iter().map(|d| d.message.id).collect::<Vec<_>>(), vec![MessageId(100)]);
    let all = store.list_messages(filter(a, None)).await.unwrap();
    assert_eq!(all.iter().map(|d| d.message.id.0).collect::<Vec<_>>(), vec![200, 101, 100], "newest first");
    let page =
        store.list_messages(MessageFilter { before: Some(MessageId(200)), limit: 1, ..filter(a, None) }).await.unwrap();
    assert_eq!(page.iter().map(|d| d.message.id.0).collect::<Vec<_>>(), vec![101]);
    let failed =
        store.list_messages(MessageFilter { status: Some(MessageStatus::Failed), ..filter(a, None) }).await.unwrap();
    assert_eq!(failed.len(), 1);
    searches_across_accounts_by_what_people_ask(store, a).await;
}

/// Staff search every account by recipient, sender, client reference, time and the rest;
/// counts stop at their cap; one message is found by id alone.
async fn searches_across_accounts_by_what_people_ask(store: &dyn Store, a: i64) {
    let b = store.create_account("search", t(0)).await.unwrap().id;
    let ids = |v: Vec<MessageDetail>| v.iter().map(|d| d.message.id.0).collect::<Vec<_>>();
    let mut other = message(150, b, "13800138000", 1);
    other.provenance = Provenance {
        sender: "user:clerk".into(),
        interface: "console".into(),
        client_ref: Some("r-150".into()),
        ..(*other.provenance).clone()
    }
    .into();
    other.carrier = Carrier::ChinaUnicom;
    store.insert_messages(vec![other], None).await.unwrap();
    // Settled at once, so the restart part of the story still sees only its own work.
    store.fail_messages(vec![(MessageId(150), "refused".into())], t(0)).await.unwrap();
    let any =
        |f: MessageFilter| async move { ids(store.list_messages(MessageFilter { limit: 50, ..f }).await.unwrap()) };
    let to = Some("13800138000".to_owned());
    assert_eq!(
        any(MessageFilter { to: to.clone(), ..Default::default() }).await,
        [150, 100],
        "every account's, newest first"
    );
    assert_eq!(any(MessageFilter { to: to.clone(), account_id: Some(b), ..Default::default() }).await, [150]);
    assert_eq!(any(MessageFilter { sender: Some("user:clerk".into()), ..Default::default() }).await, [150]);
    let by_key = any(MessageFilter { sender: Some(format!("key:HY{a}")), ..Default::default() }).await;
    assert!(by_key.contains(&100) && !by_key.contains(&150), "{by_key:?}");
    assert_eq!(any(MessageFilter { client_ref: Some("r-150".into()), ..Default::default() }).await, [150]);
    assert_eq!(
        any(MessageFilter { carrier: Some(Carrier::ChinaUnicom), to: to.clone(), ..Default::default() }).await,
        [150]
    );
    let in_time = MessageFilter {
        since: Some(MessageId(101).timestamp()),
        until: Some(MessageId(151).timestamp()),
        account_id: Some(a),
        ..Default::default()
    };
    assert!(any(in_time.clone()).await.iter().all(|id| (101..151).contains(id)), "by time");
    assert_eq!(store.count_messages(MessageFilter { to: to.clone(), ..Default::default() }, 10).await.unwrap(), 2);
    assert_eq!(store.count_messages(MessageFilter::default(), 1).await.unwrap(), 1, "a count stops at its cap");
    let found = store.find_message(MessageId(150)).await.unwrap().unwrap();
    assert_eq!((found.message.account_id, found.message.provenance.interface.as_str()), (b, "console"));
    assert!(store.find_message(MessageId(1)).await.unwrap().is_none());
}

async fn restart_work_is_listed(store: &dyn Store, account: i64) {
    store
        .insert_messages(vec![message(300, account, "13800138002", 2), message(301, account, "13800138003", 1)], None)
        .await
        .unwrap();
    store.record_submits(vec![accepted(300, 1, "9301")]).await.unwrap();
    store.fail_messages(vec![(MessageId(301), "no channel".into())], t(5)).await.unwrap();
    let pending = store.pending_dispatch(MessageId(0), 100).await.unwrap();
    assert_eq!(pending.len(), 1, "only 300 still needs work: {pending:?}");
    let by_id = store.pending_by_ids(vec![MessageId(300), MessageId(301), MessageId(100)]).await.unwrap();
    assert_eq!(by_id, pending, "by id: only what still needs work");
    // Failover moves only messages still waiting on the channel they are moved from.
    store.insert_messages(vec![message(302, account, "13800138006", 1)], None).await.unwrap();
    let ids = vec![MessageId(302), MessageId(100)];
    assert_eq!(store.reassign_channel(ids.clone(), "cmpp-sim".into(), "backup".into()).await.unwrap(), 1);
    assert_eq!(store.get_message(account, MessageId(302)).await.unwrap().unwrap().message.channel, "backup");
    assert_eq!(store.reassign_channel(ids, "cmpp-sim".into(), "backup".into()).await.unwrap(), 0);
    assert_eq!(pending[0].message.id, MessageId(300));
    assert_eq!(pending[0].done_segments, vec![1]);
    assert_eq!(store.pending_dispatch(MessageId(300), 100).await.unwrap().len(), 1, "302, now on backup");
}

async fn client_references_are_unique(store: &dyn Store, a: i64, b: i64) {
    let record = |account_id, answer: &str| RequestRecord {
        origin: None,
        account_id,
        client_ref: "order-42".into(),
        answer: Some(answer.into()),
        request_hash: Some(answer.as_bytes().to_vec()),
        created_at: t(0),
    };
    store.insert_messages(vec![message(400, a, "13800138004", 1)], Some(record(a, "first"))).await.unwrap();
    let again = store.insert_messages(vec![message(401, a, "13800138005", 1)], Some(record(a, "second"))).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert!(store.get_message(a, MessageId(401)).await.unwrap().is_none(), "the repeat stored nothing");
    let first = store.find_request(a, "order-42").await.unwrap().unwrap();
    assert_eq!(first, StoredRequest { answer: "first".into(), request_hash: Some(b"first".to_vec()) }, "with its hash");
    assert_eq!(store.find_request(b, "order-42").await.unwrap(), None, "references are per account");
    store.insert_messages(Vec::new(), Some(record(b, "b's own"))).await.unwrap();
    assert_eq!(store.find_request(b, "order-42").await.unwrap().unwrap().answer, "b's own");
}

async fn signatures_are_approved_before_use(store: &dyn Store, a: i64, b: i64) {
    let sig = store.add_signature(a, "某省税务局", "01", t(0)).await.unwrap();
    assert_eq!(sig.status, SignatureStatus::Pending);
    assert!(
        matches!(store.add_signature(a, "某省税务局", "", t(1)).await, Err(StoreError::Conflict(_))),
        "unique per account"
    );
    assert!(
        !store.set_default_signature(a, Category::VERIFICATION, sig.id).await.unwrap(),
        "pending cannot be a default"
    );
    assert!(store.signing_rules(a).await.unwrap().defaults.is_empty());
    assert!(store.decide_signature(sig.id, SignatureStatus::Approved, t(2)).await.unwrap());
    assert!(!store.set_default_signature(b, Category::VERIFICATION, sig.id).await.unwrap(), "not b's signature");
    assert!(store.set_default_signature(a, Category::VERIFICATION, sig.id).await.unwrap());
    let rules = store.signing_rules(a).await.unwrap();
    assert_eq!(rules.defaults.len(), 1);
    assert_eq!(
        (rules.defaults[0].0, rules.defaults[0].1.text.as_str(), rules.defaults[0].1.extension.as_str()),
        (Category::VERIFICATION, "某省税务局", "01")
    );
    assert!(!rules.suffix);
    store.set_signature_suffix(a, true).await.unwrap();
    assert!(store.signing_rules(a).await.unwrap().suffix);
    assert_eq!(store.list_signatures(a).await.unwrap().len(), 1);
    assert!(store.list_signatures(b).await.unwrap().is_empty());
    // Revoking an approval removes it as a default.
    assert!(store.decide_signature(sig.id, SignatureStatus::Rejected, t(3)).await.unwrap());
    assert!(store.signing_rules(a).await.unwrap().defaults.is_empty());
    store.set_review_note("signature", sig.id, Some("与单位名称不符".into()), t(3)).await.unwrap();
    assert_eq!(store.review_notes(a).await.unwrap(), [("signature".to_owned(), sig.id, "与单位名称不符".to_owned())]);
    assert!(store.review_notes(b).await.unwrap().is_empty(), "another account's notes are its own");
    store.set_review_note("signature", sig.id, None, t(4)).await.unwrap();
    assert!(store.review_notes(a).await.unwrap().is_empty(), "an approval forgets the reason");
    assert!(!store.decide_signature(9999, SignatureStatus::Approved, t(3)).await.unwrap());
    let m = store.get_message(a, MessageId(100)).await.unwrap().unwrap();
    assert_eq!(m.message.source_ext, "01", "the extension code is kept with the message");
}

async fn limits_usage_and_blacklist(store: &dyn Store, a: i64, b: i64) {
    assert_eq!(store.account_limits(a).await.unwrap(), AccountLimits::default());
    let limits = AccountLimits {
        rate: Some(50),
        daily_quota: Some(1000),
        verification_per_minute: Some(0),
        ..Default::default()
    };
    store.set_account_limits(a, limits).await.unwrap();
    assert_eq!(store.account_limits(a).await.unwrap(), limits);
    assert_eq!(store.account_limits(b).await.unwrap(), AccountLimits::default(), "per account");
    // Messages 100..=401 of account a were stored above (ids double as times here).
    let all = store.segments_since(a, MessageId(0)).await.unwrap();
    assert_eq!(store.segments_since(a, MessageId(300)).await.unwrap(), 2 + 1 + 1 + 1, "300 (2), 301, 302, 400");
    assert!(all > 4);
    assert_eq!(store.segments_since(b, MessageId(0)).await.unwrap(), 0);
    let sent = store.sent_to_since(a, "13800138000", Category::VERIFICATION, MessageId(0)).await.unwrap();
    assert_eq!(sent, vec![t(0)]);
    assert!(store.sent_to_since(a, "13800138000", Category::MARKETING, MessageId(0)).await.unwrap().is_empty());
    assert!(store.sent_to_since(a, "13800138000", Category::VERIFICATION, MessageId(101)).await.unwrap().is_empty());

    let entry = |account_id, number: &str| BlacklistEntry {
        account_id,
        number: number.into(),
        reason: "complaint".into(),
        created_at: t(0),
    };
    store.blacklist_add(entry(None, "13800000001")).await.unwrap();
    store.blacklist_add(entry(Some(a), "13800000002")).await.unwrap();
    let asked = vec!["13800000001".to_owned(), "13800000002".into(), "13800000003".into()];
    let hits = store.blacklisted(a, asked.clone()).await.unwrap();
    let mut numbers: Vec<&str> = hits.iter().map(|e| e.number.as_str()).collect();
    numbers.sort();
    assert_eq!(numbers, ["13800000001", "13800000002"]);
    let hits = store.blacklisted(b, asked).await.unwrap();
    assert_eq!(
        hits.iter().map(|e| e.number.as_str()).collect::<Vec<_>>(),
        ["13800000001"],
        "b sees only the global list"
    );
    assert_eq!(store.blacklist_list(None).await.unwrap().len(), 1);
    assert_eq!(store.blacklist_list(Some(a)).await.unwrap().len(), 1);
    assert!(store.blacklist_remove(Some(a), "13800000002").await.unwrap());
    assert!(!store.blacklist_remove(Some(a), "13800000002").await.unwrap());
    let many: Vec<String> = (0..1200).map(|i| format!("1390000{i:04}")).chain(["13800000001".to_owned()]).collect();
    assert_eq!(store.blacklisted(a, many).await.unwrap().len(), 1, "chunked look-ups find the last one too");
}

/// The overview's counts and series say what listing the messages says, per account and in all.
async fn counts_agree_with_the_messages(store: &dyn Store, a: i64, b: i64) {
    let all = (MessageId(0), MessageId(u64::MAX >> 1));
    let mut everyone = 0;
    for account in [a, b] {
        let filter = MessageFilter { account_id: Some(account), limit: 100_000, ..Default::default() };
        let listed = store.list_messages(filter).await.unwrap();
        let counts = store.status_counts(Some(account), all.0, all.1).await.unwrap();
        for status in MessageStatus::ALL {
            let expected = listed.iter().filter(|d| d.status == status).count() as u64;
            let counted: u64 = counts.iter().filter(|c| c.status == status).map(|c| c.messages).sum();
            assert_eq!(counted, expected, "account {account}, {status:?}");
        }
        let series = store.accepted_series(Some(account), all.0, all.1, 60_000).await.unwrap();
        assert_eq!(series.iter().map(|s| s.1).sum::<u64>(), listed.len() as u64, "the series counts every message");
        assert!(series.windows(2).all(|w| w[0].0 < w[1].0), "oldest first, one row per minute");
        assert!(series.iter().all(|s| s.0.as_millis() % 60_000 == 0), "slices start on the minute");
        everyone += listed.len() as u64;
    }
    let counts = store.status_counts(None, all.0, all.1).await.unwrap();
    assert!(counts.iter().map(|c| c.messages).sum::<u64>() >= everyone, "every account's messages are in the total");
    let none = store.status_counts(Some(a), MessageId(0), MessageId(1)).await.unwrap();
    assert!(none.is_empty(), "an empty range counts nothing");
}

async fn replies_unsubscribe_and_find_their_account(store: &dyn Store, a: i64, b: i64) {
    let sig = store.add_signature(b, "互动平台", "77", t(0)).await.unwrap();
    assert!(store.accounts_with_extension("77").await.unwrap().is_empty(), "pending signatures do not count");
    store.decide_signature(sig.id, SignatureStatus::Approved, t(1)).await.unwrap();
    assert_eq!(store.accounts_with_extension("77").await.unwrap(), [b]);
    store.unsubscribe(a, "13800000007", "TD", t(2)).await.unwrap();
    store.unsubscribe(a, "13800000007", "退订", t(3)).await.unwrap();
    let asked: Vec<String> = (0..700).map(|i| format!("1380000{i:04}")).collect();
    assert_eq!(store.unsubscribed(a, asked.clone()).await.unwrap(), ["13800000007"]);
    assert!(store.unsubscribed(b, asked).await.unwrap().is_empty(), "an unsubscribe is per account");
}

async fn templates_and_free_text(store: &dyn Store, a: i64, b: i64) {
    let body = "您的验证码是${code}，${minutes}分钟内有效。";
    let tpl = store.add_template(a, "login-code", body, Category::VERIFICATION, t(0)).await.unwrap();
    assert_eq!(tpl.status, SignatureStatus::Pending);
    assert!(matches!(
        store.add_template(a, "login-code", "x", Category::VERIFICATION, t(1)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(store.decide_template(tpl.id, SignatureStatus::Approved, t(2)).await.unwrap());
    let got = store.get_template(a, tpl.id).await.unwrap().unwrap();
    assert_eq!(
        (got.body.as_str(), got.status, got.category),
        (body, SignatureStatus::Approved, Category::VERIFICATION)
    );
    assert!(store.get_template(b, tpl.id).await.unwrap().is_none(), "tenants are isolated");
    assert_eq!(store.list_templates(a).await.unwrap().len(), 1);
    assert!(store.free_text_allowed(a).await.unwrap(), "allowed unless withdrawn");
    store.set_free_text(a, false).await.unwrap();
    assert!(!store.free_text_allowed(a).await.unwrap());
    assert!(store.free_text_allowed(b).await.unwrap());
}

/// The one look-up accepting makes says what the three separate ones say.
async fn number_facts_in_one_look_up(store: &dyn Store, a: i64) {
    let asked: Vec<String> =
        ["13800000001", "13800000007", "13800138000", "13900139000"].into_iter().map(String::from).collect();
    let facts = store.number_facts(a, asked.clone(), true).await.unwrap();
    assert_eq!(facts.ported, [("13800138000".to_owned(), Carrier::ChinaUnicom)]);
    assert_eq!(facts.blacklisted.iter().map(|e| e.number.as_str()).collect::<Vec<_>>(), ["13800000001"]);
    assert_eq!(facts.unsubscribed, ["13800000007"]);
    let plain = store.number_facts(a, asked, false).await.unwrap();
    assert!(plain.unsubscribed.is_empty(), "unsubscribes are asked for marketing only");
    assert_eq!(plain.blacklisted.len(), 1);
}

async fn ported_numbers(store: &dyn Store) {
    let entries =
        vec![("13800138000".to_owned(), Carrier::ChinaTelecom), ("18612345678".to_owned(), Carrier::ChinaMobile)];
    assert_eq!(store.import_ported(entries, t(0)).await.unwrap(), 2);
    store.import_ported(vec![("13800138000".to_owned(), Carrier::ChinaUnicom)], t(1)).await.unwrap();
    let mut got = store.ported(vec!["13800138000".into(), "18612345678".into(), "13900139000".into()]).await.unwrap();
    got.sort();
    assert_eq!(
        got,
        [("13800138000".to_owned(), Carrier::ChinaUnicom), ("18612345678".to_owned(), Carrier::ChinaMobile)]
    );
}
