//! Message categories: they choose the signature, the priority lane and the limits.
//!
//! The list is configuration (`[[category]]`): a bureau may want `tax_notice` and
//! `invoice_notice` with their own signatures. What the platform's rules need to know about a
//! category is only its [`CategoryKind`] — verification codes get the first lane, frequency
//! limits and digits-only values; marketing gets quiet hours and unsubscribes — so every
//! category names one kind, and the three kinds are also the default list.
//!
//! A [`Category`] is `Copy` (its name is kept inline), because it travels with every message.

use std::fmt;
use std::hash::{Hash, Hasher};

/// What the platform's rules treat a category as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CategoryKind {
    /// 验证码: one-time codes; first lane, frequency limits, digits-only values.
    Verification,
    /// 通知: notices to taxpayers.
    Notification,
    /// 推广: marketing; last lane, quiet hours, unsubscribes.
    Marketing,
}

impl CategoryKind {
    /// Every kind, in priority order.
    pub const ALL: [Self; 3] = [Self::Verification, Self::Notification, Self::Marketing];

    /// The kind's name (also the name of its default category).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Verification => "verification",
            Self::Notification => "notification",
            Self::Marketing => "marketing",
        }
    }

    /// Parses a kind's name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The short code of the kind's default category in SMPP's service_type (5 characters at
    /// most) and CMPP's Service_Id, where `verification` does not fit.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Verification => "VERIF",
            Self::Notification => "NOTIF",
            Self::Marketing => "MKT",
        }
    }

    /// The Chinese label of the kind's default category.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Verification => "验证码",
            Self::Notification => "通知",
            Self::Marketing => "推广",
        }
    }
}

/// The longest category name, in bytes.
pub const MAX_CATEGORY_NAME: usize = 32;

/// The longest short code: SMPP's service_type holds 5 characters and its NUL.
pub const MAX_CATEGORY_CODE: usize = 5;

