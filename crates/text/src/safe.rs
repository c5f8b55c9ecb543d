//! Text that is unsafe to deliver: control characters (a NUL truncates the text in C code,
//! an ESC or BEL reaches a terminal or a handset's parser), the bidirectional overrides and
//! isolates that make a text read differently from what it holds (the "Trojan Source" trick:
//! a link or an amount shown backwards), and messages made only of invisible characters.
//!
//! This is the one rule every interface shares (HTTP, templates, SMPP, CMPP, the console):
//! the engine's acceptance applies it to the text before signing.

use std::fmt;

/// Why a text is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsafeText {
    /// A character that is never delivered.
    Char {
        /// The character.
        ch: char,
        /// Its position in the text, counted in characters from 1.
        position: usize,
    },
    /// Nothing but zero-width, format or space characters: the handset would show nothing.
    Invisible,
}

impl fmt::Display for UnsafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Char { ch, position } => {
                write!(f, "contains U+{:04X} ({}) at position {position}", u32::from(*ch), char_name(*ch))
            }
            Self::Invisible => f.write_str("has only invisible characters (zero-width, format or space characters)"),
        }
    }
}

impl std::error::Error for UnsafeText {}

/// The first character that may not be delivered: C0 controls other than TAB, LF and CR,
/// DEL, C1 controls, and the bidi embeddings, overrides and isolates U+202A–U+202E and
/// U+2066–U+2069.
pub fn unsafe_char(text: &str) -> Option<UnsafeText> {
    text.chars().enumerate().find(|(_, c)| is_refused(*c)).map(|(i, ch)| UnsafeText::Char { ch, position: i + 1 })
}

/// [`unsafe_char`], then whether anything in `text` is visible. A text of spaces only is not
/// refused here (callers call it empty).
pub fn check_safe(text: &str) -> Result<(), UnsafeText> {
    if let Some(u) = unsafe_char(text) {
        return Err(u);
    }
    let blank = text.chars().all(|c| c.is_whitespace() || is_invisible(c));
    if blank && text.chars().any(is_invisible) {
        return Err(UnsafeText::Invisible);
    }
    Ok(())
}

fn is_refused(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show nothing by themselves (allowed inside a visible text: a zero-width
/// joiner builds emoji, a soft hyphen hints a break).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2060}'..='\u{206f}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{e0000}'..='\u{e007f}'
            | '\u{e0100}'..='\u{e01ef}'
    )
}

/// The Unicode name (or the control's alias) of a refused character.
fn char_name(c: char) -> &'static str {
    const C0: [&str; 32] = [
        "NULL",
        "START OF HEADING",
        "START OF TEXT",
        "END OF TEXT",
        "END OF TRANSMISSION",
        "ENQUIRY",
        "ACKNOWLEDGE",
        "BELL",
        "BACKSPACE",
        "CHARACTER TABULATION",
        "LINE FEED",
        "LINE TABULATION",
        "FORM FEED",
        "CARRIAGE RETURN",
        "SHIFT OUT",
        "SHIFT IN",
        "DATA LINK ESCAPE",
        "DEVICE CONTROL ONE",
        "DEVICE CONTROL TWO",
        "DEVICE CONTROL THREE",
        "DEVICE CONTROL FOUR",
        "NEGATIVE ACKNOWLEDGE",
        "SYNCHRONOUS IDLE",
        "END OF TRANSMISSION BLOCK",
        "CANCEL",
        "END OF MEDIUM",
        "SUBSTITUTE",
        "ESCAPE",
        "FILE SEPARATOR",
        "GROUP SEPARATOR",
        "RECORD SEPARATOR",
        "UNIT SEPARATOR",
    ];
    match c {
        '\u{0}'..='\u{1f}' => C0[c as usize],
        '\u{7f}' => "DELETE",
        '\u{80}'..='\u{9f}' => "C1 CONTROL",
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        _ => "UNNAMED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_characters_are_named_with_their_position() {
        let cases = [
            ("abcd\u{202e}efg", "contains U+202E (RIGHT-TO-LEFT OVERRIDE) at position 5"),
            ("\u{0}x", "contains U+0000 (NULL) at position 1"),
            ("您好\u{1b}[2J", "contains U+001B (ESCAPE) at position 3"),
            ("ring\u{7}", "contains U+0007 (BELL) at position 5"),
            ("a\u{8}b", "contains U+0008 (BACKSPACE) at position 2"),
            ("x\u{85}", "contains U+0085 (C1 CONTROL) at position 2"),
            ("x\u{7f}", "contains U+007F (DELETE) at position 2"),
            ("\u{2067}ltr", "contains U+2067 (RIGHT-TO-LEFT ISOLATE) at position 1"),
            ("\u{200b}\u{feff} \u{2060}", "has only invisible characters (zero-width, format or space characters)"),
        ];
        for (text, want) in cases {
            assert_eq!(check_safe(text).unwrap_err().to_string(), want, "{text:?}");
        }
    }

    #[test]
    fn ordinary_text_line_breaks_tabs_and_emoji_pass() {
        for text in [
            "您的验证码是 123456",
            "line one\r\nline two\tend",
            "👨\u{200d}👩\u{200d}👧 family",
            "   ",
            "soft\u{ad}hyphen",
        ] {
            assert_eq!(check_safe(text), Ok(()), "{text:?}");
        }
    }
}
