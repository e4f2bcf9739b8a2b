//! The charter as one Markdown text, for importing a draft written elsewhere
//! and for exporting the current one.
//!
//! The format is plain Markdown with a fixed meaning for the first three
//! heading levels: `# ` is the title of the charter (at most once, before any
//! section), `## ` starts a chapter and `### ` starts an article; the lines
//! below a heading, up to the next `##`/`###`, are its body. Deeper headings
//! (`####`) are body text. Headings inside fenced code blocks are body text too,
//! as they are for any Markdown reader.
//!
//! Numbers are derived from position, so a number written in a heading
//! (`### Art. 12.- Objeto`, `## CAPÍTULO III`) is dropped on import.
//!
//! Export and import are inverse to each other up to [`normalize_body`] and
//! trimmed titles. For that, export has to stop body lines from being read as
//! headings: such a line (and any unclosed code fence, which would swallow the
//! sections after it) gets a backslash in front, which Markdown shows as the
//! plain text, and import takes one backslash away again. Import therefore also
//! takes one backslash from a hand-written line like `\## texto`, which is rare
//! enough to accept for an exact round trip.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The title limit of the API contract, in characters.
const MAX_TITLE_CHARS: usize = 200;
/// The section body limit of the API contract, in characters.
const MAX_BODY_CHARS: usize = 100_000;

const NO_SECTIONS: &str = "the text has no chapter (##) or article (###) heading";
const NOT_IN_A_SECTION: &str = "this text is not under any chapter (##) or article (###) heading";
const TITLE_AFTER_SECTIONS: &str = "the title line (#) must come before the first chapter (##) or article (###)";
const SECOND_TITLE: &str = "there can be only one title line (#)";

