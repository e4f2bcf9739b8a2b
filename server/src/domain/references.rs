//! Cross-references: `[[ref:<section-id>]]` in a body points at a section by
//! its identity, not its number, so renumbering never breaks one. It is shown
//! as the section's label now ("artículo 12"), linking to it.

use std::collections::HashMap;

use serde::Serialize;
use uuid::Uuid;

use super::charter::{section_numbers, Section, SectionKind};
use super::ids::{DocumentId, SectionId};
use super::limits::Invalid;

const OPEN: &str = "[[ref:";
const CLOSE: &str = "]]";

/// The sections `body` points at, in order of appearance (repeats kept).
/// Text that looks like a reference but holds no UUID is left as text.
pub fn references_in(body: &str) -> Vec<SectionId> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find(OPEN) {
        let after = &rest[start + OPEN.len()..];
        match after.find(CLOSE).and_then(|end| Uuid::parse_str(&after[..end]).ok().map(|id| (id, end))) {
            Some((id, end)) => {
                found.push(SectionId(id));
                rest = &after[end + CLOSE.len()..];
            }
            None => rest = after,
        }
    }
    found
}

/// Every reference in `body` must name a section of this document.
pub fn check_references(field: &'static str, body: &str, sections: &[Section]) -> Result<(), Invalid> {
    match references_in(body).into_iter().find(|id| sections.iter().all(|section| section.id != *id)) {
        Some(id) => Err(Invalid::new(field, format!("the reference [[ref:{id}]] names no section of this document"))),
        None => Ok(()),
    }
}

/// How a section is named in the text: "artículo 12", "capítulo 2".
pub fn labels(sections: &[Section]) -> HashMap<SectionId, String> {
    let numbers = section_numbers(sections.iter().map(|section| section.kind));
    sections
        .iter()
        .zip(numbers)
        .map(|(section, number)| {
            let word = match section.kind {
                SectionKind::Chapter => "capítulo",
                SectionKind::Article => "artículo",
            };
            (section.id, format!("{word} {number}"))
        })
        .collect()
}

