//! Masking for places where people look but need not see everything: logs and the console.

/// A mainland number with its middle hidden, as logs show it: `138****8000`. Anything that is
/// not an 11-digit number keeps only its last two characters.
pub fn number(n: &str) -> String {
    let chars: Vec<char> = n.chars().collect();
    if chars.len() == 11 && chars.iter().all(char::is_ascii_digit) {
        return format!("{}****{}", chars[..3].iter().collect::<String>(), chars[7..].iter().collect::<String>());
    }
    let keep = chars.len().saturating_sub(2);
    chars.iter().enumerate().map(|(i, c)| if i < keep { '*' } else { *c }).collect()
}

/// Text with every run of four or more digits starred out, so a verification code is not
/// shown to whoever only needs to know a message went.
pub fn codes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if run >= 4 {
            out.extend(std::iter::repeat_n('*', run));
            i += run;
        } else if run > 0 {
            out.extend(&chars[i..i + run]);
            i += run;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_codes_are_masked() {
        assert_eq!(number("13800138000"), "138****8000");
        assert_eq!(number("10690001"), "******01");
        assert_eq!(
            codes("【某省税务局】您的验证码是 482913，5 分钟内有效。"),
            "【某省税务局】您的验证码是 ******，5 分钟内有效。"
        );
        assert_eq!(codes("第2026年12号"), "第****年12号");
    }
}
