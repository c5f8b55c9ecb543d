//! An account's rights and limits as administrators see and change them, and the lists they
//! keep (blacklists, default signatures): validated here once for the API, the console and
//! the CLI, applied, audited, and the caches that hold the old values dropped.

use hongyan_store::{Carrier, Category, Cidr, Money, PriceRule, PriceTable, Rights};
use serde_json::{json, Value};

use super::{invalid, Actor, AdminError};
use crate::rights::{INTERFACES, OPERATIONS};
use crate::Engine;

/// Largest rate an account may be given (messages a second).
pub const MAX_RATE: u32 = 100_000;
/// Largest daily or monthly quota (billing segments).
pub const MAX_QUOTA: u64 = 1_000_000_000_000;
/// Largest verification limit to one number (per minute, hour or day).
pub const MAX_PER_NUMBER: u32 = 10_000;
/// Most price rules: three networks × a handful of categories, with room.
pub const MAX_PRICE_RULES: usize = 64;

/// Everything an administrator sets about an account, as it is now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RightsView {
    /// Interfaces, operations, categories, address ranges and prices (`None`: no restriction).
    pub rights: Rights,
    /// Free text allowed (not only approved templates).
    pub free_text: bool,
    /// Requests may name their own callback URL.
    pub callback_per_request: bool,
    /// Messages a second.
    pub rate: Option<u32>,
    /// Billing segments a Beijing day.
    pub daily_quota: Option<u64>,
    /// Billing segments a Beijing month.
    pub monthly_quota: Option<u64>,
    /// Verification messages to one number a minute, an hour, a day (`None`: the default;
    /// 0: no limit).
    pub verification_limits: [Option<u32>; 3],
}

impl RightsView {
    /// The JSON shape the API answers with and the audit log records.
    pub fn to_json(&self) -> Value {
        let r = &self.rights;
        json!({
            "interfaces": r.interfaces, "operations": r.operations, "categories": r.categories,
            "ip_allow": r.ip_allow.as_ref().map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>()),
            "free_text": self.free_text, "callback_per_request": self.callback_per_request,
            "rate": self.rate, "daily_quota": self.daily_quota, "monthly_quota": self.monthly_quota,
            "verification_per_minute": self.verification_limits[0], "verification_per_hour": self.verification_limits[1],
            "verification_per_day": self.verification_limits[2],
            "prices": r.prices.as_ref().map(prices_json),
        })
    }
}

fn prices_json(t: &PriceTable) -> Value {
    let rules: Vec<Value> = t
        .0
        .iter()
        .map(|r| json!({ "carrier": r.carrier.map(Carrier::as_str), "category": r.category, "price": r.price.to_string() }))
        .collect();
    Value::Array(rules)
}

/// A price rule as written: carrier and category may be left out ("any").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceInput {
    /// `china_mobile`, …, or any.
    pub carrier: Option<String>,
    /// A configured category, or any.
    pub category: Option<String>,
    /// Yuan per segment, up to four decimals.
    pub price: String,
}

/// What to change: `None` leaves a field as it is; `Some(None)` lifts a restriction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RightsChange {
    /// Interfaces: `http`, `smpp`, `cmpp`.
    pub interfaces: Option<Option<Vec<String>>>,
    /// Operations: `send`, `query`, `reports`, `templates`.
    pub operations: Option<Option<Vec<String>>>,
    /// Configured category names.
    pub categories: Option<Option<Vec<String>>>,
    /// Address ranges such as `10.1.0.0/16`.
    pub ip_allow: Option<Option<Vec<String>>>,
    /// Free text.
    pub free_text: Option<bool>,
    /// Per-request callback URLs.
    pub callback_per_request: Option<bool>,
    /// Messages a second.
    pub rate: Option<Option<u32>>,
    /// Segments a day.
    pub daily_quota: Option<Option<u64>>,
    /// Segments a month.
    pub monthly_quota: Option<Option<u64>>,
    /// The price table.
    pub prices: Option<Option<Vec<PriceInput>>>,
    /// Verification messages to one number a minute, an hour, a day.
    pub verification_limits: [Option<Option<u32>>; 3],
}

fn subset(field: &str, v: &Option<Option<Vec<String>>>, allowed: &[&str]) -> Result<(), AdminError> {
    match v {
        Some(Some(items)) if items.iter().any(|i| !allowed.contains(&i.as_str())) => {
            Err(invalid(format!("{field} are among: {}", allowed.join(", "))))
        }
        _ => Ok(()),
    }
}

