//! The structure of a statute written in a word processor: which paragraphs
//! start chapters and articles, by their outline level or by the patterns of
//! Spanish legal drafting ("TÍTULO I", "CAPÍTULO II", "Art. 1.-",
//! "Artículo 1.", "DISPOSICIONES TRANSITORIAS", "PRIMERA.-"), written out as
//! the charter's import Markdown (`##` chapters, `###` articles, see
//! `charter_text`). Reading the DOCX or ODT file itself is `office`'s part.

/// One paragraph as read from the file: its text as inline Markdown (bold
/// and italic kept, everything else escaped), its outline level when it is
/// a heading, and whether it is a list item.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Paragraph {
    pub text: String,
    pub heading: Option<u8>,
    pub list: Option<ListKind>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Bullet,
    Numbered,
}

/// A title longer than this is a sentence, not a heading's name.
const MAX_NAME_CHARS: usize = 120;
/// "Art. 3.- Del domicilio.- El Foro…": a name before `.-` has at most this many words.
const MAX_NAME_WORDS: usize = 12;

const CHAPTER_WORDS: &[&str] = &["TITULO", "CAPITULO", "SECCION"];
const PART_WORDS: &[&str] = &["DISPOSICION", "DISPOSICIONES"];
const PART_KINDS: &[&str] = &["TRANSITORIA", "GENERAL", "FINAL", "DEROGATORIA"];
const ORDINALS: &[&str] =
    &["PRIMERA", "SEGUNDA", "TERCERA", "CUARTA", "QUINTA", "SEXTA", "SEPTIMA", "OCTAVA", "NOVENA", "DECIMA", "UNICA"];
/// An article without a name is named by this many of its first words.
const NAMING_WORDS: usize = 6;
/// A chapter or article whose name cannot be found.
const UNNAMED: &str = "Sin título";
const SEPARATORS: &[&str] = &[".-", ".–", ".—", ":-", ".", ":", "-", "–", "—"];

/// A file in which nothing starts a chapter or an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no chapter or article was found: mark them as headings, or begin them as \"CAPÍTULO I\" and \"Art. 1.-\" do")]
pub struct NoStructure;

/// The Markdown the charter import reads: `# title` (the first heading, when
/// the file opens with one), then chapters and articles with their bodies.
/// Text before the first chapter or article becomes a "Preámbulo".
pub fn to_import_markdown(paragraphs: &[Paragraph]) -> Result<String, NoStructure> {
    if !paragraphs.iter().any(|p| classify(p).is_some()) {
        return Err(NoStructure);
    }
    let mut out = Builder::default();
    let mut items = paragraphs.iter().filter(|p| !plain(&p.text).trim().is_empty()).peekable();
    if let Some(first) = items.peek() {
        if is_title(first, paragraphs) {
            out.line(format!("# {}", plain(&first.text).trim()));
            items.next();
        }
    }
    while let Some(paragraph) = items.next() {
        match classify(paragraph) {
            Some(Start::Chapter { name }) => {
                // "CAPÍTULO I" alone names itself in the next short line.
                let name = match name {
                    Some(name) => name,
                    None => match items.peek() {
                        Some(next) if is_name_line(next) => {
                            items.next().map(|p| p.text.trim().to_owned()).unwrap_or_default()
                        }
                        _ => UNNAMED.to_owned(),
                    },
                };
                out.section("##", &name);
            }
            Some(Start::Article { name, body }) => {
                out.section("###", &name);
                if let Some(body) = body {
                    out.body(&body, None);
                }
            }
            None => {
                if !out.in_section {
                    out.section("###", "Preámbulo");
                }
                out.body(&paragraph.text, paragraph.list);
            }
        }
    }
    Ok(out.text)
}

#[derive(Default)]
struct Builder {
    text: String,
    in_section: bool,
    in_list: bool,
}

impl Builder {
    fn line(&mut self, line: String) {
        self.text.push_str(&line);
        self.text.push('\n');
    }

    fn section(&mut self, marks: &str, name: &str) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        // A title is plain words: the file's bold or italic stays out of it.
        self.line(format!("{marks} {}", plain(name).trim()));
        self.in_section = true;
        self.in_list = false;
    }

    /// Paragraphs apart by a blank line; items of one list together.
    fn body(&mut self, text: &str, list: Option<ListKind>) {
        let text = text.trim();
        let item = match list {
            Some(ListKind::Bullet) => format!("- {text}"),
            Some(ListKind::Numbered) => format!("1. {text}"),
            None => text.to_owned(),
        };
        if !(self.in_list && list.is_some()) {
            self.text.push('\n');
        }
        self.line(item);
        self.in_list = list.is_some();
    }
}

