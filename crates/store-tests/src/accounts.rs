//! The interface accounts' part of the story, for any backend that keeps them: accounts and
//! their life, keys and signed requests' nonces, rights and prices, limits, callbacks, the
//! free-text right, and the logins of the SMPP and CMPP servers.

use hongyan_store::{
    AccountLimits, AccountPatch, AccountStore, ApiKey, Callback, Carrier, Cidr, ClientLogin, Money, PriceRule,
    PriceTable, Rights, StoreError,
};

use crate::t;

fn key(id: &str, account_id: i64, at: i64) -> ApiKey {
    ApiKey {
        key_id: id.into(),
        account_id,
        secret_hash: vec![7; 32],
        created_at: t(at),
        revoked_at: None,
        last_used_at: None,
    }
}

/// Runs the accounts' part of the story.
pub async fn accounts_story(store: &dyn AccountStore) {
    let (a, b) = accounts_and_their_life(store).await;
    keys_and_nonces(store, a, b).await;
    rights_limits_and_callbacks(store, a, b).await;
    client_logins(store, a, b).await;
}

async fn accounts_and_their_life(store: &dyn AccountStore) -> (i64, i64) {
    let a = store.create_account("etax", t(0)).await.expect("create etax");
    let b = store.create_account("interaction", t(1)).await.expect("create interaction");
    assert_ne!(a.id, b.id);
    assert_eq!(
        (a.name.as_str(), a.enabled, a.created_at, a.expires_at, a.deleted_at),
        ("etax", true, t(0), None, None)
    );
    assert!(matches!(store.create_account("etax", t(2)).await, Err(StoreError::Conflict(_))), "names are unique");
    assert_eq!(store.get_account(a.id).await.unwrap(), Some(a.clone()));
    assert_eq!(store.get_account(9_999).await.unwrap(), None);

    let patch = AccountPatch { enabled: Some(false), expires_at: Some(Some(t(86_400_000))) };
    let changed = store.update_account(a.id, patch).await.unwrap().expect("the account exists");
    assert_eq!((changed.enabled, changed.expires_at), (false, Some(t(86_400_000))));
    let back = AccountPatch { enabled: Some(true), expires_at: Some(None) };
    let back = store.update_account(a.id, back).await.unwrap().unwrap();
    assert_eq!((back.enabled, back.expires_at), (true, None), "an expiry can be lifted");
    assert_eq!(store.update_account(9_999, AccountPatch::default()).await.unwrap(), None);

    let gone = store.create_account("closed", t(3)).await.unwrap();
    assert!(store.delete_account(gone.id, t(4)).await.unwrap());
    assert!(!store.delete_account(gone.id, t(5)).await.unwrap(), "already deleted");
    let deleted = store.get_account(gone.id).await.unwrap().expect("its records stay");
    assert_eq!((deleted.enabled, deleted.deleted_at), (false, Some(t(4))));
    let revive = store.update_account(gone.id, AccountPatch { enabled: Some(true), expires_at: None }).await.unwrap();
    assert_eq!(revive.map(|r| r.enabled), Some(false), "a deleted account does not change");
    let names: Vec<String> = store.list_accounts().await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["etax", "interaction", "closed"], "every account, by id");
    (a.id, b.id)
}

async fn keys_and_nonces(store: &dyn AccountStore, a: i64, b: i64) {
    store.create_api_key(key("AKone", a, 10)).await.unwrap();
    store.create_api_key(key("AKtwo", a, 20)).await.unwrap();
    assert!(matches!(store.create_api_key(key("AKone", b, 30)).await, Err(StoreError::Conflict(_))));
    let found = store.find_api_key("AKone").await.unwrap().expect("key found");
    assert_eq!((found.key, found.account.name.as_str()), (key("AKone", a, 10), "etax"));
    assert_eq!(store.find_api_key("AKnone").await.unwrap(), None);

    store.touch_api_key("AKone", t(40)).await.unwrap();
    assert!(store.revoke_api_key(a, "AKtwo", t(50)).await.unwrap());
    assert!(!store.revoke_api_key(a, "AKtwo", t(60)).await.unwrap(), "already revoked");
    assert!(!store.revoke_api_key(b, "AKone", t(60)).await.unwrap(), "not b's key");
    let keys = store.list_api_keys(a).await.unwrap();
    assert_eq!(keys.iter().map(|k| k.key_id.as_str()).collect::<Vec<_>>(), ["AKone", "AKtwo"], "oldest first");
    assert_eq!((keys[0].last_used_at, keys[1].revoked_at), (Some(t(40)), Some(t(50))));
    assert!(store.list_api_keys(b).await.unwrap().is_empty());

    let claim = |key: &'static str, at: i64, forget_before: i64| {
        store.claim_nonce(key, "nonce-0123456789", t(at), t(forget_before))
    };
    assert!(claim("AKone", 0, -600_000).await.unwrap(), "first sight");
    assert!(!claim("AKone", 100_000, -500_000).await.unwrap(), "a replay within the window");
    assert!(claim("AKtwo", 100_000, -500_000).await.unwrap(), "per key");
    assert!(claim("AKone", 700_000, 1).await.unwrap(), "forgotten once older than the window");
    assert!(!claim("AKone", 700_001, 2).await.unwrap(), "and remembered again from then");
}

