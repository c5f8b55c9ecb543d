//! What a message may say, for any backend that keeps it: signatures approved before use and
//! made an account's defaults, templates reviewed the same way, and the reasons given with a
//! refusal. The caller creates the two accounts first.

use hongyan_store::{Category, ContentStore, SignatureStatus, StoreError};

use crate::t;

/// Runs the content part of the story for accounts `a` and `b`.
pub async fn content_story(store: &dyn ContentStore, a: i64, b: i64) {
    signatures(store, a, b).await;
    templates(store, a, b).await;
}

async fn signatures(store: &dyn ContentStore, a: i64, b: i64) {
    let sig = store.add_signature(a, "某省税务局", "01", t(0)).await.unwrap();
    assert_eq!((sig.account_id, sig.text.as_str(), sig.extension.as_str()), (a, "某省税务局", "01"));
    assert_eq!((sig.status, sig.created_at), (SignatureStatus::Pending, t(0)));
    let again = store.add_signature(a, "某省税务局", "", t(1)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "unique per account: {again:?}");
    store.add_signature(b, "某省税务局", "", t(1)).await.expect("another account may use the same text");
    assert!(!store.set_default_signature(a, Category::VERIFICATION, sig.id).await.unwrap(), "pending is no default");
    assert!(store.decide_signature(sig.id, SignatureStatus::Approved, t(2)).await.unwrap());
    assert!(!store.set_default_signature(b, Category::VERIFICATION, sig.id).await.unwrap(), "not b's signature");
    assert!(store.set_default_signature(a, Category::VERIFICATION, sig.id).await.unwrap());
    let rules = store.signing_rules(a).await.unwrap();
    let defaults: Vec<(Category, &str, &str)> =
        rules.defaults.iter().map(|(c, s)| (*c, s.text.as_str(), s.extension.as_str())).collect();
    assert_eq!(defaults, [(Category::VERIFICATION, "某省税务局", "01")]);
    assert_eq!(rules.defaults[0].1.status, SignatureStatus::Approved);
    assert!(!rules.suffix, "before the content unless set");
    store.set_signature_suffix(a, true).await.unwrap();
    assert!(store.signing_rules(a).await.unwrap().suffix);
    assert!(!store.signing_rules(b).await.unwrap().suffix, "per account");
    let listed = store.list_signatures(a).await.unwrap();
    assert_eq!(listed.iter().map(|s| (s.id, s.status)).collect::<Vec<_>>(), [(sig.id, SignatureStatus::Approved)]);

    // Revoking an approval removes it as a default; the reason is kept, then forgotten.
    assert!(store.decide_signature(sig.id, SignatureStatus::Rejected, t(3)).await.unwrap());
    assert!(store.signing_rules(a).await.unwrap().defaults.is_empty());
    store.set_review_note("signature", sig.id, Some("与单位名称不符".into()), t(3)).await.unwrap();
    assert_eq!(store.review_notes(a).await.unwrap(), [("signature".to_owned(), sig.id, "与单位名称不符".to_owned())]);
    assert!(store.review_notes(b).await.unwrap().is_empty(), "another account's notes are its own");
    store.set_review_note("signature", sig.id, Some("请补充证明材料".into()), t(4)).await.unwrap();
    assert_eq!(store.review_notes(a).await.unwrap()[0].2, "请补充证明材料", "the latest reason");
    store.set_review_note("signature", sig.id, None, t(5)).await.unwrap();
    assert!(store.review_notes(a).await.unwrap().is_empty(), "an approval forgets the reason");
    assert!(!store.decide_signature(9_999, SignatureStatus::Approved, t(3)).await.unwrap());
}

async fn templates(store: &dyn ContentStore, a: i64, b: i64) {
    let body = "您的验证码是{code}，5分钟内有效";
    let tpl = store.add_template(a, "验证码", body, Category::VERIFICATION, t(10)).await.unwrap();
    assert_eq!((tpl.account_id, tpl.name.as_str(), tpl.body.as_str()), (a, "验证码", body));
    assert_eq!((tpl.category, tpl.status, tpl.created_at), (Category::VERIFICATION, SignatureStatus::Pending, t(10)));
    let taken = store.add_template(a, "验证码", "别的", Category::NOTIFICATION, t(11)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "names are unique per account: {taken:?}");
    let notice = store.add_template(a, "申报提醒", "请于{day}前申报", Category::NOTIFICATION, t(12)).await.unwrap();
    assert!(store.decide_template(tpl.id, SignatureStatus::Approved, t(13)).await.unwrap());
    assert!(!store.decide_template(9_999, SignatureStatus::Approved, t(13)).await.unwrap());
    let got = store.get_template(a, tpl.id).await.unwrap().expect("a's template");
    assert_eq!(got.status, SignatureStatus::Approved);
    assert_eq!(store.get_template(b, tpl.id).await.unwrap(), None, "not b's");
    let listed: Vec<i64> = store.list_templates(a).await.unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(listed, [tpl.id, notice.id], "in the order they were added");
    assert!(store.list_templates(b).await.unwrap().is_empty());
    store.set_review_note("template", notice.id, Some("含营销内容".into()), t(14)).await.unwrap();
    assert_eq!(store.review_notes(a).await.unwrap(), [("template".to_owned(), notice.id, "含营销内容".to_owned())]);
}