/// Whether `code` can be a category's short code: 1 to [`MAX_CATEGORY_CODE`] ASCII letters
/// and digits (compared without regard to case).
pub fn valid_category_code(code: &str) -> bool {
    (1..=MAX_CATEGORY_CODE).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// A category: a name from the configured list, and its kind.
///
/// Two categories are equal when their names are: a name means one category, and a change of
/// its kind in the configuration must not orphan the signatures and templates filed under it.
#[derive(Clone, Copy)]
pub struct Category {
    name: [u8; MAX_CATEGORY_NAME],
    len: u8,
    kind: CategoryKind,
}

/// A category name that is not in the list, or not a valid name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown category `{name}` (expected one of: {known})")]
pub struct UnknownCategory {
    /// The name given.
    pub name: String,
    /// The configured names, comma-separated.
    pub known: String,
}

/// Why a name cannot be a category name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a category name is 1 to {MAX_CATEGORY_NAME} characters of a-z, 0-9, `_` and `-`")]
pub struct BadCategoryName;

impl Category {
    /// The default verification category.
    pub const VERIFICATION: Self = Self::of_kind(CategoryKind::Verification);
    /// The default notification category.
    pub const NOTIFICATION: Self = Self::of_kind(CategoryKind::Notification);
    /// The default marketing category.
    pub const MARKETING: Self = Self::of_kind(CategoryKind::Marketing);
    /// The default list, in priority order.
    pub const DEFAULTS: [Self; 3] = [Self::VERIFICATION, Self::NOTIFICATION, Self::MARKETING];

    /// The category named after `kind`.
    pub const fn of_kind(kind: CategoryKind) -> Self {
        let src = kind.as_str().as_bytes();
        let mut name = [0u8; MAX_CATEGORY_NAME];
        let mut i = 0;
        while i < src.len() {
            name[i] = src[i];
            i += 1;
        }
        Self { name, len: src.len() as u8, kind }
    }

    /// A category with its own name. A name that is a kind's must be of that kind, so that
    /// `marketing` can never mean anything but marketing.
    pub fn new(name: &str, kind: CategoryKind) -> Result<Self, BadCategoryName> {
        let valid = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-';
        if name.is_empty() || name.len() > MAX_CATEGORY_NAME || !name.bytes().all(valid) {
            return Err(BadCategoryName);
        }
        if CategoryKind::parse(name).is_some_and(|k| k != kind) {
            return Err(BadCategoryName);
        }
        let mut buf = [0u8; MAX_CATEGORY_NAME];
        buf[..name.len()].copy_from_slice(name.as_bytes());
        Ok(Self { name: buf, len: name.len() as u8, kind })
    }

    /// The name used in the API.
    pub fn name(&self) -> &str {
        // Only built from `&str`s whose bytes were checked to be ASCII.
        std::str::from_utf8(&self.name[..usize::from(self.len)]).unwrap_or_default()
    }

    /// What the rules treat it as.
    pub fn kind(&self) -> CategoryKind {
        self.kind
    }

    /// Whether the rules treat it as `kind`.
    pub fn is(&self, kind: CategoryKind) -> bool {
        self.kind == kind
    }

    /// The form kept in the store: the name alone for a kind's own category (as every record
    /// written before the list was configurable has it), `kind:name` otherwise, so that a record
    /// can be read back without the configuration that wrote it.
    pub fn stored(&self) -> String {
        if self.name() == self.kind.as_str() {
            self.name().to_owned()
        } else {
            format!("{}:{}", self.kind.as_str(), self.name())
        }
    }

    /// Reads [`Category::stored`]'s form back.
    pub fn from_stored(s: &str) -> Result<Self, BadCategoryName> {
        match s.split_once(':') {
            Some((kind, name)) => Self::new(name, CategoryKind::parse(kind).ok_or(BadCategoryName)?),
            None => CategoryKind::parse(s).map(Self::of_kind).ok_or(BadCategoryName),
        }
    }
}

impl PartialEq for Category {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Category {}

impl Hash for Category {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl fmt::Debug for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Category({}: {:?})", self.name(), self.kind)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One entry of the configured list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryDef {
    /// The category.
    pub category: Category,
    /// What people see (e.g. 税务通知).
    pub label: String,
    /// The short code SMPP and CMPP clients name it by (upper case), if it has one.
    pub code: Option<String>,
}

impl CategoryDef {
    /// A kind's own category with its default label and code.
    pub fn of_kind(kind: CategoryKind) -> Self {
        Self { category: Category::of_kind(kind), label: kind.label().into(), code: Some(kind.code().into()) }
    }

    /// How an SMPP/CMPP client names it: the code, or the name when it has none.
    fn code_or_name(&self) -> &str {
        self.code.as_deref().unwrap_or(self.category.name())
    }
}

/// The configured list of categories; requests must name one of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Categories(Vec<CategoryDef>);

impl Default for Categories {
    /// Verification, notification and marketing.
    fn default() -> Self {
        Self(CategoryKind::ALL.map(CategoryDef::of_kind).to_vec())
    }
}

impl Categories {
    /// A list; the caller has checked that the names are distinct.
    pub fn new(defs: Vec<CategoryDef>) -> Self {
        Self(defs)
    }

    /// The entries, in configuration order.
    pub fn iter(&self) -> impl Iterator<Item = &CategoryDef> {
        self.0.iter()
    }

    /// The category called `name`.
    pub fn parse(&self, name: &str) -> Result<Category, UnknownCategory> {
        self.0.iter().map(|d| d.category).find(|c| c.name() == name).ok_or_else(|| UnknownCategory {
            name: name.to_owned(),
            known: self.0.iter().map(|d| d.category.name()).collect::<Vec<_>>().join(", "),
        })
    }

    /// The category an SMPP service_type or CMPP Service_Id names: its short code or its full
    /// name, either in any case.
    pub fn by_code(&self, text: &str) -> Result<Category, UnknownCategory> {
        let coded = self.0.iter().find(|d| d.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(text)));
        let named = || self.0.iter().find(|d| d.category.name().eq_ignore_ascii_case(text));
        coded.or_else(named).map(|d| d.category).ok_or_else(|| UnknownCategory {
            name: text.to_owned(),
            known: self.0.iter().map(CategoryDef::code_or_name).collect::<Vec<_>>().join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_by_name_and_unknowns_are_named_with_the_list() {
        let list = Categories::default();
        for c in Category::DEFAULTS {
            assert_eq!(list.parse(c.name()), Ok(c));
        }
        let err = list.parse("promo").unwrap_err();
        assert!(err.to_string().contains("promo"));
        assert!(err.to_string().contains("verification, notification, marketing"), "{err}");
    }

    #[test]
    fn short_codes_and_names_select_categories_in_any_case() {
        let list = Categories::default();
        assert_eq!(list.by_code("VERIF"), Ok(Category::VERIFICATION));
        assert_eq!(list.by_code("verif"), Ok(Category::VERIFICATION));
        assert_eq!(list.by_code("NOTIF"), Ok(Category::NOTIFICATION));
        assert_eq!(list.by_code("MKT"), Ok(Category::MARKETING));
        assert_eq!(list.by_code("MARKETING"), Ok(Category::MARKETING), "a full name still works");
        let err = list.by_code("CMT").unwrap_err();
        assert!(err.to_string().contains("VERIF, NOTIF, MKT"), "{err}");
        assert!(valid_category_code("TAX1") && !valid_category_code("TAXES1") && !valid_category_code("T-1"));
    }

    #[test]
    fn stored_form_round_trips_and_keeps_the_kind() {
        let tax = Category::new("tax_notice", CategoryKind::Notification).unwrap();
        assert_eq!(tax.stored(), "notification:tax_notice");
        let back = Category::from_stored(&tax.stored()).unwrap();
        assert_eq!((back.name(), back.kind()), ("tax_notice", CategoryKind::Notification));
        assert_eq!(Category::MARKETING.stored(), "marketing", "old records keep reading");
        assert_eq!(Category::from_stored("marketing").unwrap().kind(), CategoryKind::Marketing);
        assert!(Category::from_stored("bogus:x").is_err());
        assert!(Category::from_stored("promo").is_err());
    }

    #[test]
    fn names_are_checked() {
        assert!(Category::new("", CategoryKind::Marketing).is_err());
        assert!(Category::new("Tax", CategoryKind::Marketing).is_err());
        assert!(Category::new("税务", CategoryKind::Marketing).is_err());
        assert!(Category::new(&"a".repeat(33), CategoryKind::Marketing).is_err());
        assert!(Category::new(&"a".repeat(32), CategoryKind::Marketing).is_ok());
        assert!(Category::new("marketing", CategoryKind::Notification).is_err(), "a kind's name keeps its kind");
    }

    #[test]
    fn equal_by_name_whatever_the_kind() {
        let a = Category::new("tax", CategoryKind::Notification).unwrap();
        let b = Category::new("tax", CategoryKind::Marketing).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, Category::NOTIFICATION);
    }
}
