//! Signatures: the 【…】 the platform adds to every message, chosen by category.
//!
//! The account's approved default signature for the request's category goes before the
//! content (or after it, if the account says so). Content that already carries that signature
//! at either end is left as it is; content that carries a different one is refused, so a client
//! cannot send in another organisation's name. Rules are cached per account for
//! [`RULES_TTL_MS`], so a change by an administrator takes effect within that time.

use hongyan_store::{Signature, SignatureStatus, SigningRules, StoreError};
use hongyan_types::Category;

use crate::{AcceptError, Engine};

/// How long an account's signing rules are used without asking the store again.
pub(crate) const RULES_TTL_MS: i64 = 10_000;

/// Each account's signing rules, fresh for [`RULES_TTL_MS`].
pub(crate) type RulesCache = crate::cache::TtlCache<i64, SigningRules>;

/// What a message would look like once signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The final text, signature included.
    pub text: String,
    /// Its length in characters.
    pub chars: usize,
    /// How many segments it takes.
    pub segments: usize,
}

/// The signature at the start or the end of `content`, without brackets.
fn carried(content: &str) -> Option<&str> {
    if let Some(rest) = content.strip_prefix('【') {
        return rest.split_once('】').map(|(sig, _)| sig);
    }
    let body = content.strip_suffix('】')?;
    body.rfind('【').map(|i| &body[i + '【'.len_utf8()..])
}

/// The account's default signature for `category`, or else for its kind's own category, so a
/// category added to the configuration signs with what the account already has until an
/// administrator gives it its own.
fn default_for(rules: &SigningRules, category: Category) -> Option<&Signature> {
    let find = |want: Category| rules.defaults.iter().find(|(c, _)| *c == want).map(|(_, s)| s);
    find(category).or_else(|| find(Category::of_kind(category.kind())))
}

/// Signs `content` for `category`: returns the text to send and the extension code.
pub(crate) fn apply(content: &str, category: Category, rules: &SigningRules) -> Result<(String, String), AcceptError> {
    let sig = default_for(rules, category).ok_or(AcceptError::NoSignature(category))?;
    let content = content.trim();
    match carried(content) {
        Some(found) if found == sig.text => Ok((content.to_owned(), sig.extension.clone())),
        Some(found) => Err(AcceptError::SignatureMismatch { found: found.to_owned(), expected: sig.text.clone() }),
        None if rules.suffix => Ok((format!("{content}【{}】", sig.text), sig.extension.clone())),
        None => Ok((format!("【{}】{content}", sig.text), sig.extension.clone())),
    }
}

impl Engine {
    /// The account's signing rules, from the cache when fresh.
    pub(crate) async fn signing_rules(&self, account_id: i64) -> Result<SigningRules, StoreError> {
        let now = self.clock.now();
        if let Some(rules) = self.rules.get(&account_id, now) {
            return Ok(rules);
        }
        let rules = self.store.signing_rules(account_id).await?;
        self.rules.put(account_id, rules.clone(), now);
        Ok(rules)
    }

    /// Makes the account's next request read its signing rules again (after an administrator
    /// changed a signature through this engine).
    pub fn forget_signing_rules(&self, account_id: i64) {
        self.rules.forget(&account_id);
    }

    /// The text a message would carry once signed, with its length in characters and in
    /// segments: the console's live preview, by the same rule `accept` applies.
    pub async fn preview(&self, account_id: i64, content: &str, category: Category) -> Result<Preview, AcceptError> {
        let rules = self.signing_rules(account_id).await?;
        let (text, _) = apply(content, category, &rules)?;
        Ok(Preview { chars: text.chars().count(), segments: hongyan_text::count_segments(&text), text })
    }

    /// Makes every account read its signing rules again (a decision on a signature whose
    /// account is not at hand).
    pub(crate) fn forget_all_signing_rules(&self) {
        self.rules.clear();
    }

    /// Gives an account an approved signature as its default for every category (what
    /// `hongyan account create --signature` does; finer control is the administrators').
    pub async fn sign_with(&self, account_id: i64, text: &str, extension: &str) -> Result<Signature, StoreError> {
        let now = self.clock.now();
        let sig = self.store.add_signature(account_id, text, extension, now).await?;
        self.store.decide_signature(sig.id, SignatureStatus::Approved, now).await?;
        for c in self.categories().iter().map(|d| d.category) {
            self.store.set_default_signature(account_id, c, sig.id).await?;
        }
        self.rules.forget(&account_id);
        Ok(Signature { status: SignatureStatus::Approved, ..sig })
    }
}

#[cfg(test)]
mod tests {
    use hongyan_store::Timestamp;

    use super::*;

    fn rules(suffix: bool) -> SigningRules {
        let sig = Signature {
            id: 1,
            account_id: 1,
            text: "某省税务局".into(),
            extension: "01".into(),
            status: SignatureStatus::Approved,
            created_at: Timestamp::from_millis(0),
        };
        SigningRules { defaults: vec![(Category::VERIFICATION, sig)], suffix, free_text: true }
    }

    #[test]
    fn adds_the_category_signature_once() {
        let r = rules(false);
        assert_eq!(
            apply(" 您的验证码是1234 ", Category::VERIFICATION, &r).unwrap(),
            ("【某省税务局】您的验证码是1234".into(), "01".into())
        );
        assert_eq!(
            apply("【某省税务局】验证码1234", Category::VERIFICATION, &r).unwrap().0,
            "【某省税务局】验证码1234"
        );
        assert_eq!(
            apply("验证码1234【某省税务局】", Category::VERIFICATION, &r).unwrap().0,
            "验证码1234【某省税务局】"
        );
        assert_eq!(apply("验证码1234", Category::VERIFICATION, &rules(true)).unwrap().0, "验证码1234【某省税务局】");
    }

    #[test]
    fn refuses_another_signature_or_none() {
        let r = rules(false);
        assert!(matches!(
            apply("【某银行】验证码1234", Category::VERIFICATION, &r),
            Err(AcceptError::SignatureMismatch { found, .. }) if found == "某银行"
        ));
        assert!(matches!(
            apply("验证码【别家】", Category::VERIFICATION, &r),
            Err(AcceptError::SignatureMismatch { .. })
        ));
        assert!(
            matches!(apply("通知", Category::MARKETING, &r), Err(AcceptError::NoSignature(c)) if c == Category::MARKETING)
        );
    }

    #[test]
    fn a_configured_category_falls_back_to_its_kinds_signature_until_it_has_its_own() {
        let otp = Category::new("login_code", hongyan_types::CategoryKind::Verification).unwrap();
        let mut r = rules(false);
        assert_eq!(apply("验证码1234", otp, &r).unwrap().0, "【某省税务局】验证码1234");
        let own = Signature { text: "电子税务局".into(), ..r.defaults[0].1.clone() };
        r.defaults.push((otp, own));
        assert_eq!(apply("验证码1234", otp, &r).unwrap().0, "【电子税务局】验证码1234");
        let tax = Category::new("tax_notice", hongyan_types::CategoryKind::Notification).unwrap();
        assert!(matches!(apply("通知", tax, &r), Err(AcceptError::NoSignature(c)) if c == tax));
    }
}
