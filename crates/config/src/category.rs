//! `[[category]]`: the categories requests may name.
//!
//! Without any entry the list is the three kinds' own categories (verification, notification,
//! marketing). With entries, the list is exactly what the file says, so an operator can both add
//! `tax_notice` and drop `marketing`.
//!
//! `code` is the short name SMPP and CMPP clients give in service_type / Service_Id, where
//! `verification` does not fit (SMPP holds 5 characters). A kind's own category gets the
//! kind's code (`VERIF`, `NOTIF`, `MKT`) unless the file says otherwise; another category has
//! a code only when the file gives one (its full name still works where it fits).

use std::collections::HashSet;

use hongyan_types::{
    valid_category_code, Categories, Category, CategoryDef, CategoryKind, MAX_CATEGORY_CODE, MAX_CATEGORY_NAME,
};

use crate::walk::{Table, Walker};

/// Reads every `[[category]]` table; `None` entries had problems (already recorded).
pub(crate) fn parse_all(w: &mut Walker, tables: Vec<Table>) -> Categories {
    if tables.is_empty() {
        return Categories::default();
    }
    let mut seen = HashSet::new();
    let mut defs = Vec::new();
    for (i, t) in tables.into_iter().enumerate() {
        let Some(def) = parse(w, i, t) else { continue };
        if !seen.insert(def.category.name().to_owned()) {
            w.problem(format!("category[{i}].name"), format!("`{}` is used by an earlier category", def.category));
            continue;
        }
        defs.push(def);
    }
    check_codes(w, &defs);
    Categories::new(defs)
}

/// A code must name one category: not two codes alike, and not a code that is another
/// category's name (a client's `tax` would otherwise mean two things).
fn check_codes(w: &mut Walker, defs: &[CategoryDef]) {
    for (i, def) in defs.iter().enumerate() {
        let Some(code) = def.code.as_deref() else { continue };
        let clash = defs.iter().enumerate().find(|(j, other)| {
            *j != i
                && (other.category.name().eq_ignore_ascii_case(code)
                    || (*j < i && other.code.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(code))))
        });
        if let Some((_, other)) = clash {
            let why = format!("`{code}` already names the category `{}`", other.category);
            w.problem(format!("category[{i}].code"), why);
        }
    }
}

fn parse(w: &mut Walker, index: usize, mut t: Table) -> Option<CategoryDef> {
    let path = |key: &str| format!("category[{index}].{key}");
    let name = t.req_str(w, "name");
    let kind_text = t.req_str(w, "kind");
    let label = t.opt_str(w, "label");
    let code = t.opt_str(w, "code");
    t.finish(w);
    if code.as_deref().is_some_and(|c| !valid_category_code(c)) {
        let why = format!("`{}` is not 1 to {MAX_CATEGORY_CODE} letters and digits", code.as_deref().unwrap_or(""));
        w.problem(path("code"), why);
    }
    let kind = kind_text.as_deref().and_then(|k| {
        let parsed = CategoryKind::parse(k);
        if parsed.is_none() {
            w.problem(path("kind"), format!("`{k}` is not one of verification, notification, marketing"));
        }
        parsed
    });
    let (name, kind) = (name?, kind?);
    let category = match Category::new(&name, kind) {
        Ok(c) => c,
        Err(_) if CategoryKind::parse(&name).is_some() => {
            w.problem(path("kind"), format!("the category `{name}` can only be of kind {name}"));
            return None;
        }
        Err(_) => {
            let why = format!("`{name}` is not 1 to {MAX_CATEGORY_NAME} characters of a-z, 0-9, `_` and `-`");
            w.problem(path("name"), why);
            return None;
        }
    };
    let own = (category == Category::of_kind(kind)).then(|| kind.code().to_owned());
    let code = code.filter(|c| valid_category_code(c)).map(|c| c.to_ascii_uppercase()).or(own);
    Some(CategoryDef { category, label: label.unwrap_or_else(|| kind.label().to_owned()), code })
}
