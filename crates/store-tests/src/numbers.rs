//! What is known of numbers, for any backend that keeps it: the account's and the global
//! blacklist, marketing unsubscribes, numbers ported to another network, and which accounts a
//! reply's extension code belongs to. The caller creates accounts `a` and `b` and gives `a`
//! an approved signature with extension `a_extension`.

use hongyan_store::{BlacklistEntry, Carrier, NumberStore};

use crate::t;

fn entry(account_id: Option<i64>, number: &str, reason: &str) -> BlacklistEntry {
    BlacklistEntry { account_id, number: number.into(), reason: reason.into(), created_at: t(0) }
}

/// Runs the numbers part of the story.
pub async fn numbers_story(store: &dyn NumberStore, a: i64, b: i64, a_extension: &str) {
    blacklists(store, a, b).await;
    unsubscribes(store, a, b).await;
    portability(store).await;
    assert_eq!(store.accounts_with_extension(a_extension).await.unwrap(), [a]);
    assert!(store.accounts_with_extension("9999").await.unwrap().is_empty());
}

async fn blacklists(store: &dyn NumberStore, a: i64, b: i64) {
    store.blacklist_add(entry(Some(a), "13800138000", "投诉")).await.unwrap();
    store.blacklist_add(entry(None, "13900139000", "全局")).await.unwrap();
    store.blacklist_add(entry(Some(a), "13800138000", "再次投诉")).await.unwrap();
    assert_eq!(
        store.blacklist_list(Some(a)).await.unwrap(),
        [entry(Some(a), "13800138000", "再次投诉")],
        "one entry, the new reason"
    );
    assert_eq!(store.blacklist_list(None).await.unwrap(), [entry(None, "13900139000", "全局")]);
    assert!(store.blacklist_list(Some(b)).await.unwrap().is_empty());

    let asked = vec!["13800138000".to_owned(), "13900139000".to_owned(), "13700137000".to_owned()];
    let mut stopped: Vec<String> =
        store.blacklisted(a, asked.clone()).await.unwrap().into_iter().map(|e| e.number).collect();
    stopped.sort();
    assert_eq!(stopped, ["13800138000", "13900139000"], "the account's own list and the global one");
    let for_b: Vec<String> = store.blacklisted(b, asked).await.unwrap().into_iter().map(|e| e.number).collect();
    assert_eq!(for_b, ["13900139000"], "only the global list stops b");

    assert!(store.blacklist_remove(Some(a), "13800138000").await.unwrap());
    assert!(!store.blacklist_remove(Some(a), "13800138000").await.unwrap(), "already gone");
    assert!(!store.blacklist_remove(Some(b), "13900139000").await.unwrap(), "b cannot remove a global entry");
    assert!(store.blacklisted(a, vec!["13800138000".into()]).await.unwrap().is_empty());
}

async fn unsubscribes(store: &dyn NumberStore, a: i64, b: i64) {
    store.unsubscribe(a, "13800138000", "TD", t(10)).await.unwrap();
    store.unsubscribe(a, "13800138000", "退订", t(11)).await.expect("repeating it changes nothing");
    let asked = vec!["13800138000".to_owned(), "13900139000".to_owned()];
    assert_eq!(store.unsubscribed(a, asked.clone()).await.unwrap(), ["13800138000"]);
    assert!(store.unsubscribed(b, asked).await.unwrap().is_empty(), "from a's marketing only");
}

async fn portability(store: &dyn NumberStore) {
    let entries =
        vec![("13800138000".to_owned(), Carrier::ChinaUnicom), ("13900139000".to_owned(), Carrier::ChinaTelecom)];
    assert_eq!(store.import_ported(entries, t(20)).await.unwrap(), 2);
    let moved = vec![("13800138000".to_owned(), Carrier::ChinaTelecom)];
    store.import_ported(moved, t(21)).await.unwrap();
    let asked = vec!["13800138000".to_owned(), "13900139000".to_owned(), "13700137000".to_owned()];
    let mut found = store.ported(asked.clone()).await.unwrap();
    found.sort();
    assert_eq!(
        found,
        [("13800138000".to_owned(), Carrier::ChinaTelecom), ("13900139000".to_owned(), Carrier::ChinaTelecom)],
        "the later import replaces the earlier; numbers never ported are absent"
    );
    let facts = store.number_facts(1, asked, true).await.unwrap();
    assert_eq!(facts.ported.len(), 2);
}
