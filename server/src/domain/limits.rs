//! The input limits of the API contract, in one place. Lengths count
//! characters (Unicode scalar values), not bytes, since the people writing are
//! counting letters, and Spanish has plenty of accents.

use std::fmt;

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
    pub field: &'static str,
    pub problem: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for Invalid {}

impl Invalid {
    pub fn new(field: &'static str, problem: impl Into<String>) -> Self {
        Self { field, problem: problem.into() }
    }
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
    length(field, trimmed, range)?;
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
}