pub use super::charter::SectionKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedSection {
    pub kind: SectionKind,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportedCharter {
    /// The text of the `# ` line, when there is one.
    pub title: Option<String>,
    pub sections: Vec<ImportedSection>,
}

/// Why a text cannot be imported, with the 1-based line to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

impl ImportError {
    fn new(line: usize, message: impl Into<String>) -> Self {
        Self { line, message: message.into() }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ImportError {}

/// One section to export; `number` is the one shown to readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSection<'a> {
    pub kind: SectionKind,
    pub number: u32,
    pub title: &'a str,
    pub body: &'a str,
}

/// Reads a charter written in Markdown (see the module documentation).
///
/// Line endings may be `\r\n`, `\r` or `\n`, and a leading byte order mark is
/// ignored. Bodies come out as [`normalize_body`] would leave them.
pub fn parse_import(text: &str) -> Result<ImportedCharter, ImportError> {
    let text = unify_line_endings(text.strip_prefix('\u{feff}').unwrap_or(text));
    // Checked first because "no headings at all" explains a wrong file better
    // than a complaint about its first paragraph.
    if !classify(&text).any(|(_, line)| matches!(line, Line::Heading { level: 2 | 3, .. })) {
        return Err(ImportError::new(1, NO_SECTIONS));
    }
    let mut title = None;
    let mut sections = Vec::new();
    let mut open: Option<OpenSection<'_>> = None;
    for (number, line) in classify(&text) {
        match line {
            Line::Heading { level: 1, text } => {
                if open.is_some() {
                    return Err(ImportError::new(number, TITLE_AFTER_SECTIONS));
                }
                if title.is_some() {
                    return Err(ImportError::new(number, SECOND_TITLE));
                }
                title = Some(heading_title(text, None, number)?);
            }
            Line::Heading { level, text } => {
                let kind = if level == 2 { SectionKind::Chapter } else { SectionKind::Article };
                let section_title = heading_title(text, Some(kind), number)?;
                let section = OpenSection { kind, title: section_title, heading_line: number, lines: Vec::new() };
                if let Some(done) = open.replace(section) {
                    sections.push(done.finish()?);
                }
            }
            Line::Body(body) => match open.as_mut() {
                Some(section) => section.lines.push(body),
                None if is_blank(body) => {}
                None => return Err(ImportError::new(number, NOT_IN_A_SECTION)),
            },
        }
    }
    if let Some(done) = open {
        sections.push(done.finish()?);
    }
    Ok(ImportedCharter { title, sections })
}

/// Writes the charter as Markdown that [`parse_import`] reads back.
///
/// Titles are trimmed and any line break in them becomes a space (callers pass
/// single-line titles; this only keeps a stray one from breaking the format).
pub fn to_markdown(title: &str, sections: &[ExportSection<'_>]) -> String {
    let mut out = String::new();
    push_heading(&mut out, "#", " ", title);
    for section in sections {
        let label = match section.kind {
            SectionKind::Chapter => format!("## Capítulo {}", section.number),
            SectionKind::Article => format!("### Artículo {}", section.number),
        };
        out.push('\n');
        push_heading(&mut out, &label, ". ", section.title);
        let body = normalize_body(section.body);
        if !body.is_empty() {
            out.push('\n');
            push_escaped_body(&mut out, &body);
            out.push('\n');
        }
    }
    out
}

/// The form in which a body survives export and import: line endings become
/// `\n`, and blank (whitespace-only) lines at the start and the end are
/// dropped. Everything else, inner blank lines and indentation included, is
/// kept as it is.
pub fn normalize_body(body: &str) -> String {
    join_trimmed(&unify_line_endings(body).split('\n').collect::<Vec<_>>())
}

/// The lines joined by `\n`, without the blank ones at either end.
fn join_trimmed(lines: &[&str]) -> String {
    let first = lines.iter().position(|line| !is_blank(line));
    let last = lines.iter().rposition(|line| !is_blank(line));
    match (first, last) {
        (Some(first), Some(last)) => lines.get(first..=last).map(|kept| kept.join("\n")).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Writes `{label}{separator}{title}`, or just `{label}` for an empty title.
fn push_heading(out: &mut String, label: &str, separator: &str, title: &str) {
    let title = title.replace(['\r', '\n'], " ");
    let title = title.trim();
    out.push_str(label);
    if !title.is_empty() {
        out.push_str(separator);
        out.push_str(title);
        // A trailing `#` run would be read as the optional closing sequence of
        // the heading and dropped; a closing sequence of our own protects it.
        if title.ends_with('#') {
            out.push_str(" #");
        }
    }
    out.push('\n');
}

/// Writes a normalized body so that import sees exactly its lines again.
fn push_escaped_body(out: &mut String, body: &str) {
    let lines: Vec<&str> = body.split('\n').collect();
    // The longest closing fence of each kind after each line, so that an
    // opening fence can tell in constant time whether the body closes it.
    let mut closers_after = vec![(0, 0); lines.len()];
    let (mut backticks, mut tildes) = (0, 0);
    for (index, line) in lines.iter().enumerate().rev() {
        closers_after[index] = (backticks, tildes);
        match closing_run(line) {
            Some((b'`', run)) => backticks = backticks.max(run),
            Some((_, run)) => tildes = tildes.max(run),
            None => {}
        }
    }
    let mut fence: Option<Fence> = None;
    for (index, line) in lines.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        if let Some(open) = fence {
            if open.closed_by(line) {
                fence = None;
            }
        } else if heading(line).is_some() || unescape(line).is_some() {
            out.push('\\');
        } else if let Some(opening) = fence_opening(line) {
            let (backticks, tildes) = closers_after[index];
            let longest = if opening.marker == b'`' { backticks } else { tildes };
            if longest >= opening.len {
                fence = Some(opening);
            } else {
                // Unclosed, it would run on into the next sections on import.
                out.push('\\');
            }
        }
        out.push_str(line);
    }
}

/// A line of an import, as it counts for the structure.
enum Line<'a> {
    Heading {
        level: usize,
        text: &'a str,
    },
    /// Body text, with an export's escaping backslash already taken away.
    Body(&'a str),
}

/// The lines of `text`, numbered from 1 and classified with code fences in mind.
fn classify(text: &str) -> impl Iterator<Item = (usize, Line<'_>)> {
    let mut fence: Option<Fence> = None;
    text.split('\n').enumerate().map(move |(index, line)| {
        let kind = if let Some(open) = fence {
            if open.closed_by(line) {
                fence = None;
            }
            Line::Body(line)
        } else if let Some((level, text)) = heading(line) {
            Line::Heading { level, text }
        } else if let Some(opening) = fence_opening(line) {
            fence = Some(opening);
            Line::Body(line)
        } else {
            Line::Body(unescape(line).unwrap_or(line))
        };
        (index + 1, kind)
    })
}

/// `\r\n` and `\r`, the other line endings of CommonMark, become `\n`.
fn unify_line_endings(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// `#`, `##` or `###` at the very start of the line, then a space, a tab or
/// nothing: the level and the rest of the line.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.bytes().take_while(|&byte| byte == b'#').count();
    let rest = line.get(level..)?;
    let ends_marker = rest.is_empty() || rest.starts_with([' ', '\t']);
    ((1..=3).contains(&level) && ends_marker).then_some((level, rest))
}

/// For a line that export escaped (backslashes, then a heading or a fence), the
/// line without its first backslash.
fn unescape(line: &str) -> Option<&str> {
    let unescaped = line.strip_prefix('\\')?;
    let bare = unescaped.trim_start_matches('\\');
    (heading(bare).is_some() || fence_opening(bare).is_some()).then_some(unescaped)
}

/// An open code fence: its character and how many of them opened it.
#[derive(Debug, Clone, Copy)]
struct Fence {
    marker: u8,
    len: usize,
}

impl Fence {
    fn closed_by(self, line: &str) -> bool {
        closing_run(line).is_some_and(|(marker, run)| marker == self.marker && run >= self.len)
    }
}

/// Up to three spaces, then a run of at least three backticks or tildes: the
/// marker, the run length and what follows.
fn fence_run(line: &str) -> Option<(u8, usize, &str)> {
    let unindented = line.trim_start_matches(' ');
    if line.len() - unindented.len() > 3 {
        return None;
    }
    let marker = *unindented.as_bytes().first().filter(|&&byte| byte == b'`' || byte == b'~')?;
    let run = unindented.bytes().take_while(|&byte| byte == marker).count();
    (run >= 3).then_some((marker, run, unindented.get(run..)?))
}

fn fence_opening(line: &str) -> Option<Fence> {
    let (marker, len, info) = fence_run(line)?;
    // CommonMark: a backtick in the info string means an inline code span.
    (marker != b'`' || !info.contains('`')).then_some(Fence { marker, len })
}

fn closing_run(line: &str) -> Option<(u8, usize)> {
    let (marker, run, rest) = fence_run(line)?;
    rest.trim_matches([' ', '\t']).is_empty().then_some((marker, run))
}

/// The title of a heading: trimmed, without a closing `#` run and, for
/// sections, without a written number.
fn heading_title(text: &str, kind: Option<SectionKind>, line: usize) -> Result<String, ImportError> {
    let text = without_closing_sequence(text.trim());
    let title = kind.map_or(text, |kind| without_number(text, kind)).trim();
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(ImportError::new(line, format!("this title is longer than {MAX_TITLE_CHARS} characters")));
    }
    Ok(title.to_owned())
}

/// Drops an ATX closing sequence: a final run of `#` that is the whole text or
/// follows a space or tab (`## C#` keeps its `#`).
fn without_closing_sequence(text: &str) -> &str {
    let before = text.trim_end_matches('#');
    let closes = before.len() < text.len() && (before.is_empty() || before.ends_with([' ', '\t']));
    if closes {
        before.trim_end()
    } else {
        text
    }
}

const CHAPTER_WORDS: &[&str] = &["capítulo", "capitulo", "chapter"];
/// Longest first, so that `art` only gets what `art.` and `artículo` did not.
const ARTICLE_WORDS: &[&str] = &["artículo", "articulo", "article", "art.", "art"];
const NUMBER_ENDS: &[&str] = &[".-", ".–", ".—", ".", ":", "-", "–", "—"];

/// `Capítulo IV.- Título` → `Título`, `Art. 1.- Objeto` → `Objeto`. Text that
/// does not have a number where one belongs (`Capítulo Único`, `Arte`) stays.
fn without_number(text: &str, kind: SectionKind) -> &str {
    let words = match kind {
        SectionKind::Chapter => CHAPTER_WORDS,
        SectionKind::Article => ARTICLE_WORDS,
    };
    words.iter().find_map(|word| after_number(text, word)).unwrap_or(text)
}

fn after_number<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let rest = strip_word(text, word)?;
    if rest.starts_with(char::is_alphabetic) {
        return None;
    }
    let rest = strip_numeral(rest.trim_start())?.trim_start();
    let rest = NUMBER_ENDS.iter().find_map(|end| rest.strip_prefix(end)).unwrap_or(rest);
    Some(rest.trim_start())
}

/// Case-insensitive prefix match; `word` is lowercase.
fn strip_word<'t>(text: &'t str, word: &str) -> Option<&'t str> {
    let mut chars = text.chars();
    for expected in word.chars() {
        let found = chars.next()?;
        if !found.to_lowercase().eq(std::iter::once(expected)) {
            return None;
        }
    }
    Some(chars.as_str())
}

