//! Templates: approved texts with `${name}` variables, filled in per request.
//!
//! A template is checked when it is added (every `${…}` closed, names are identifiers) and
//! rendered at accept time: every variable needs a value, no unknown value is accepted, and
//! values are validated — digits only (1–10) in verification templates, at most 100
//! characters without signature brackets or control characters elsewhere — so a template
//! cannot be turned into free text through its parameters.

use std::collections::BTreeMap;

use hongyan_types::{Category, CategoryKind};

/// Why a template body or its parameters were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// `${` without a closing `}`.
    #[error("`${{` at character {0} is not closed")]
    Unclosed(usize),
    /// A variable name that is not an identifier.
    #[error("`{0}` is not a variable name (letters, digits and `_`, not starting with a digit)")]
    BadName(String),
    /// A variable with no value in the request.
    #[error("parameter `{0}` is missing")]
    Missing(String),
    /// A value for a variable the template does not have.
    #[error("the template has no variable `{0}`")]
    Unknown(String),
    /// A value that breaks the rules for its template's category.
    #[error("parameter `{name}`: {rule}")]
    BadValue {
        /// The variable.
        name: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A value with a character that is never delivered.
    #[error("parameter `{name}` {what}")]
    UnsafeValue {
        /// The variable.
        name: String,
        /// What is in it.
        what: hongyan_text::UnsafeText,
    },
    /// A body with a character that is never delivered.
    #[error("the template body {0}")]
    UnsafeBody(hongyan_text::UnsafeText),
}

/// Pieces of a body: literal text and variable names, in order.
enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

fn pieces(body: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("${") {
        out.push(Piece::Text(&rest[..start]));
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or(TemplateError::Unclosed(body.len() - rest.len() + start))?;
        let name = &after[..end];
        let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            return Err(TemplateError::BadName(name.to_owned()));
        }
        out.push(Piece::Var(name));
        rest = &after[end + 1..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

/// Checks a new body: its syntax, and nothing in it that is never delivered.
pub fn check_body(body: &str) -> Result<(), TemplateError> {
    hongyan_text::check_safe(body).map_err(TemplateError::UnsafeBody)?;
    variables(body).map(drop)
}

/// The distinct variables of a body, in order of first use; checks the body's syntax.
pub fn variables(body: &str) -> Result<Vec<String>, TemplateError> {
    let mut names: Vec<String> = Vec::new();
    for p in pieces(body)? {
        if let Piece::Var(n) = p {
            if !names.iter().any(|x| x == n) {
                names.push(n.to_owned());
            }
        }
    }
    Ok(names)
}

fn check_value(category: Category, name: &str, value: &str) -> Result<(), TemplateError> {
    let bad = |rule| Err(TemplateError::BadValue { name: name.to_owned(), rule });
    if category.is(CategoryKind::Verification) {
        if value.is_empty() || value.len() > 10 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return bad("verification template values are 1–10 digits");
        }
        return Ok(());
    }
    if value.is_empty() || value.chars().count() > 100 {
        return bad("values are 1–100 characters");
    }
    if let Some(what) = hongyan_text::unsafe_char(value) {
        return Err(TemplateError::UnsafeValue { name: name.to_owned(), what });
    }
    if value.contains(['【', '】']) || value.chars().any(char::is_control) {
        return bad("values may not contain signature brackets or control characters");
    }
    Ok(())
}

/// Fills `body` with `params` under the rules of `category`.
pub fn render(body: &str, params: &BTreeMap<String, String>, category: Category) -> Result<String, TemplateError> {
    let names = variables(body)?;
    if let Some(extra) = params.keys().find(|k| !names.contains(k)) {
        return Err(TemplateError::Unknown(extra.clone()));
    }
    let mut out = String::with_capacity(body.len());
    for p in pieces(body)? {
        match p {
            Piece::Text(t) => out.push_str(t),
            Piece::Var(n) => {
                let v = params.get(n).ok_or_else(|| TemplateError::Missing(n.to_owned()))?;
                check_value(category, n, v)?;
                out.push_str(v);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "您的验证码是${code}，${minutes}分钟内有效。";

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn renders_and_lists_variables() {
        assert_eq!(variables(BODY).unwrap(), ["code", "minutes"]);
        let out = render(BODY, &params(&[("code", "123456"), ("minutes", "5")]), Category::VERIFICATION).unwrap();
        assert_eq!(out, "您的验证码是123456，5分钟内有效。");
        assert_eq!(variables("no variables").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn refuses_bad_bodies_and_parameters() {
        assert_eq!(variables("a ${code"), Err(TemplateError::Unclosed(2)));
        assert_eq!(variables("${1x}"), Err(TemplateError::BadName("1x".into())));
        let v = Category::VERIFICATION;
        assert_eq!(render(BODY, &params(&[("code", "1")]), v), Err(TemplateError::Missing("minutes".into())));
        assert!(matches!(
            render(BODY, &params(&[("code", "1"), ("minutes", "5"), ("x", "1")]), v),
            Err(TemplateError::Unknown(_))
        ));
        assert!(matches!(
            render(BODY, &params(&[("code", "12ab"), ("minutes", "5")]), v),
            Err(TemplateError::BadValue { .. })
        ));
        let n = Category::NOTIFICATION;
        assert!(render("尊敬的${name}：", &params(&[("name", "张三")]), n).is_ok());
        assert!(matches!(
            render("尊敬的${name}：", &params(&[("name", "【某银行】")]), n),
            Err(TemplateError::BadValue { .. })
        ));
        assert!(matches!(
            render("尊敬的${name}：", &params(&[("name", &"长".repeat(101))]), n),
            Err(TemplateError::BadValue { .. })
        ));
    }
}