async fn rights_limits_and_callbacks(store: &dyn AccountStore, a: i64, b: i64) {
    assert_eq!(store.account_rights(a).await.unwrap(), Rights::default(), "no restriction until set");
    let prices = PriceTable(vec![
        PriceRule { carrier: None, category: None, price: Money(450) },
        PriceRule { carrier: Some(Carrier::ChinaMobile), category: Some("验证码".into()), price: Money(380) },
    ]);
    let rights = Rights {
        interfaces: Some(vec!["http".into(), "smpp".into()]),
        operations: Some(vec!["send".into()]),
        categories: Some(vec![]),
        ip_allow: Some(vec![Cidr::parse("10.0.0.0/8").unwrap(), Cidr::parse("192.168.1.7/32").unwrap()]),
        prices: Some(prices),
    };
    store.set_account_rights(a, rights.clone()).await.unwrap();
    assert_eq!(store.account_rights(a).await.unwrap(), rights, "every right and price kept");
    assert_eq!(store.account_rights(b).await.unwrap(), Rights::default(), "per account");
    store.set_account_rights(a, Rights::default()).await.unwrap();
    assert_eq!(store.account_rights(a).await.unwrap(), Rights::default(), "replaced, not merged");

    assert_eq!(store.account_limits(a).await.unwrap(), AccountLimits::default());
    let limits = AccountLimits {
        rate: Some(50),
        daily_quota: Some(1_000),
        monthly_quota: Some(20_000),
        verification_per_minute: Some(1),
        verification_per_hour: Some(5),
        verification_per_day: Some(10),
    };
    store.set_account_limits(a, limits).await.unwrap();
    assert_eq!(store.account_limits(a).await.unwrap(), limits);
    assert_eq!(store.account_limits(b).await.unwrap(), AccountLimits::default(), "per account");

    assert!(store.free_text_allowed(a).await.unwrap(), "free text until withdrawn");
    store.set_free_text(a, false).await.unwrap();
    assert!(!store.free_text_allowed(a).await.unwrap(), "templates only");
    assert!(store.free_text_allowed(b).await.unwrap(), "per account");
    assert!(!store.free_text_allowed(9_999).await.unwrap(), "no account, no right");

    assert_eq!(store.callback(a).await.unwrap(), None);
    let cb = Callback { url: "https://etax.example/hongyan".into(), secret: "cb-secret".into() };
    assert!(store.set_callback(a, Some(cb.clone())).await.unwrap());
    assert_eq!(store.callback(a).await.unwrap(), Some(cb));
    assert!(store.set_callback(a, None).await.unwrap());
    assert_eq!(store.callback(a).await.unwrap(), None, "cleared");
    assert!(!store.set_callback(9_999, None).await.unwrap(), "no such account");
    let kept = Callback { url: "https://b.example/cb".into(), secret: "cb-secret-b".into() };
    assert!(store.set_callback(b, Some(kept.clone())).await.unwrap());
    assert_eq!(store.callback(b).await.unwrap(), Some(kept), "left for a backend's own checks");
    assert!(!store.callback_per_request(a).await.unwrap());
    assert!(store.set_callback_per_request(a, true).await.unwrap());
    assert!(store.callback_per_request(a).await.unwrap());
    assert!(!store.set_callback_per_request(9_999, true).await.unwrap());
}

async fn client_logins(store: &dyn AccountStore, a: i64, b: i64) {
    let login = |protocol: &str, name: &str, account_id| ClientLogin {
        protocol: protocol.into(),
        login: name.into(),
        account_id,
        secret: "s3cret".into(),
        created_at: t(5),
        default_category: None,
    };
    store.create_client_login(login("smpp", "etax01", a)).await.unwrap();
    store.create_client_login(login("cmpp", "etax01", b)).await.expect("the same name on another protocol");
    let taken = store.create_client_login(login("smpp", "etax01", b)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "unique per protocol: {taken:?}");
    let (found, account) = store.find_client_login("smpp", "etax01").await.unwrap().expect("found");
    assert_eq!((found, account.id), (login("smpp", "etax01", a), a));
    assert_eq!(store.find_client_login("smpp", "nobody").await.unwrap(), None);
    assert!(store.set_client_login_category(a, "smpp", "etax01", Some("验证码".into())).await.unwrap());
    assert!(!store.set_client_login_category(b, "smpp", "etax01", None).await.unwrap(), "not b's login");
    let (found, _) = store.find_client_login("smpp", "etax01").await.unwrap().unwrap();
    assert_eq!(found.default_category.as_deref(), Some("验证码"));
}
