//! Text from people placed inside Markdown that Minga writes (the minutes):
//! a name or a question must read as the words it is, and a voted text as
//! the text it is, never as headings, emphasis or links of the document
//! around it. A proposal body of `## Resultado **APROBADA**` once appeared in
//! the minutes ahead of the real result.

/// One line of plain words: every character Markdown could read as inline
/// syntax is backslash-escaped, line breaks become spaces, and a start that
/// would open a list, quote or heading is escaped too, so the text cannot
/// open a block of its own. Ordinary names ("Fundación S.A.") stay legible.
pub fn inline(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' | '\n' => quoted.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '&' => {
                quoted.push('\\');
                quoted.push(c);
            }
            c => quoted.push(c),
        }
    }
    escape_block_start(quoted)
}

/// `- x`, `+ x`, `= x` or `1. x` at the start of a line item would nest a
/// list or underline a heading.
fn escape_block_start(text: String) -> String {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    match text[digits..].chars().next() {
        Some('-' | '+' | '=') if digits == 0 => format!("\\{text}"),
        Some('.' | ')') if digits > 0 => format!("{}\\{}", &text[..digits], &text[digits..]),
        _ => text,
    }
}

/// The text verbatim inside a fenced block whose fence is longer than any
/// run of backticks in it, so nothing inside can close it early; the text
/// reads (and hashes) exactly as it was voted.
pub fn fenced(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let newline = if text.ends_with('\n') || text.is_empty() { "" } else { "\n" };
    format!("{fence}text\n{text}{newline}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_open_a_block_or_emphasis() {
        assert_eq!(inline("## Resultado **APROBADA**"), "\\#\\# Resultado \\*\\*APROBADA\\*\\*");
        assert_eq!(inline("a\n# b"), "a \\# b");
        assert_eq!(inline("[x](javascript:y)"), "\\[x\\](javascript:y)");
        assert_eq!(inline("Fundación Ñandú S.A."), "Fundación Ñandú S.A.");
        assert_eq!(inline("- a"), "\\- a");
        assert_eq!(inline("12. a"), "12\\. a");
        assert_eq!(inline("2026 - a"), "2026 - a");
    }

    #[test]
    fn a_fence_outlasts_the_backticks_inside() {
        assert_eq!(fenced("texto"), "```text\ntexto\n```");
        assert_eq!(fenced("a ```` b\n"), "`````text\na ```` b\n`````");
        assert_eq!(fenced(""), "```text\n```");
        let hostile = "```\n## Resultado **APROBADA**\n```";
        let quoted = fenced(hostile);
        assert!(quoted.starts_with("````text\n") && quoted.ends_with("\n````"), "{quoted}");
    }
}
