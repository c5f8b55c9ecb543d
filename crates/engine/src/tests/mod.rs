//! Engine behaviour over a real SQLite store.

use hongyan_store::prelude::*;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use hongyan_store::{MessageFilter, MessageStatus, Store, SubmitOutcome};
use hongyan_store_sqlite::SqliteStore;
use hongyan_types::{Carrier, Category, Timestamp};

use crate::TemplateRef;
use crate::*;

struct FixedClock(pub(super) AtomicI64);
impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.0.load(Ordering::SeqCst))
    }
}

pub(crate) async fn engine(tag: &str) -> (Arc<Engine>, Vec<(String, DispatchReceiver)>, Arc<dyn Store>) {
    let (e, rx, store, _clock) = engine_with_clock(tag).await;
    (e, rx, store)
}

async fn engine_with_clock(
    tag: &str,
) -> (Arc<Engine>, Vec<(String, DispatchReceiver)>, Arc<dyn Store>, Arc<FixedClock>) {
    let dir = std::env::temp_dir().join(format!("hongyan-engine-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let clock = Arc::new(FixedClock(AtomicI64::new(1_795_910_782_000)));
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (e, rx) = Engine::new(store.clone(), clock.clone(), &[spec]).await.unwrap();
    // Accounts 1 to 8, each with one approved signature for every category.
    for i in 1..=8 {
        let cred = e.create_account(&format!("account-{i}")).await.unwrap();
        e.sign_with(cred.account.id, "某省税务局", "").await.unwrap();
    }
    (e, rx, store, clock)
}

/// A notification request: no per-number frequency limits get in the way of repeated sends.
fn req(to: &[&str], content: &str) -> SendRequest {
    SendRequest::new(to.iter().map(|s| s.to_string()).collect(), content, Category::NOTIFICATION)
}

#[tokio::test]
async fn accepts_routes_and_rejects_per_number() {
    let (e, mut rx, store) = engine("accept").await;
    let out = e
        .accept(7, req(&["+86 138-0013-8000", "18612345678", "12345", "15400000000"], "您的验证码是 123456"))
        .await
        .unwrap();
    let NumberResult::Accepted { message_id, to, carrier, segments, .. } = &out.results[0] else { panic!("{out:?}") };
    assert_eq!((to.as_str(), *carrier, *segments), ("13800138000", Carrier::ChinaMobile, 1));
    assert!(
        matches!(&out.results[1], NumberResult::Rejected { code: "no_channel", reason, .. } if reason.contains("china_unicom"))
    );
    assert!(matches!(&out.results[2], NumberResult::Rejected { code: "invalid_number", .. }));
    assert!(
        matches!(&out.results[3], NumberResult::Rejected { code: "invalid_number", reason, .. } if reason.contains("154"))
    );
    let stored = store.get_message(7, *message_id).await.unwrap().expect("stored before the answer");
    assert_eq!(stored.status, MessageStatus::Accepted);
    let queued = rx[0].1.try_recv().expect("handed to the channel");
    assert_eq!(queued.message.id, *message_id);
    assert!(rx[0].1.try_recv().is_err(), "rejected numbers are not queued");
}

#[tokio::test]
async fn whole_request_errors_store_nothing() {
    let (e, _rx, store) = engine("errors").await;
    assert!(matches!(e.accept(1, req(&["13800138000"], "  ")).await, Err(AcceptError::EmptyContent)));
    assert!(matches!(
        e.accept(1, req(&["13800138000"], &"字".repeat(501))).await,
        Err(AcceptError::ContentTooLong(501))
    ));
    assert!(matches!(e.accept(1, req(&[], "hi")).await, Err(AcceptError::NoRecipients)));
    let many: Vec<String> = (0..100_001).map(|i| format!("138{i:08}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(matches!(e.accept(1, req(&many, "hi")).await, Err(AcceptError::TooManyRecipients(100_001))));
    e.stop_accepting();
    assert!(matches!(e.accept(1, req(&["13800138000"], "hi")).await, Err(AcceptError::ShuttingDown)));
    assert_eq!(store.max_message_id().await.unwrap(), 0);
}

#[tokio::test]
async fn resume_requeues_unsubmitted_segments_only() {
    let (e, mut rx, _store) = engine("resume").await;
    let long = "税".repeat(100);
    let out = e.accept(1, req(&["13800138000", "13900139000"], &long)).await.unwrap();
    let ids: Vec<_> = out
        .results
        .iter()
        .map(|r| match r {
            NumberResult::Accepted { message_id, segments, .. } => {
                assert_eq!(*segments, 2);
                *message_id
            }
            other => panic!("{other:?}"),
        })
        .collect();
    while rx[0].1.try_recv().is_ok() {}
    let at = Timestamp::from_millis(1);
    let ok = |id, segment| SubmitOutcome {
        message_id: id,
        segment,
        carrier_msg_id: Some(format!("{segment}")),
        result: 0,
        error: None,
        at,
    };
    e.submit_outcomes(vec![ok(ids[0], 1), ok(ids[1], 1), ok(ids[1], 2)]).await.unwrap();
    assert_eq!(e.resume_pending().await.unwrap(), 1);
    let again = rx[0].1.try_recv().unwrap();
    assert_eq!((again.message.id, again.skip_segments.clone()), (ids[0], vec![1]));
}

#[tokio::test]
async fn keys_verify_and_wrong_secrets_fail() {
    let (e, _rx, _store) = engine("auth").await;
    let cred = e.create_account("etax").await.unwrap();
    assert!(cred.key_id.starts_with("HY") && cred.key_id.len() == 18);
    assert_eq!(cred.secret.len(), 32);
    let caller = e.authenticate(&cred.key_id, &cred.secret).await.unwrap();
    assert_eq!((caller.account_id, caller.account_name.as_str()), (cred.account.id, "etax"));
    // Cached now; a wrong secret must still fail.
    assert!(e.authenticate(&cred.key_id, "wrong").await.is_err());
    assert!(e.authenticate("HY0000000000000000", &cred.secret).await.is_err());
    assert!(e.create_account("etax").await.is_err(), "names are unique");
}

#[tokio::test]
async fn a_batch_is_one_commit_not_one_per_number() {
    let dir = std::env::temp_dir().join(format!("hongyan-engine-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (e, _rx) = Engine::new(sqlite.clone(), Arc::new(SystemClock), &[spec]).await.unwrap();
    let account = e.create_account("etax").await.unwrap().account.id;
    e.sign_with(account, "某省税务局", "").await.unwrap();
    e.signing_rules(account).await.unwrap();
    let numbers: Vec<String> = (0..1000).map(|i| format!("138{i:08}")).collect();
    let numbers: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let commits = || sqlite.writer_stats().commits.load(Ordering::SeqCst);
    let before = commits();
    let out = e.accept(account, req(&numbers, "通知")).await.unwrap();
    assert_eq!(out.results.iter().filter(|r| matches!(r, NumberResult::Accepted { .. })).count(), 1000);
    assert_eq!(commits() - before, 1, "1000 messages, one commit");
    let filter = MessageFilter { account_id: Some(account), limit: 500, ..Default::default() };
    assert_eq!(sqlite.list_messages(filter).await.unwrap().len(), 500, "all of them are stored");
}

#[tokio::test]
async fn duplicates_in_one_request_are_sent_once() {
    let (e, mut rx, _store) = engine("dups").await;
    let out =
        e.accept(1, req(&["13800138000", "+86 138 0013 8000", "13900139000", "8613800138000"], "hi")).await.unwrap();
    assert!(matches!(&out.results[0], NumberResult::Accepted { .. }));
    assert_eq!(out.results[1], NumberResult::Duplicate { input: "+86 138 0013 8000".into(), first: 0 });
    assert!(matches!(&out.results[2], NumberResult::Accepted { .. }));
    assert_eq!(out.results[3], NumberResult::Duplicate { input: "8613800138000".into(), first: 0 });
    let mut queued = 0;
    while rx[0].1.try_recv().is_ok() {
        queued += 1;
    }
    assert_eq!(queued, 2);
}

#[tokio::test]
async fn a_client_ref_sends_once_and_answers_the_same() {
    let (e, mut rx, store) = engine("idem").await;
    let with_ref = |to: &[&str]| SendRequest { client_ref: Some("tax-2026-11-0001".into()), ..req(to, "通知") };
    let first = e.accept(1, with_ref(&["13800138000", "12"])).await.unwrap();
    assert!(!first.replayed);
    // A retry gets the first answer and sends nothing; other numbers under it are a conflict.
    let again = e.accept(1, with_ref(&["+86 138 0013 8000", "12"])).await.unwrap();
    assert!(again.replayed);
    assert_eq!(again.results, first.results);
    let other = e.accept(1, with_ref(&["13900139000"])).await;
    assert!(matches!(other, Err(AcceptError::ClientRefConflict(ref r)) if r == "tax-2026-11-0001"), "{other:?}");
    let mut queued = 0;
    while rx[0].1.try_recv().is_ok() {
        queued += 1;
    }
    assert_eq!(queued, 1, "only the first request was queued");
    assert_eq!(
        store
            .list_messages(MessageFilter { account_id: Some(1), limit: 10, ..Default::default() })
            .await
            .unwrap()
            .len(),
        1
    );
    // Another account may use the same reference.
    assert!(!e.accept(2, with_ref(&["13800138000"])).await.unwrap().replayed);
    // Concurrent repeats: exactly one sends.
    let both = tokio::join!(
        e.accept(3, SendRequest { client_ref: Some("race".into()), ..req(&["13800138001"], "x") }),
        e.accept(3, SendRequest { client_ref: Some("race".into()), ..req(&["13800138001"], "x") }),
    );
    let (a, b) = (both.0.unwrap(), both.1.unwrap());
    assert_eq!(a.results, b.results);
    assert_eq!(u8::from(a.replayed) + u8::from(b.replayed), 1, "one sent, the other replayed");
    assert!(matches!(
        e.accept(1, SendRequest { client_ref: Some(String::new()), ..req(&["13800138000"], "x") }).await,
        Err(AcceptError::BadClientRef)
    ));
    assert!(matches!(
        e.accept(1, SendRequest { client_ref: Some("a b".into()), ..req(&["13800138000"], "x") }).await,
        Err(AcceptError::BadClientRef)
    ));
}

#[tokio::test]
async fn messages_are_signed_by_category() {
    let (e, _rx, store) = engine("signed").await;
    let out = e.accept(1, req(&["13800138000"], "您的验证码是 123456")).await.unwrap();
    let NumberResult::Accepted { message_id, .. } = &out.results[0] else { panic!("{out:?}") };
    let m = store.get_message(1, *message_id).await.unwrap().unwrap();
    assert_eq!(&*m.message.content, "【某省税务局】您的验证码是 123456");
    assert!(matches!(
        e.accept(1, req(&["13800138000"], "【某银行】您的验证码是 123456")).await,
        Err(AcceptError::SignatureMismatch { .. })
    ));
    let unsigned = e.create_account("unsigned").await.unwrap().account.id;
    assert!(matches!(e.accept(unsigned, req(&["13800138000"], "hi")).await, Err(AcceptError::NoSignature(_))));
    // 63 characters of text + the 7-character signature: 70 is still one message; 64 is two.
    let one = e.accept(2, req(&["13800138000"], &"字".repeat(63))).await.unwrap();
    let two = e.accept(2, req(&["13800138000"], &"字".repeat(64))).await.unwrap();
    let segs = |o: &SendOutcome| match &o.results[0] {
        NumberResult::Accepted { segments, .. } => *segments,
        other => panic!("{other:?}"),
    };
    assert_eq!((segs(&one), segs(&two)), (1, 2), "the signature counts toward the 70/67 rule");
}

fn verification(to: &[&str]) -> SendRequest {
    SendRequest { category: Category::VERIFICATION, ..req(to, "您的验证码是 1234") }
}

fn rejected_code(r: &NumberResult) -> Option<&'static str> {
    match r {
        NumberResult::Rejected { code, .. } => Some(code),
        _ => None,
    }
}

#[tokio::test]
async fn verification_codes_are_limited_per_number() {
    let (e, _rx, _store, clock) = engine_with_clock("freq").await;
    let first = e.accept(1, verification(&["13800138000", "13900139000"])).await.unwrap();
    assert!(first.results.iter().all(|r| rejected_code(r).is_none()));
    let again = e.accept(1, verification(&["13800138000"])).await.unwrap();
    assert_eq!(rejected_code(&again.results[0]), Some("frequency_limited"), "1 a minute");
    // Other categories, other accounts and other numbers are not affected.
    assert!(rejected_code(&e.accept(1, req(&["13800138000"], "通知")).await.unwrap().results[0]).is_none());
    assert!(rejected_code(&e.accept(2, verification(&["13800138000"])).await.unwrap().results[0]).is_none());
    let mut sent = 1;
    for minute in 1..=12 {
        clock.0.fetch_add(61_000, Ordering::SeqCst);
        let out = e.accept(1, verification(&["13800138000"])).await.unwrap();
        if rejected_code(&out.results[0]).is_none() {
            sent += 1;
        } else {
            assert!(sent >= 5, "refused after {sent} in {minute} minutes");
        }
    }
    assert_eq!(sent, 5, "5 an hour");
}

#[tokio::test]
async fn account_rate_quota_and_blacklist() {
    let (e, _rx, store, clock) = engine_with_clock("quota").await;
    let limits = hongyan_store::AccountLimits { rate: Some(2), daily_quota: Some(30), ..Default::default() };
    store.set_account_limits(3, limits).await.unwrap();
    // Rate 2/s holds 20 in the bucket: 21 numbers at once do not fit.
    let many: Vec<String> = (0..21).map(|i| format!("1380000{i:04}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(matches!(e.accept(3, req(&many, "通知")).await, Err(AcceptError::RateLimited { rate: 2, .. })));
    assert_eq!(e.accept(3, req(&many[..20], "通知")).await.unwrap().results.len(), 20);
    clock.0.fetch_add(60_000, Ordering::SeqCst);
    // 20 segments used of 30; 11 more would go over the daily quota.
    let over = e.accept(3, req(&many[..11], "通知")).await;
    assert!(
        matches!(over, Err(AcceptError::QuotaExceeded { period: "daily", quota: 30, used: 20, needed: 11 })),
        "{over:?}"
    );
    assert_eq!(e.accept(3, req(&many[..10], "通知")).await.unwrap().results.len(), 10);
    // A new Beijing day starts from zero.
    clock.0.fetch_add(86_400_000, Ordering::SeqCst);
    assert!(e.accept(3, req(&many[..10], "通知")).await.is_ok());

    let entry = |account_id, number: &str| hongyan_store::BlacklistEntry {
        account_id,
        number: number.into(),
        reason: "complaint".into(),
        created_at: Timestamp::from_millis(0),
    };
    store.blacklist_add(entry(None, "13800138000")).await.unwrap();
    store.blacklist_add(entry(Some(4), "13900139000")).await.unwrap();
    let out = e.accept(4, req(&["13800138000", "13900139000", "13700137000"], "通知")).await.unwrap();
    let codes: Vec<Option<&str>> = out.results.iter().map(rejected_code).collect();
    assert_eq!(codes, [Some("blacklisted"), Some("blacklisted"), None]);
    let out = e.accept(5, req(&["13900139000"], "通知")).await.unwrap();
    assert!(rejected_code(&out.results[0]).is_none(), "account 4's list is its own");
}

#[tokio::test]
async fn templates_free_text_and_sensitive_words() {
    let (e, _rx, store, clock) = engine_with_clock("templates").await;
    let body = "您的验证码是${code}，${minutes}分钟内有效。";
    assert!(e.add_template(6, "bad", "验证码${code", Category::VERIFICATION).await.is_err(), "syntax is checked");
    let tpl = e.add_template(6, "login", body, Category::VERIFICATION).await.unwrap();
    let by_template = |params: &[(&str, &str)], category| SendRequest {
        template: Some(TemplateRef {
            id: tpl.id,
            params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }),
        ..SendRequest::new(vec!["13800138000".into()], "", category)
    };
    let ok = [("code", "246810"), ("minutes", "5")];
    assert!(
        matches!(e.accept(6, by_template(&ok, Category::VERIFICATION)).await, Err(AcceptError::UnknownTemplate(_))),
        "not approved yet"
    );
    store.decide_template(tpl.id, hongyan_store::SignatureStatus::Approved, Timestamp::from_millis(1)).await.unwrap();
    let out = e.accept(6, by_template(&ok, Category::VERIFICATION)).await.unwrap();
    let NumberResult::Accepted { message_id, .. } = &out.results[0] else { panic!("{out:?}") };
    assert_eq!(
        store.get_message(6, *message_id).await.unwrap().unwrap().message.content.as_ref(),
        "【某省税务局】您的验证码是246810，5分钟内有效。"
    );
    assert!(matches!(
        e.accept(6, by_template(&[("code", "x1"), ("minutes", "5")], Category::VERIFICATION)).await,
        Err(AcceptError::TemplateParams(_))
    ));
    assert!(matches!(
        e.accept(6, by_template(&ok, Category::MARKETING)).await,
        Err(AcceptError::TemplateCategory { .. })
    ));
    assert!(
        matches!(e.accept(7, by_template(&ok, Category::VERIFICATION)).await, Err(AcceptError::UnknownTemplate(_))),
        "other tenants cannot use it"
    );
    let both = SendRequest { content: "hi".into(), ..by_template(&ok, Category::VERIFICATION) };
    assert!(matches!(e.accept(6, both).await, Err(AcceptError::ContentOrTemplate)));

    // Without the free-text right only templates go out.
    store.set_free_text(6, false).await.unwrap();
    clock.0.fetch_add(11_000, Ordering::SeqCst); // past the rules cache
    assert!(matches!(e.accept(6, req(&["13900139000"], "自由文本")).await, Err(AcceptError::FreeTextNotAllowed)));

    e.set_sensitive_words(&["发票代开".to_owned(), "VPN".to_owned()]);
    assert!(
        matches!(e.accept(1, req(&["13900139000"], "专业发票代开")).await, Err(AcceptError::SensitiveWord(w)) if w == "发票代开")
    );
    assert!(
        matches!(e.accept(1, req(&["13900139000"], "cheap vpn here")).await, Err(AcceptError::SensitiveWord(w)) if w == "VPN")
    );
    assert!(e.accept(1, req(&["13900139000"], "正常通知")).await.is_ok());
}

#[tokio::test]
async fn ported_numbers_route_to_their_new_carrier() {
    let (e, _rx, store) = engine("ported").await;
    // Only China Mobile has a channel here: a Unicom number ported to Mobile goes through,
    // a Mobile number ported away is refused for want of a channel.
    let moved =
        vec![("18612345678".to_owned(), Carrier::ChinaMobile), ("13800138000".to_owned(), Carrier::ChinaTelecom)];
    store.import_ported(moved, Timestamp::from_millis(0)).await.unwrap();
    let out = e.accept(1, req(&["18612345678", "13800138000", "13900139000"], "通知")).await.unwrap();
    assert!(matches!(&out.results[0], NumberResult::Accepted { carrier: Carrier::ChinaMobile, .. }), "{out:?}");
    assert!(
        matches!(&out.results[1], NumberResult::Rejected { code: "no_channel", reason, .. } if reason.contains("china_telecom"))
    );
    assert!(matches!(&out.results[2], NumberResult::Accepted { .. }));
}

/// An engine on a fresh SQLite file with one China Mobile channel, and a signed account.
async fn signed_on_sqlite(
    tag: &str,
) -> (std::path::PathBuf, Arc<SqliteStore>, Arc<Engine>, Vec<(String, DispatchReceiver)>, i64) {
    let dir = std::env::temp_dir().join(format!("hongyan-engine-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = Arc::new(SqliteStore::open(&dir.join("db")).unwrap());
    let spec = ChannelSpec::new("mobile", &[Carrier::ChinaMobile]);
    let (e, rx) = Engine::new(sqlite.clone(), Arc::new(SystemClock), &[spec]).await.unwrap();
    let account = e.create_account("etax").await.unwrap().account.id;
    e.sign_with(account, "某省税务局", "").await.unwrap();
    (dir, sqlite, e, rx, account)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_notice_to_100000_numbers_is_stored_whole_and_queued_whole() {
    let (dir, sqlite, e, mut rx, account) = signed_on_sqlite("bulk").await;
    let numbers: Vec<String> = (0..MAX_RECIPIENTS).map(|i| format!("138{i:08}")).collect();
    let out = e
        .accept(account, SendRequest::new(numbers, "关于个人所得税汇算清缴的提醒", Category::NOTIFICATION))
        .await
        .unwrap();
    assert_eq!(out.results.len(), MAX_RECIPIENTS);
    assert!(out.results.iter().all(|r| matches!(r, NumberResult::Accepted { .. })));
    // Written in pieces (the store's choice), and finished: nothing for a restart to take back.
    assert_eq!(sqlite.undo_unfinished().await.unwrap(), 0);
    let stored = sqlite.count_messages(MessageFilter { account_id: Some(account), ..Default::default() }, u64::MAX);
    assert_eq!(stored.await.unwrap(), MAX_RECIPIENTS as u64);
    let mut queued = 0;
    while rx[0].1.try_recv().is_ok() {
        queued += 1;
    }
    assert_eq!(queued, MAX_RECIPIENTS);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_stops_waiting_midway_does_not_leave_a_request_stored_but_unsent() {
    const NUMBERS: usize = 5_000;
    let (dir, sqlite, e, mut rx, account) = signed_on_sqlite("detached").await;
    let numbers: Vec<String> = (0..NUMBERS).map(|i| format!("138{i:08}")).collect();
    let req = SendRequest::new(numbers, "关于个人所得税汇算清缴的提醒", Category::NOTIFICATION);

    // The caller gives up once the first pieces are committed, as a server drops the handler
    // of a client that hung up.
    let commits = || sqlite.writer_stats().commits.load(Ordering::SeqCst);
    let before = commits();
    let mut accepting = Box::pin(e.accept(account, req));
    let gave_up = loop {
        tokio::select! {
            _ = &mut accepting => break false,
            () = tokio::time::sleep(std::time::Duration::from_millis(1)) => {
                if commits() >= before + 3 {
                    break true;
                }
            }
        }
    };
    assert!(gave_up, "the request was answered before the caller gave up: nothing was tested");
    drop(accepting);

    // Whatever was stored is handed to its channel, all of it.
    let mut queued = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while queued < NUMBERS && std::time::Instant::now() < deadline {
        match tokio::time::timeout(std::time::Duration::from_millis(100), rx[0].1.recv()).await {
            Ok(Some(_)) => queued += 1,
            _ => continue,
        }
    }
    let stored = sqlite.count_messages(MessageFilter { account_id: Some(account), ..Default::default() }, u64::MAX);
    assert_eq!((stored.await.unwrap(), queued), (NUMBERS as u64, NUMBERS), "(stored, queued)");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_and_quiet_hour_messages_wait_for_their_time() {
    let (e, mut rx, store, clock) = engine_with_clock("schedule").await;
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(e.clone().run_scheduler(stop_rx));
    let now = Timestamp::from_millis(clock.0.load(Ordering::SeqCst));
    // Tomorrow 08:00 Beijing time; the clock jumps below must not pass it before the end.
    let tomorrow = Timestamp::parse_rfc3339("2026-11-30T08:00:00+08:00").unwrap();
    let later = SendRequest { send_at: Some(tomorrow), ..req(&["13800138000"], "明日提醒") };
    let out = e.accept(1, later).await.unwrap();
    let NumberResult::Accepted { message_id, .. } = &out.results[0] else { panic!("{out:?}") };
    assert_eq!(store.get_message(1, *message_id).await.unwrap().unwrap().message.send_at, Some(tomorrow));
    assert!(rx[0].1.try_recv().is_err(), "held, not queued");
    assert_eq!(e.held_count(), 1);
    let too_far = SendRequest { send_at: Some(now.plus_millis(31 * 24 * 3600 * 1000)), ..req(&["13800138000"], "x") };
    assert!(matches!(e.accept(1, too_far).await, Err(AcceptError::SendAtTooFar)));

    // Marketing at 23:00 Beijing time waits for 08:00; other categories do not.
    e.set_quiet_hours(hongyan_types::QuietHours::parse("21:00-08:00"));
    let night = Timestamp::parse_rfc3339("2026-11-29T23:00:00+08:00").unwrap();
    clock.0.store(night.as_millis(), Ordering::SeqCst);
    let promo =
        e.accept(1, SendRequest { category: Category::MARKETING, ..req(&["13900139000"], "优惠") }).await.unwrap();
    let NumberResult::Accepted { message_id: promo_id, .. } = &promo.results[0] else { panic!() };
    let held = store.get_message(1, *promo_id).await.unwrap().unwrap().message.send_at;
    assert_eq!(held, Timestamp::parse_rfc3339("2026-11-30T08:00:00+08:00"));
    e.accept(1, req(&["13700137000"], "通知")).await.unwrap();
    let first = tokio::time::timeout(std::time::Duration::from_secs(2), rx[0].1.recv()).await.unwrap().unwrap();
    assert_eq!(first.message.to, "13700137000", "a notice goes at once");

    // Time passes: both held messages are released, in time order.
    clock.0.store(Timestamp::parse_rfc3339("2026-11-30T08:00:01+08:00").unwrap().as_millis(), Ordering::SeqCst);
    let a = tokio::time::timeout(std::time::Duration::from_secs(2), rx[0].1.recv()).await.unwrap().unwrap();
    let b = tokio::time::timeout(std::time::Duration::from_secs(2), rx[0].1.recv()).await.unwrap().unwrap();
    assert_eq!((a.message.id, b.message.id), (*message_id, *promo_id));
    assert_eq!(e.held_count(), 0);
}

#[tokio::test]
async fn a_personalised_batch_renders_each_number() {
    let (e, _rx, store) = engine("personal").await;
    let tpl = e
        .add_template(8, "tax", "尊敬的${name}：您${month}月应缴税款${amount}元。", Category::NOTIFICATION)
        .await
        .unwrap();
    store.decide_template(tpl.id, hongyan_store::SignatureStatus::Approved, Timestamp::from_millis(1)).await.unwrap();
    let params = |name: &str, amount: &str| -> std::collections::BTreeMap<String, String> {
        [("name", name), ("amount", amount)].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let batch = SendRequest {
        template: Some(TemplateRef { id: tpl.id, params: [("month".to_owned(), "11".to_owned())].into() }),
        personal: vec![params("张三", "1,200"), params("【李四】", "300"), params("王五", "80")],
        ..req(&["13800138000", "13900139000", "13700137000"], "")
    };
    let out = e.accept(8, batch).await.unwrap();
    let id = |r: &NumberResult| match r {
        NumberResult::Accepted { message_id, .. } => *message_id,
        other => panic!("{other:?}"),
    };
    let content = |m: Option<hongyan_store::MessageDetail>| m.unwrap().message.content.to_string();
    assert_eq!(
        content(store.get_message(8, id(&out.results[0])).await.unwrap()),
        "【某省税务局】尊敬的张三：您11月应缴税款1,200元。"
    );
    assert!(
        matches!(&out.results[1], NumberResult::Rejected { code: "invalid_params", .. }),
        "only this number is refused"
    );
    assert_eq!(
        content(store.get_message(8, id(&out.results[2])).await.unwrap()),
        "【某省税务局】尊敬的王五：您11月应缴税款80元。"
    );
    let uneven = SendRequest {
        template: Some(TemplateRef { id: tpl.id, params: Default::default() }),
        personal: vec![params("a", "1")],
        ..req(&["13800138000", "13900139000"], "")
    };
    assert!(matches!(e.accept(8, uneven).await, Err(AcceptError::BadPersonalisation)));
}

#[tokio::test]
async fn a_td_reply_stops_marketing_but_not_notices() {
    let (e, _rx, _store) = engine("mo").await;
    let shop = e.create_account("marketing-desk").await.unwrap().account.id;
    e.sign_with(shop, "办税服务厅", "88").await.unwrap();
    let reply = |from: &str, extension: Option<&str>, text: &str| MoIn {
        channel: "mobile".into(),
        from: from.into(),
        to: format!("1065{}", extension.unwrap_or_default()),
        extension: extension.map(str::to_owned),
        text: text.into(),
    };
    assert_eq!(
        e.mo(reply("8613800138000", Some("88"), "你好")).await.unwrap(),
        MoOutcome::Forwarded { account_id: shop }
    );
    // Accounts 1 to 8 all sign without an extension: a TD to the bare number names no one.
    assert_eq!(e.mo(reply("13800138000", Some(""), "TD")).await.unwrap(), MoOutcome::Unattributed);
    assert_eq!(e.mo(reply("13800138000", None, "TD")).await.unwrap(), MoOutcome::Unattributed);
    assert_eq!(
        e.mo(reply("+8613800138000", Some("88"), " 退订。")).await.unwrap(),
        MoOutcome::Unsubscribed { account_id: shop, number: "13800138000".into() }
    );
    let marketing =
        SendRequest { category: Category::MARKETING, ..req(&["13800138000", "13900139000"], "新功能上线") };
    let out = e.accept(shop, marketing.clone()).await.unwrap();
    let codes: Vec<Option<&str>> = out.results.iter().map(rejected_code).collect();
    assert_eq!(codes, [Some("unsubscribed"), None]);
    let out = e.accept(shop, req(&["13800138000"], "您的申报已受理")).await.unwrap();
    assert!(rejected_code(&out.results[0]).is_none(), "notices still reach the number");
    let out = e.accept(1, marketing).await.unwrap();
    assert!(rejected_code(&out.results[0]).is_none(), "another account's marketing is not affected");
}

mod alerts;
mod clients;
mod reports;
mod retention;
mod users;