fn price_table(rules: &[PriceInput], categories: &[&str]) -> Result<PriceTable, AdminError> {
    if rules.len() > MAX_PRICE_RULES {
        return Err(invalid(format!("prices has at most {MAX_PRICE_RULES} rules")));
    }
    let mut table = PriceTable::default();
    for r in rules {
        let carrier = match r.carrier.as_deref() {
            None => None,
            Some(c) => Some(Carrier::parse(c).ok_or_else(|| {
                invalid(format!("prices: `{c}` is not china_mobile, china_unicom, china_telecom or china_broadnet"))
            })?),
        };
        if let Some(c) = r.category.as_deref().filter(|c| !categories.contains(c)) {
            return Err(invalid(format!("prices: `{c}` is not a category (one of: {})", categories.join(", "))));
        }
        let price = Money::parse_price(&r.price).map_err(|e| invalid(format!("prices: {e}")))?;
        table.0.push(PriceRule { carrier, category: r.category.clone(), price });
    }
    if let Some(d) = table.duplicate() {
        let any = |v: Option<&str>| v.unwrap_or("any").to_owned();
        let (carrier, category) = (any(d.carrier.map(Carrier::as_str)), any(d.category.as_deref()));
        return Err(invalid(format!("prices: two rules for carrier {carrier} and category {category}")));
    }
    Ok(table)
}

fn ranges(list: &Option<Option<Vec<String>>>) -> Result<Option<Option<Vec<Cidr>>>, AdminError> {
    Ok(match list {
        Some(Some(list)) => Some(Some(
            list.iter().map(|c| Cidr::parse(c)).collect::<Result<Vec<_>, _>>().map_err(|e| invalid(e.to_string()))?,
        )),
        Some(None) => Some(None),
        None => None,
    })
}

/// Replaces `field` when a change was given.
fn set<T>(field: &mut T, change: Option<T>) {
    if let Some(v) = change {
        *field = v;
    }
}

impl Engine {
    /// An account's rights and limits as they are now.
    pub async fn rights_view(&self, account_id: i64) -> Result<RightsView, AdminError> {
        self.live_account(account_id).await?;
        let limits = self.store.account_limits(account_id).await?;
        Ok(RightsView {
            rights: self.store.account_rights(account_id).await?,
            free_text: self.store.free_text_allowed(account_id).await?,
            callback_per_request: self.store.callback_per_request(account_id).await?,
            rate: limits.rate,
            daily_quota: limits.daily_quota,
            monthly_quota: limits.monthly_quota,
            verification_limits: [
                limits.verification_per_minute,
                limits.verification_per_hour,
                limits.verification_per_day,
            ],
        })
    }

