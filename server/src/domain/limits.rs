//! The input limits of the API contract, in one place. Lengths count
//! characters (Unicode scalar values), not bytes, since the people writing are
//! counting letters, and Spanish has plenty of accents.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

pub const BODY_LIMIT_BYTES: usize = 1024 * 1024;
pub const IMPORT_LIMIT_BYTES: usize = 2 * 1024 * 1024;
pub const TITLE_CHARS: (usize, usize) = (1, 200);
pub const COMMENT_CHARS: (usize, usize) = (1, 20_000);
pub const SECTION_BODY_CHARS: (usize, usize) = (0, 100_000);
pub const DISPLAY_NAME_CHARS: (usize, usize) = (1, 100);
pub const PASSWORD_CHARS: (usize, usize) = (10, 200);
pub const SHORT_NAME_CHARS: (usize, usize) = (1, 30);
pub const EMAIL_CHARS: (usize, usize) = (3, 254);
pub const WEBSOCKET_MESSAGE_BYTES: usize = 64 * 1024;

/// A field that broke a rule, named so the client can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: Cow<'static, str>,
    pub problem: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for Invalid {}

impl Invalid {
    pub fn new(field: impl Into<Cow<'static, str>>, problem: impl Into<String>) -> Self {
        Self { field: field.into(), problem: problem.into() }
    }
}

/// Control characters other than tab and line breaks (LF, and the CR of a
/// CR LF pasted from Windows): PostgreSQL cannot store NUL at all, and the
/// others garble text, hide it, or move a terminal's cursor in the logs.
pub fn is_forbidden_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Text that may be stored: no forbidden control character.
pub fn plain_text(field: impl Into<Cow<'static, str>>, text: &str) -> Result<(), Invalid> {
    match text.chars().find(|&c| is_forbidden_control(c)) {
        None => Ok(()),
        Some(c) => Err(Invalid::new(
            field,
            format!("must not contain control characters (U+{:04X}); only tabs and line breaks", u32::from(c)),
        )),
    }
}

/// Every text in a request body, keys and values at any depth, is
/// [`plain_text`]: one rule for every field of every endpoint, so none
/// can be forgotten. The field named is the path to the first offender.
pub fn request_text(value: &Value) -> Result<(), Invalid> {
    fn walk(value: &Value, path: &mut Vec<String>) -> Result<(), Invalid> {
        let here = |path: &[String]| if path.is_empty() { "body".to_owned() } else { path.join(".") };
        match value {
            Value::String(text) => plain_text(here(path), text),
            Value::Array(items) => items.iter().enumerate().try_for_each(|(index, item)| {
                path.push(index.to_string());
                walk(item, path)?;
                path.pop();
                Ok(())
            }),
            Value::Object(fields) => fields.iter().try_for_each(|(key, item)| {
                path.push(key.chars().filter(|&c| !is_forbidden_control(c)).collect());
                plain_text(here(path), key)?;
                walk(item, path)?;
                path.pop();
                Ok(())
            }),
            Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
        }
    }
    walk(value, &mut Vec::new())
}

/// Characters that show nothing: spaces, joiners, fillers, variation
/// selectors and tags. A name made only of these is no name.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Explicit embeddings, overrides and isolates: in a name they reorder the
/// text around it (a name ending in U+202E turns "ha votado" backwards).
/// The implicit marks (U+200E, U+200F) stay allowed: right-to-left names need them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks the length of `text` in characters against an inclusive range.
pub fn length(field: &'static str, text: &str, (min, max): (usize, usize)) -> Result<(), Invalid> {
    let count = text.chars().count();
    if count < min || count > max {
        return Err(Invalid::new(field, format!("must be between {min} and {max} characters long (it has {count})")));
    }
    Ok(())
}

/// A trimmed single-line text of bounded length: names and titles.
pub fn single_line(field: &'static str, text: &str, range: (usize, usize)) -> Result<String, Invalid> {
    let trimmed = text.trim();
    if trimmed.chars().any(char::is_control) {
        return Err(Invalid::new(field, "must not contain control characters or line breaks"));
    }
    if trimmed.chars().any(is_bidi_control) {
        return Err(Invalid::new(
            field,
            "must not contain bidirectional override characters (U+202A-U+202E, U+2066-U+2069)",
        ));
    }
    length(field, trimmed, range)?;
    if !trimmed.is_empty() && trimmed.chars().all(is_invisible) {
        return Err(Invalid::new(field, "must contain at least one visible character"));
    }
    Ok(trimmed.to_owned())
}

pub fn display_name(text: &str) -> Result<String, Invalid> {
    single_line("display_name", text, DISPLAY_NAME_CHARS)
}