enum Start {
    Chapter { name: Option<String> },
    Article { name: String, body: Option<String> },
}

/// The file's opening line names the whole text: a Word "Title", the one
/// top-level heading, or a short line in capitals or bold before the rest.
fn is_title(first: &Paragraph, all: &[Paragraph]) -> bool {
    match first.heading {
        Some(0) => true,
        Some(1) => all.iter().filter(|p| p.heading == Some(1)).count() == 1 && pattern(first).is_none(),
        Some(_) => false,
        None => is_name_line(first),
    }
}

/// What a paragraph starts, if anything: a legal pattern, else its outline level.
fn classify(paragraph: &Paragraph) -> Option<Start> {
    pattern(paragraph).or_else(|| match paragraph.heading {
        Some(0..=2) => Some(Start::Chapter { name: Some(paragraph.text.trim().to_owned()) }),
        Some(_) => Some(Start::Article { name: paragraph.text.trim().to_owned(), body: None }),
        None => None,
    })
}

/// What a paragraph starts by the patterns of legal drafting, if anything.
fn pattern(paragraph: &Paragraph) -> Option<Start> {
    let plain_text = plain(&paragraph.text);
    let key = fold(&plain_text);
    if let Some(rest) = chapter_rest(&key) {
        let name = name_in(&paragraph.text, plain_text.chars().count() - rest.chars().count());
        return Some(Start::Chapter { name });
    }
    if PART_WORDS.iter().any(|w| first_word(&key) == *w) && PART_KINDS.iter().any(|k| key.contains(k)) {
        return Some(Start::Chapter { name: Some(paragraph.text.trim().to_owned()) });
    }
    if let Some(rest) = article_rest(&key) {
        // The number is dropped: the charter numbers articles by position.
        let skipped = plain_text.chars().count() - rest.chars().count();
        return Some(article(&paragraph.text, skipped, None));
    }
    if let Some(ordinal) = ORDINALS.iter().find(|o| first_word(&key) == **o) {
        let after = &key[ordinal.len()..];
        if let Some(separator) = SEPARATORS.iter().find(|s| after.trim_start().starts_with(**s)) {
            let skipped = ordinal.len() + (after.len() - after.trim_start().len()) + separator.chars().count();
            let fallback =
                sentence_case(&plain_text[..plain_text.char_indices().nth(ordinal.len()).map_or(0, |(i, _)| i)]);
            return Some(article(&paragraph.text, skipped, Some(fallback)));
        }
    }
    None
}

/// "Art. 3.- Del domicilio.- El Foro…" → name "Del domicilio", body "El Foro…";
/// "Artículo 3. Domicilio" → the name only; "Art. 3.- El Foro tiene…" →
/// `fallback` ("Primera") or the body's first words as the name, and the text.
fn article(text: &str, skipped: usize, fallback: Option<String>) -> Start {
    let rest = without_dangling_closer(skip_chars(text, skipped));
    if rest.is_empty() {
        return Start::Article { name: fallback.unwrap_or_else(|| UNNAMED.to_owned()), body: None };
    }
    if let Some((name, body)) = split_name(rest) {
        return Start::Article { name, body: Some(body) };
    }
    if plain(rest).chars().count() <= MAX_NAME_CHARS && !plain(rest).trim_end().ends_with(['.', ';', ':']) {
        return Start::Article { name: rest.to_owned(), body: None };
    }
    Start::Article { name: fallback.unwrap_or_else(|| first_words(rest)), body: Some(rest.to_owned()) }
}

/// A name for an article that has none: its first words ("El Foro tiene su domicilio…").
fn first_words(text: &str) -> String {
    let plain = plain(text);
    let words: Vec<&str> = plain.split_whitespace().collect();
    match words.iter().position(|w| w.ends_with(['.', ';', ':'])) {
        Some(end) if end < NAMING_WORDS => words[..=end].join(" ").trim_end_matches(['.', ';', ':']).to_owned(),
        _ if words.len() <= NAMING_WORDS => words.join(" "),
        _ => format!("{}…", words[..NAMING_WORDS].join(" ").trim_end_matches([',', ';', ':'])),
    }
}

