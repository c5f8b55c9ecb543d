//! Writing CSV for people: every export and statement quotes its fields the same way.

/// One CSV field, quoted with quotes doubled; a leading `=`, `+`, `-` or `@` is defused with a
/// `'` so a spreadsheet shows text instead of running a formula (names and texts are user
/// input).
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::field("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::field("=1+1"), "\"'=1+1\"");
    }
}