pub fn title(field: &'static str, text: &str) -> Result<String, Invalid> {
    single_line(field, text, TITLE_CHARS)
}

pub fn short_name(text: &str) -> Result<String, Invalid> {
    single_line("short_name", text, SHORT_NAME_CHARS)
}

/// A comment has something in it besides spaces, within the length limit.
pub fn comment_body(text: &str) -> Result<String, Invalid> {
    length("body", text, COMMENT_CHARS)?;
    if text.trim().is_empty() {
        return Err(Invalid::new("body", "write something"));
    }
    Ok(text.to_owned())
}

/// Passwords are taken as typed (no trimming): only the length is checked.
pub fn password(text: &str) -> Result<(), Invalid> {
    length("password", text, PASSWORD_CHARS)
}

/// A deliberately small check: one `@`, something on each side, a dot in
/// the domain, no spaces. Whether the address exists is learnt by sending to it.
pub fn email(text: &str) -> Result<String, Invalid> {
    // The bound holds for what was sent, spaces around it included, as the
    // OpenAPI document's maxLength says; a padded address is no longer read.
    length("email", text, (0, EMAIL_CHARS.1))?;
    let trimmed = text.trim();
    length("email", trimmed, EMAIL_CHARS)?;
    let valid = match trimmed.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !trimmed.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        return Err(Invalid::new("email", "is not a valid email address"));
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_counted_in_characters_at_both_bounds() {
        assert!(display_name("").is_err());
        assert!(display_name("   ").is_err(), "only spaces is empty once trimmed");
        assert_eq!(display_name(" Ñ ").as_deref(), Ok("Ñ"));
        assert!(display_name(&"á".repeat(100)).is_ok(), "100 two-byte characters fit");
        assert!(display_name(&"á".repeat(101)).is_err());
        assert!(title("title", &"x".repeat(200)).is_ok());
        assert!(title("title", &"x".repeat(201)).is_err());
    }

    #[test]
    fn passwords_between_10_and_200_characters() {
        assert!(password(&"p".repeat(9)).is_err());
        assert!(password(&"p".repeat(10)).is_ok());
        assert!(password(&"p".repeat(200)).is_ok());
        assert!(password(&"p".repeat(201)).is_err());
        assert!(password(" leading  spaces ").is_ok(), "spaces are part of a password");
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(email(" ana@fundacion.org.ec ").as_deref(), Ok("ana@fundacion.org.ec"));
        let longest = format!("{}@f.ec", "a".repeat(EMAIL_CHARS.1 - 5));
        assert!(email(&longest).is_ok(), "the bound itself is accepted");
        assert!(email(&format!(" {longest}")).is_err(), "spaces around it count towards the bound");
        for bad in ["", "ana", "ana@", "@x.org", "ana@localhost", "a b@x.org", "a@b@x.org", "a@.org"] {
            assert!(email(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn comments_need_text_within_the_limit() {
        assert!(comment_body("  \n ").is_err());
        assert!(comment_body(&"x".repeat(20_000)).is_ok());
        assert!(comment_body(&"x".repeat(20_001)).is_err());
    }

    #[test]
    fn names_refuse_line_breaks() {
        let err = display_name("Ana\nMaría").unwrap_err();
        assert_eq!(err.field, "display_name");
    }

    #[test]
    fn names_show_something_and_do_not_reorder_their_neighbours() {
        for bad in ["\u{200B}", "\u{FEFF}\u{200D}", "\u{3164}", "Ana \u{202E}ñam", "\u{2066}Ana", "Ana\u{202D}"] {
            assert!(display_name(bad).is_err(), "{bad:?} must be refused");
        }
        for good in ["Ñandú", "مؤسسة الأمل", "\u{200F}שלום", "Ana\u{200B}María"] {
            assert!(display_name(good).is_ok(), "{good:?} is a name");
        }
    }

    #[test]
    fn request_bodies_carry_no_control_characters_at_any_depth() {
        use serde_json::json;
        assert!(request_text(&json!({"body": "uno\n\tdos\r\n", "n": 1, "list": ["a", null]})).is_ok());
        let nested = request_text(&json!({"options": [{"label": "a\u{0}b"}]})).unwrap_err();
        assert_eq!(nested.field, "options.0.label");
        assert!(nested.problem.contains("U+0000"), "{}", nested.problem);
        assert!(request_text(&json!({"k\u{1b}": 1})).is_err(), "keys too");
        for c in ['\u{7}', '\u{7f}', '\u{85}', '\u{9b}'] {
            assert!(plain_text("x", &format!("a{c}b")).is_err(), "{c:?}");
        }
    }
}