/// A short name before `.-` (or a bold name before a period) and the text after it.
fn split_name(rest: &str) -> Option<(String, String)> {
    let bold_name = rest.strip_prefix("**").and_then(|r| r.split_once("**")).filter(|(name, _)| !name.is_empty());
    let (name, body) = match bold_name {
        Some((name, body)) => (name.trim_end_matches(['.', ':', '-', ' ']).to_owned(), body),
        None => {
            let (name, body) = rest.split_once(".-").or_else(|| rest.split_once(".–"))?;
            (name.to_owned(), body)
        }
    };
    let body = without_dangling_closer(body.trim_start_matches(['.', ':', '-', '–', ' ']));
    let words = plain(&name).split_whitespace().count();
    (words > 0 && words <= MAX_NAME_WORDS && !body.is_empty()).then(|| (name.trim().to_owned(), body.to_owned()))
}

/// The text after a cut made inside emphasis ("**Art. 1.-** El Foro" cut
/// after "1.-") starts with the mark that closed it; the file's runs put an
/// opening mark right before a word, so marks followed by a space are such.
fn without_dangling_closer(text: &str) -> &str {
    let text = text.trim();
    let after = text.trim_start_matches('*');
    if after.len() < text.len() && (after.is_empty() || after.starts_with(char::is_whitespace)) {
        after.trim()
    } else {
        text
    }
}

/// What follows "CAPÍTULO IV" in the folded text, if the paragraph starts so.
fn chapter_rest(key: &str) -> Option<&str> {
    let word = CHAPTER_WORDS.iter().find(|w| first_word(key) == **w)?;
    let after = key[word.len()..].trim_start();
    let numeral: String = after.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
    let is_number = !numeral.is_empty()
        && (numeral.chars().all(|c| c.is_ascii_digit())
            || numeral.chars().all(|c| "IVXLC".contains(c))
            || ["UNICO", "PRIMERO", "SEGUNDO", "TERCERO", "CUARTO", "QUINTO"].contains(&numeral.as_str()));
    is_number.then(|| &after[numeral.len()..])
}

/// What follows "Art. 12.-" or "ARTÍCULO 12", if the paragraph starts so.
fn article_rest(key: &str) -> Option<&str> {
    let after = ["ARTICULO", "ART.", "ART"].iter().find_map(|w| key.strip_prefix(w))?;
    let after = after.trim_start();
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = after[digits.len()..].trim_start_matches(['O', 'º', '°']).trim_start();
    let rest = SEPARATORS.iter().find_map(|s| rest.strip_prefix(s)).unwrap_or(rest);
    Some(rest)
}

/// The name after a chapter's number: "CAPÍTULO I.- DE LOS FINES" → "DE LOS FINES".
fn name_in(text: &str, skipped: usize) -> Option<String> {
    let rest = skip_chars(text, skipped).trim_start();
    let rest = SEPARATORS.iter().find_map(|s| rest.strip_prefix(s)).unwrap_or(rest).trim();
    (!plain(rest).trim().is_empty()).then(|| rest.to_owned())
}

/// A line that names the chapter above it: short, no sentence, not a start itself.
fn is_name_line(paragraph: &Paragraph) -> bool {
    let text = plain(&paragraph.text);
    let text = text.trim();
    pattern(paragraph).is_none()
        && text.chars().count() <= MAX_NAME_CHARS
        && (paragraph.heading.is_some()
            || text.chars().all(|c| !c.is_lowercase())
            || paragraph.text.trim().starts_with("**"))
}

/// Skips `n` characters of the Markdown text, stepping over its `*`/`\` marks
/// without counting them (the count is of the plain text).
fn skip_chars(text: &str, n: usize) -> &str {
    let mut seen = 0;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if seen == n {
            return &text[i..];
        }
        match c {
            '\\' if !escaped => escaped = true,
            '*' if !escaped => {}
            _ => {
                seen += 1;
                escaped = false;
            }
        }
    }
    ""
}

/// The words without Markdown marks (emphasis, escapes).
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut escaped = false;
    for c in text.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '*' if !escaped => {}
            c => {
                out.push(c);
                escaped = false;
            }
        }
    }
    out
}

/// Upper case without accents, one char for one char: "Capítulo" → "CAPITULO".
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' | 'Á' => 'A',
            'é' | 'É' => 'E',
            'í' | 'Í' => 'I',
            'ó' | 'Ó' => 'O',
            'ú' | 'Ú' | 'ü' | 'Ü' => 'U',
            'ñ' => 'Ñ',
            c if c.is_ascii() => c.to_ascii_uppercase(),
            c => c,
        })
        .collect()
}

fn first_word(key: &str) -> &str {
    key.split(|c: char| !c.is_alphanumeric() && c != 'Ñ').next().unwrap_or_default()
}

/// "PRIMERA" → "Primera".
fn sentence_case(word: &str) -> String {
    let lower = word.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
#[path = "legal_structure_tests.rs"]
mod tests;
