//! Reading the paragraphs of a word-processor file (DOCX, ODT) for the
//! charter import, with every resource bounded: a file comes from outside
//! and may be built to hurt (a zip bomb, a DTD with external entities, tables
//! nested thousands deep). Only the part holding the text is read, at most
//! [`MAX_PART_BYTES`] of it whatever the archive claims, and its XML is read
//! as a stream: no DTD, no entity beyond XML's own, at most [`MAX_DEPTH`]
//! elements deep. What the paragraphs mean is `domain::legal_structure`'s.

mod docx;
mod odt;

use std::io::Read;

use crate::domain::legal_structure::Paragraph;

/// The text part (`word/document.xml`, `content.xml`) unpacked, at most.
pub const MAX_PART_BYTES: u64 = 16 * 1024 * 1024;
/// Elements inside elements, at most (a statute needs a dozen).
pub const MAX_DEPTH: usize = 64;
/// Entries of the archive, at most (a document has a few dozen).
pub const MAX_ENTRIES: usize = 2_000;
/// Paragraphs, at most (a statute of 300 articles has about a thousand).
pub const MAX_PARAGRAPHS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Docx,
    Odt,
}

impl Format {
    /// The format a media type names, if it is one of these.
    pub fn of_media_type(essence: &str) -> Option<Format> {
        match essence {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => Some(Format::Docx),
            "application/vnd.oasis.opendocument.text" => Some(Format::Odt),
            _ => None,
        }
    }
}

/// Why a file cannot be read; each says what to do in its message.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OfficeError {
    #[error("the file is protected with a password (or is an old .doc file): save it again without a password, as .docx or .odt")]
    Encrypted,
    #[error("the file is not a {0} document: save it again from the word processor as .docx or .odt")]
    NotADocument(&'static str),
    #[error("the document's text is over {} MiB unpacked: it cannot be a statute", MAX_PART_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the document is nested more than {MAX_DEPTH} levels deep (tables within tables): simplify it")]
    TooDeep,
    #[error("the document has more than {MAX_PARAGRAPHS} paragraphs")]
    TooManyParagraphs,
    #[error("the document declares a DTD, which is refused (it could reach outside the file)")]
    Doctype,
    #[error("the document's XML is damaged: {0}")]
    Malformed(String),
}

/// The paragraphs of the file, in reading order.
pub fn paragraphs(bytes: &[u8], format: Format) -> Result<Vec<Paragraph>, OfficeError> {
    // An OLE container: an encrypted OOXML file, or a Word 97-2003 .doc.
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(OfficeError::Encrypted);
    }
    let kind = match format {
        Format::Docx => "Word (.docx)",
        Format::Odt => "OpenDocument (.odt)",
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| OfficeError::NotADocument(kind))?;
    if archive.len() > MAX_ENTRIES {
        return Err(OfficeError::NotADocument(kind));
    }
    match format {
        Format::Docx => docx::paragraphs(&read_part(&mut archive, "word/document.xml", kind)?),
        Format::Odt => {
            if read_part(&mut archive, "META-INF/manifest.xml", kind)
                .is_ok_and(|manifest| contains(&manifest, b"encryption-data"))
            {
                return Err(OfficeError::Encrypted);
            }
            let mimetype = read_part(&mut archive, "mimetype", kind)?;
            if mimetype.trim_ascii() != b"application/vnd.oasis.opendocument.text" {
                return Err(OfficeError::NotADocument(kind));
            }
            odt::paragraphs(&read_part(&mut archive, "content.xml", kind)?)
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window == needle)
}

/// One part unpacked, trusting the stream and not the size it declares.
fn read_part(
    archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    name: &str,
    kind: &'static str,
) -> Result<Vec<u8>, OfficeError> {
    let entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::UnsupportedArchive(what)) if what.contains("assword") => {
            return Err(OfficeError::Encrypted)
        }
        Err(_) => return Err(OfficeError::NotADocument(kind)),
    };
    if entry.encrypted() {
        return Err(OfficeError::Encrypted);
    }
    let mut part = Vec::new();
    entry
        .take(MAX_PART_BYTES + 1)
        .read_to_end(&mut part)
        .map_err(|err| OfficeError::Malformed(format!("{name}: {err}")))?;
    if part.len() as u64 > MAX_PART_BYTES {
        return Err(OfficeError::TooLarge);
    }
    Ok(part)
}

/// A stretch of text with its emphasis.
#[derive(Debug, Clone, Default)]
struct Run {
    text: String,
    bold: bool,
    italic: bool,
}

/// Runs as inline Markdown: the words escaped, bold and italic marked around
/// the words (spaces stay outside the marks, or Markdown would not see them).
fn inline_markdown(runs: &[Run]) -> String {
    let mut merged: Vec<Run> = Vec::new();
    for run in runs.iter().filter(|r| !r.text.is_empty()) {
        match merged.last_mut() {
            Some(last) if last.bold == run.bold && last.italic == run.italic => last.text.push_str(&run.text),
            _ => merged.push(run.clone()),
        }
    }
    let mut out = String::new();
    for run in merged {
        let words = run.text.trim();
        if words.is_empty() {
            out.push_str(&run.text);
            continue;
        }
        let mark = match (run.bold, run.italic) {
            (true, true) => "***",
            (true, false) => "**",
            (false, true) => "*",
            (false, false) => "",
        };
        let start = run.text.len() - run.text.trim_start().len();
        out.push_str(&run.text[..start]);
        out.push_str(mark);
        out.push_str(&crate::domain::markdown_quote::inline(words));
        out.push_str(mark);
        out.push_str(&run.text[start + words.len()..]);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Counts depth and paragraphs while an XML stream is read.
struct Bounds {
    depth: usize,
}

impl Bounds {
    fn open(&mut self) -> Result<(), OfficeError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(OfficeError::TooDeep);
        }
        Ok(())
    }

    fn close(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// A paragraph that just ended, its runs written as its text.
    fn finish(paragraphs: &mut Vec<Paragraph>, open: Option<(Paragraph, Vec<Run>)>) -> Result<(), OfficeError> {
        let Some((mut paragraph, runs)) = open else { return Ok(()) };
        if paragraphs.len() >= MAX_PARAGRAPHS {
            return Err(OfficeError::TooManyParagraphs);
        }
        paragraph.text = inline_markdown(&runs);
        paragraphs.push(paragraph);
        Ok(())
    }
}

fn malformed(err: impl std::fmt::Display) -> OfficeError {
    OfficeError::Malformed(err.to_string())
}

#[cfg(test)]
#[path = "office_tests.rs"]
mod tests;
