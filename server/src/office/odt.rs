//! `content.xml` of an ODT file: `text:h` headings with their outline
//! level, `text:p` paragraphs (a "Title" style is the text's title), list
//! items, and bold and italic from the automatic styles of `text:span`.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{malformed, Bounds, OfficeError, Run};
use crate::domain::legal_structure::{ListKind, Paragraph};

#[derive(Debug, Clone, Copy, Default)]
struct Emphasis {
    bold: bool,
    italic: bool,
}

pub(super) fn paragraphs(xml: &[u8]) -> Result<Vec<Paragraph>, OfficeError> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut bounds = Bounds { depth: 0 };
    let mut out = Vec::new();
    // Automatic styles come before the body: name -> emphasis, and parent style.
    let mut emphasis: HashMap<String, Emphasis> = HashMap::new();
    let mut parents: HashMap<String, String> = HashMap::new();
    let mut style: Option<String> = None;
    let mut lists = 0usize;
    let mut paragraph: Option<(Paragraph, Vec<Run>)> = None;
    // The emphasis of each open span, innermost last.
    let mut spans: Vec<Emphasis> = Vec::new();
    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::DocType(_) => return Err(OfficeError::Doctype),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if !empty {
                    bounds.open()?;
                }
                let current = spans.last().copied().unwrap_or_default();
                match e.name().as_ref() {
                    b"style:style" => {
                        let name = attr(e, "style:name")?.unwrap_or_default();
                        if let Some(parent) = attr(e, "style:parent-style-name")? {
                            parents.insert(name.clone(), parent);
                        }
                        style = Some(name);
                    }
                    b"style:text-properties" => {
                        if let Some(name) = &style {
                            let found = Emphasis {
                                bold: attr(e, "fo:font-weight")?
                                    .is_some_and(|w| w == "bold" || w.parse::<u32>().is_ok_and(|n| n >= 600)),
                                italic: attr(e, "fo:font-style")?.is_some_and(|s| s == "italic" || s == "oblique"),
                            };
                            emphasis.insert(name.clone(), found);
                        }
                    }
                    b"text:list" if !empty => lists += 1,
                    b"text:h" | b"text:p" if !empty => {
                        let heading = if e.name().as_ref() == b"text:h" {
                            Some(attr(e, "text:outline-level")?.and_then(|l| l.parse().ok()).unwrap_or(1))
                        } else {
                            attr(e, "text:style-name")?.and_then(|s| style_level(&s, &parents))
                        };
                        let list = (lists > 0 && heading.is_none()).then_some(ListKind::Bullet);
                        paragraph = Some((Paragraph { text: String::new(), heading, list }, Vec::new()));
                        spans.clear();
                    }
                    b"text:span" if !empty => {
                        let own =
                            attr(e, "text:style-name")?.and_then(|s| emphasis.get(&s).copied()).unwrap_or_default();
                        spans.push(Emphasis { bold: current.bold || own.bold, italic: current.italic || own.italic });
                    }
                    b"text:s" => {
                        let count: usize = attr(e, "text:c")?.and_then(|c| c.parse().ok()).unwrap_or(1).min(8);
                        push(paragraph.as_mut().map(|(_, runs)| runs), &" ".repeat(count), current);
                    }
                    b"text:tab" | b"text:line-break" => push(paragraph.as_mut().map(|(_, runs)| runs), " ", current),
                    _ => {}
                }
            }
            Event::Text(ref t) => {
                let current = spans.last().copied().unwrap_or_default();
                push(paragraph.as_mut().map(|(_, runs)| runs), &t.unescape().map_err(malformed)?, current);
            }
            Event::End(ref e) => {
                bounds.close();
                match e.name().as_ref() {
                    b"style:style" => style = None,
                    b"text:list" => lists = lists.saturating_sub(1),
                    b"text:span" => {
                        spans.pop();
                    }
                    b"text:h" | b"text:p" => {
                        Bounds::finish(&mut out, paragraph.take())?;
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn push(runs: Option<&mut Vec<Run>>, text: &str, emphasis: Emphasis) {
    if let Some(runs) = runs {
        runs.push(Run { text: text.to_owned(), bold: emphasis.bold, italic: emphasis.italic });
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, OfficeError> {
    match e.try_get_attribute(name).map_err(malformed)? {
        Some(a) => Ok(Some(a.unescape_value().map_err(malformed)?.into_owned())),
        None => Ok(None),
    }
}

/// The outline level of a paragraph style, directly or through an automatic
/// style's parent: "Title" is the text's title, "Heading 2" (stored as
/// `Heading_20_2`) a level-2 heading.
fn style_level(style: &str, parents: &HashMap<String, String>) -> Option<u8> {
    let named = parents.get(style).map_or(style, String::as_str).replace("_20_", " ");
    if named == "Title" || named == "Título" {
        return Some(0);
    }
    named.strip_prefix("Heading")?.trim().parse::<u8>().ok().filter(|level| (1..=9).contains(level))
}
