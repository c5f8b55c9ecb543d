//! `[[category]]`: the categories requests may name.
//!
//! Without any entry the list is the three kinds' own categories (verification, notification,
//! marketing). With entries, the list is exactly what the file says, so an operator can both add
//! `tax_notice` and drop `marketing`.

use std::collections::HashSet;

use hongyan_types::{Categories, Category, CategoryDef, CategoryKind, MAX_CATEGORY_NAME};

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
    Categories::new(defs)
}

fn parse(w: &mut Walker, index: usize, mut t: Table) -> Option<CategoryDef> {
    let path = |key: &str| format!("category[{index}].{key}");
    let name = t.req_str(w, "name");
    let kind_text = t.req_str(w, "kind");
    let label = t.opt_str(w, "label");
    t.finish(w);
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
    Some(CategoryDef { category, label: label.unwrap_or_else(|| kind.label().to_owned()) })
}
