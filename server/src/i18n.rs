//! The server's own user-facing words (exports, minutes), from the
//! translation files in `server/i18n/`. Spanish is the default.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{header, HeaderMap};

pub use crate::domain::lang::Lang;

impl Lang {
    /// `?lang=` wins, then the first language of Accept-Language; Spanish otherwise.
    pub fn choose(query: Option<&str>, headers: &HeaderMap) -> Lang {
        let from_header = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .map(|first| first.trim().to_ascii_lowercase());
        match query.map(str::to_ascii_lowercase).or(from_header) {
            Some(lang) if lang == "en" || lang.starts_with("en-") => Lang::En,
            _ => Lang::Es,
        }
    }
}

type Catalog = HashMap<String, String>;

static ES: LazyLock<Catalog> =
    LazyLock::new(|| serde_json::from_str(include_str!("../i18n/es.json")).unwrap_or_default());
static EN: LazyLock<Catalog> =
    LazyLock::new(|| serde_json::from_str(include_str!("../i18n/en.json")).unwrap_or_default());

/// The text for `key`; Spanish when English lacks it, the key itself when both do.
pub fn t(lang: Lang, key: &str) -> String {
    let catalog = match lang {
        Lang::Es => &*ES,
        Lang::En => &*EN,
    };
    catalog.get(key).or_else(|| ES.get(key)).cloned().unwrap_or_else(|| key.to_owned())
}

/// `key`'s text with each `{name}` replaced by its value.
pub fn fill(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(t(lang, key), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs_parse_and_have_the_same_keys() {
        assert!(!ES.is_empty(), "es.json must parse");
        let mut es: Vec<_> = ES.keys().collect();
        let mut en: Vec<_> = EN.keys().collect();
        es.sort();
        en.sort();
        assert_eq!(es, en);
        assert_eq!(t(Lang::Es, "charter.article"), "Artículo");
        assert_eq!(t(Lang::En, "charter.article"), "Article");
    }

    #[test]
    fn language_choice() {
        let mut headers = HeaderMap::new();
        assert_eq!(Lang::choose(None, &headers), Lang::Es);
        headers.insert(header::ACCEPT_LANGUAGE, "en-US,en;q=0.9".parse().expect("header"));
        assert_eq!(Lang::choose(None, &headers), Lang::En);
        assert_eq!(Lang::choose(Some("es"), &headers), Lang::Es);
    }
}