    /// Changes what an account may do; enforced on HTTP, SMPP and CMPP from the next call.
    pub async fn admin_set_rights(&self, actor: &Actor, id: i64, c: RightsChange) -> Result<RightsView, AdminError> {
        actor.require_admin()?;
        let before = self.rights_view(id).await?;
        let too_big = |v: Option<Option<u64>>, max: u64| v.flatten().is_some_and(|n| n > max);
        if too_big(c.rate.map(|r| r.map(u64::from)), u64::from(MAX_RATE))
            || too_big(c.daily_quota, MAX_QUOTA)
            || too_big(c.monthly_quota, MAX_QUOTA)
        {
            return Err(invalid(format!("rate is at most {MAX_RATE} a second, quotas at most {MAX_QUOTA} segments")));
        }
        if c.verification_limits.iter().any(|v| v.flatten().is_some_and(|n| n > MAX_PER_NUMBER)) {
            return Err(invalid(format!("a verification limit is at most {MAX_PER_NUMBER} messages to one number")));
        }
        subset("interfaces", &c.interfaces, &INTERFACES)?;
        subset("operations", &c.operations, &OPERATIONS)?;
        let names: Vec<String> = self.categories().iter().map(|d| d.category.name().to_owned()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        subset("categories", &c.categories, &names)?;
        let prices = match &c.prices {
            Some(Some(rules)) => Some(Some(price_table(rules, &names)?)),
            Some(None) => Some(None),
            None => None,
        };
        let ip_allow = ranges(&c.ip_allow)?;
        let mut r = before.rights.clone();
        set(&mut r.interfaces, c.interfaces);
        set(&mut r.operations, c.operations);
        set(&mut r.categories, c.categories);
        set(&mut r.ip_allow, ip_allow);
        set(&mut r.prices, prices);
        self.set_rights(id, r).await?;
        if let Some(v) = c.free_text {
            self.store.set_free_text(id, v).await?;
        }
        if let Some(v) = c.callback_per_request {
            self.store.set_callback_per_request(id, v).await?;
        }
        let [per_minute, per_hour, per_day] = c.verification_limits;
        if c.rate.is_some()
            || c.daily_quota.is_some()
            || c.monthly_quota.is_some()
            || c.verification_limits != [None; 3]
        {
            let mut limits = self.store.account_limits(id).await?;
            set(&mut limits.rate, c.rate);
            set(&mut limits.daily_quota, c.daily_quota);
            set(&mut limits.monthly_quota, c.monthly_quota);
            set(&mut limits.verification_per_minute, per_minute);
            set(&mut limits.verification_per_hour, per_hour);
            set(&mut limits.verification_per_day, per_day);
            self.store.set_account_limits(id, limits).await?;
            self.forget_account_limits(id);
        }
        let after = self.rights_view(id).await?;
        let change = (Some(before.to_json()), Some(after.to_json()));
        self.audit_change(actor, "account.rights", &format!("account:{id}"), change).await?;
        Ok(after)
    }

    /// Puts an account's signatures before (`false`) or after (`true`) the content.
    pub async fn admin_set_signature_position(&self, actor: &Actor, id: i64, suffix: bool) -> Result<(), AdminError> {
        actor.require_admin()?;
        self.live_account(id).await?;
        self.store.set_signature_suffix(id, suffix).await?;
        self.forget_signing_rules(id);
        let after = json!({ "position": if suffix { "suffix" } else { "prefix" } });
        self.audit_change(actor, "signature.position", &format!("account:{id}"), (None, Some(after))).await?;
        Ok(())
    }

    /// Opens an SMPP or CMPP login for an account; its secret is in the answer only. Its
    /// submits that name no category take `default` (notification when `None`).
    pub async fn admin_create_client_login(
        &self,
        actor: &Actor,
        id: i64,
        protocol: &str,
        login: String,
        secret_len: usize,
        default: Option<Category>,
    ) -> Result<hongyan_store::ClientLogin, AdminError> {
        actor.require_admin()?;
        self.live_account(id).await?;
        let made = self.create_client_login_in(id, protocol, login.clone(), secret_len, default).await.map_err(
            |e| match e {
                hongyan_store::StoreError::Conflict(_) => AdminError::Conflict {
                    code: "name_taken",
                    message: format!("the {protocol} login `{login}` is taken"),
                },
                e => e.into(),
            },
        )?;
        let after = json!({ "protocol": protocol, "login": made.login, "default_category": made.default_category });
        self.audit_change(actor, "client_login.create", &format!("account:{id}"), (None, Some(after))).await?;
        Ok(made)
    }

    /// Changes the category an account's SMPP or CMPP login's submits take when they name
    /// none; `None` goes back to notification. Takes effect at the client's next bind.
    pub async fn admin_set_client_login_category(
        &self,
        actor: &Actor,
        id: i64,
        protocol: &str,
        login: &str,
        default: Option<Category>,
    ) -> Result<(), AdminError> {
        actor.require_admin()?;
        self.live_account(id).await?;
        let name = default.map(|c| c.name().to_owned());
        if !self.store.set_client_login_category(id, protocol, login, name.clone()).await? {
            return Err(AdminError::NotFound(format!("account {id} has no {protocol} login `{login}`")));
        }
        let after = json!({ "protocol": protocol, "login": login, "default_category": name });
        self.audit_change(actor, "client_login.category", &format!("account:{id}"), (None, Some(after))).await?;
        Ok(())
    }

    /// Makes an approved signature the account's default for one category, or for every
    /// configured one.
    pub async fn admin_set_default_signature(
        &self,
        actor: &Actor,
        id: i64,
        signature_id: i64,
        category: Option<Category>,
    ) -> Result<(), AdminError> {
        actor.require_admin()?;
        let categories = match category {
            Some(c) => vec![c],
            None => self.categories().iter().map(|d| d.category).collect(),
        };
        for c in &categories {
            if !self.store.set_default_signature(id, *c, signature_id).await? {
                return Err(AdminError::Invalid {
                    code: "signature_not_approved",
                    message: "that is not an approved signature of this account".into(),
                });
            }
        }
        self.forget_signing_rules(id);
        let names: Vec<&str> = categories.iter().map(|c| c.name()).collect();
        let after = json!({ "signature_id": signature_id, "categories": names });
        self.audit_change(actor, "signature.default", &format!("account:{id}"), (None, Some(after))).await?;
        Ok(())
    }
}