/// `body` with each reference as a Markdown link to the section's label;
/// a reference to a section that is gone reads "(referencia rota)".
pub fn resolve(body: &str, document: DocumentId, labels: &HashMap<SectionId, String>) -> String {
    if !body.contains(OPEN) {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let parsed = after.find(CLOSE).and_then(|end| Uuid::parse_str(&after[..end]).ok().map(|id| (id, end)));
        match parsed {
            Some((id, end)) => {
                match labels.get(&SectionId(id)) {
                    Some(label) => out.push_str(&format!("[{label}](/documentos/{document}#sec-{id})")),
                    None => out.push_str("(referencia rota)"),
                }
                rest = &after[end + CLOSE.len()..];
            }
            None => {
                out.push_str(OPEN);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A reference that removing a section would break.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Break {
    /// The section that would be removed.
    #[schema(value_type = Uuid)]
    pub target: SectionId,
    /// Where the reference is: a section of the text, or an open proposal.
    pub from_kind: String,
    pub from_id: Uuid,
    /// The section's label, or the proposal's title.
    pub from_label: String,
}

/// The references in the text that removing `removed` would break (the
/// removed sections' own references do not count).
pub fn breaks_in_text(removed: &[SectionId], sections: &[Section]) -> Vec<Break> {
    let labels = labels(sections);
    sections
        .iter()
        .filter(|section| !removed.contains(&section.id))
        .flat_map(|section| {
            let label = labels.get(&section.id).cloned().unwrap_or_default();
            references_in(&section.body).into_iter().filter(|target| removed.contains(target)).map(move |target| {
                Break { target, from_kind: "section".into(), from_id: section.id.0, from_label: label.clone() }
            })
        })
        .collect()
}

/// One cross-reference in the text or in a live proposal, with its target
/// named as the text names it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reference {
    /// `section` or `proposal`.
    pub from_kind: String,
    pub from_id: Uuid,
    /// The section's label, or the proposal's title.
    pub from_label: String,
    #[schema(value_type = Uuid)]
    pub target: SectionId,
    /// "artículo 12"; `None` when the section is gone (a broken reference).
    pub target_label: Option<String>,
}

/// Every reference in the sections' bodies, then in the proposals' (id,
/// title, body), each pair of source and target listed once.
pub fn listed<'a>(
    sections: &[Section],
    proposals: impl IntoIterator<Item = (Uuid, &'a str, &'a str)>,
) -> Vec<Reference> {
    let labels = labels(sections);
    let from_sections = sections.iter().map(|section| {
        ("section", section.id.0, labels.get(&section.id).cloned().unwrap_or_default(), section.body.as_str())
    });
    let from_proposals = proposals.into_iter().map(|(id, title, body)| ("proposal", id, title.to_owned(), body));
    let mut found: Vec<Reference> = Vec::new();
    for (kind, id, label, body) in from_sections.chain(from_proposals) {
        for target in references_in(body) {
            if found.iter().any(|seen| seen.from_id == id && seen.target == target) {
                continue;
            }
            found.push(Reference {
                from_kind: kind.into(),
                from_id: id,
                from_label: label.clone(),
                target,
                target_label: labels.get(&target).cloned(),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(kind: SectionKind, body: &str) -> Section {
        Section { id: SectionId::new(), kind, title: String::new(), body: body.into() }
    }

    #[test]
    fn references_are_found_by_identity_and_malformed_ones_are_text() {
        let id = Uuid::now_v7();
        let body = format!("Según el [[ref:{id}]] y el [[ref:no-es-uuid]] y [[ref:{id}]]");
        assert_eq!(references_in(&body), vec![SectionId(id), SectionId(id)]);
        assert!(references_in("[[ref:").is_empty());
    }

    #[test]
    fn labels_follow_the_numbering_after_a_move() {
        let chapter = section(SectionKind::Chapter, "");
        let first = section(SectionKind::Article, "");
        let target = section(SectionKind::Article, "");
        let citing = Section { body: format!("según el [[ref:{}]]", target.id), ..section(SectionKind::Article, "") };
        let doc = DocumentId::new();
        let before = vec![chapter.clone(), first.clone(), target.clone(), citing.clone()];
        let resolved = resolve(&citing.body, doc, &labels(&before));
        assert_eq!(resolved, format!("según el [artículo 2](/documentos/{doc}#sec-{})", target.id));
        // The target moves before the first article: it becomes article 1.
        let after = vec![chapter, target.clone(), first, citing.clone()];
        let resolved = resolve(&citing.body, doc, &labels(&after));
        assert!(resolved.contains("[artículo 1]"), "{resolved}");
        // Gone: the reader is told, not misled.
        assert_eq!(resolve(&citing.body, doc, &HashMap::new()), "según el (referencia rota)");
    }

    #[test]
    fn a_reference_must_stay_inside_its_document() {
        let here = section(SectionKind::Article, "");
        let sections = vec![here.clone()];
        assert!(check_references("body", &format!("[[ref:{}]]", here.id), &sections).is_ok());
        let elsewhere = SectionId::new();
        assert!(check_references("body", &format!("[[ref:{elsewhere}]]"), &sections).is_err());
    }

    #[test]
    fn removing_a_cited_article_lists_what_breaks() {
        let target = section(SectionKind::Article, "");
        let citing = Section { body: format!("véase el [[ref:{}]]", target.id), ..section(SectionKind::Article, "") };
        let sections = vec![target.clone(), citing.clone()];
        let breaks = breaks_in_text(&[target.id], &sections);
        assert_eq!(breaks.len(), 1);
        assert_eq!(breaks[0].from_id, citing.id.0);
        assert_eq!(breaks[0].from_label, "artículo 2");
        assert!(breaks_in_text(&[citing.id], &sections).is_empty());
    }

    #[test]
    fn the_list_names_targets_now_and_says_which_are_broken() {
        let target = section(SectionKind::Article, "");
        let gone = SectionId::new();
        let citing = Section {
            body: format!("[[ref:{}]], otra vez [[ref:{}]] y [[ref:{gone}]]", target.id, target.id),
            ..section(SectionKind::Article, "")
        };
        let sections = vec![target.clone(), citing.clone()];
        let proposal = Uuid::now_v7();
        let body = format!("cf. [[ref:{}]]", citing.id);
        let list = listed(&sections, [(proposal, "Plazo", body.as_str())]);
        assert_eq!(list.len(), 3, "{list:?}");
        assert_eq!((list[0].from_label.as_str(), list[0].target_label.as_deref()), ("artículo 2", Some("artículo 1")));
        assert_eq!((list[1].target, list[1].target_label.as_deref()), (gone, None));
        assert_eq!(
            (list[2].from_kind.as_str(), list[2].from_id, list[2].target_label.as_deref()),
            ("proposal", proposal, Some("artículo 2"))
        );
    }
}
