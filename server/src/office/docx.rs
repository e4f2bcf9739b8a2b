//! `word/document.xml` of a DOCX file: `w:p` paragraphs, their style
//! (headings by style id or outline level), list membership, and the bold
//! and italic of their runs. Deleted text (`w:delText`) is not text.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::{malformed, Bounds, OfficeError, Run};
use crate::domain::legal_structure::{ListKind, Paragraph};

pub(super) fn paragraphs(xml: &[u8]) -> Result<Vec<Paragraph>, OfficeError> {
    let mut reader = Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut bounds = Bounds { depth: 0 };
    let mut out = Vec::new();
    let mut paragraph: Option<(Paragraph, Vec<Run>)> = None;
    let mut run = Run::default();
    let (mut in_run_props, mut in_text) = (false, false);
    loop {
        let event = reader.read_event().map_err(malformed)?;
        match event {
            Event::DocType(_) => return Err(OfficeError::Doctype),
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                if !empty {
                    bounds.open()?;
                }
                match e.name().as_ref() {
                    b"w:p" if !empty => paragraph = Some((Paragraph::default(), Vec::new())),
                    b"w:pStyle" => {
                        if let Some((p, _)) = paragraph.as_mut() {
                            let style = value(e)?;
                            p.heading = p.heading.or_else(|| style_level(&style));
                        }
                    }
                    b"w:outlineLvl" => {
                        if let Some((p, _)) = paragraph.as_mut() {
                            let level: Option<u8> = value(e)?.parse().ok();
                            // 9 is Word's "body text".
                            p.heading = p.heading.or(level.filter(|l| *l < 9).map(|l| l + 1));
                        }
                    }
                    b"w:numPr" => {
                        if let Some((p, _)) = paragraph.as_mut() {
                            p.list = Some(ListKind::Bullet);
                        }
                    }
                    b"w:r" if !empty => run = Run::default(),
                    b"w:rPr" if !empty => in_run_props = true,
                    b"w:b" if in_run_props => run.bold = is_on(e)?,
                    b"w:i" if in_run_props => run.italic = is_on(e)?,
                    b"w:t" if !empty => in_text = true,
                    b"w:tab" | b"w:br" | b"w:cr" => run.text.push(' '),
                    _ => {}
                }
            }
            Event::Text(ref t) if in_text => run.text.push_str(&t.unescape().map_err(malformed)?),
            Event::CData(ref t) if in_text => run.text.push_str(&String::from_utf8_lossy(t)),
            Event::End(ref e) => {
                bounds.close();
                match e.name().as_ref() {
                    b"w:t" => in_text = false,
                    b"w:rPr" => in_run_props = false,
                    b"w:r" => {
                        if let Some((_, runs)) = paragraph.as_mut() {
                            runs.push(std::mem::take(&mut run));
                        }
                    }
                    b"w:p" => {
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

/// `w:val` of an element, or "".
fn value(e: &BytesStart<'_>) -> Result<String, OfficeError> {
    Ok(match e.try_get_attribute("w:val").map_err(malformed)? {
        Some(attr) => attr.unescape_value().map_err(malformed)?.into_owned(),
        None => String::new(),
    })
}

/// `<w:b/>` is on; `<w:b w:val="0"/>` (or false, off) is off.
fn is_on(e: &BytesStart<'_>) -> Result<bool, OfficeError> {
    Ok(!matches!(value(e)?.as_str(), "0" | "false" | "off" | "none"))
}

/// The outline level a style id stands for: "Title" (and Spanish Word's
/// "Ttulo") the text's title, "Heading2" / "Ttulo2" a level-2 heading.
fn style_level(style: &str) -> Option<u8> {
    let lower = style.to_lowercase();
    if ["title", "ttulo", "titulo", "título"].contains(&lower.as_str()) {
        return Some(0);
    }
    let word = ["heading", "ttulo", "titulo", "título", "encabezado"].iter().find(|w| lower.starts_with(**w))?;
    lower[word.len()..].trim().parse::<u8>().ok().filter(|level| (1..=9).contains(level))
}