/// Arabic digits (with an optional ordinal sign, as in `1º`) or a roman numeral
/// from I to C, followed by something that is not a letter or digit.
fn strip_numeral(text: &str) -> Option<&str> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let rest = if digits > 0 {
        let rest = text.get(digits..)?;
        rest.strip_prefix(['º', '°', 'ª']).unwrap_or(rest)
    } else {
        let letters = text.bytes().take_while(|byte| b"IVXLCivxlc".contains(byte)).count();
        if !is_roman_up_to_100(text.get(..letters)?) {
            return None;
        }
        text.get(letters..)?
    };
    (!rest.starts_with(char::is_alphanumeric)).then_some(rest)
}

const ROMAN_DIGITS: [(u32, &str); 9] =
    [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")];

/// Only the canonical spelling counts, so that words made of the same letters
/// (`Civil`, `Vi`) or sloppy numerals (`IIII`) are not taken for numbers.
fn is_roman_up_to_100(text: &str) -> bool {
    text.len() <= 8 && (1..=100).any(|value| roman(value).eq_ignore_ascii_case(text))
}

fn roman(mut value: u32) -> String {
    let mut out = String::new();
    for (digit_value, digit) in ROMAN_DIGITS {
        while value >= digit_value {
            out.push_str(digit);
            value -= digit_value;
        }
    }
    out
}

/// A section whose body is still being read.
struct OpenSection<'a> {
    kind: SectionKind,
    title: String,
    heading_line: usize,
    lines: Vec<&'a str>,
}

impl OpenSection<'_> {
    fn finish(self) -> Result<ImportedSection, ImportError> {
        let body = join_trimmed(&self.lines);
        if body.chars().count() > MAX_BODY_CHARS {
            let message = format!("the text under this heading is longer than {MAX_BODY_CHARS} characters");
            return Err(ImportError::new(self.heading_line, message));
        }
        Ok(ImportedSection { kind: self.kind, title: self.title, body })
    }
}

#[cfg(test)]
#[path = "charter_text_tests.rs"]
mod tests;
