//! Adopting a passed proposal into the charter: the text it changes must be
//! the text it was written against, or the adoption is a conflict, never a
//! silent overwrite.

use super::charter::{Section, SectionKind};
use super::ids::SectionId;
use super::proposal::ProposalKind;
use super::Refusal;

/// What a proposal does to the charter when adopted.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub kind: ProposalKind,
    pub section_id: Option<SectionId>,
    pub after_section_id: Option<SectionId>,
    pub title: &'a str,
    pub body: &'a str,
    /// An amendment's new title for its section.
    pub section_title: Option<&'a str>,
}

fn conflict(detail: &str) -> Refusal {
    Refusal::Conflict(detail.to_owned())
}

/// The sections after adopting `change` on `current`, given the sections at
/// the proposal's base version. `None` for a general motion (no text change).
pub fn adopt(
    change: &Change<'_>,
    base: &[Section],
    current: &[Section],
    new_id: SectionId,
) -> Result<Option<Vec<Section>>, Refusal> {
    let mut sections = current.to_vec();
    match change.kind {
        ProposalKind::General => return Ok(None),
        ProposalKind::Amend | ProposalKind::Delete => {
            let id = change.section_id.ok_or_else(|| conflict("the proposal names no article"))?;
            let before = base.iter().find(|s| s.id == id).map(|s| s.body.as_str());
            let index = sections
                .iter()
                .position(|s| s.id == id)
                .ok_or_else(|| conflict("the article was removed since the proposal's base version"))?;
            if before != Some(sections[index].body.as_str()) {
                return Err(conflict(
                    "the article changed since the proposal's base version; revise the proposal against the new text",
                ));
            }
            if change.kind == ProposalKind::Amend {
                sections[index].body = change.body.to_owned();
                if let Some(title) = change.section_title {
                    sections[index].title = title.to_owned();
                }
            } else {
                sections.remove(index);
            }
        }
        ProposalKind::Add => {
            let index = match change.after_section_id {
                None => 0,
                Some(after) => sections.iter().position(|s| s.id == after).map(|i| i + 1).ok_or_else(|| {
                    conflict("the section the new article follows was removed since the proposal was made")
                })?,
            };
            let article = Section {
                id: new_id,
                kind: SectionKind::Article,
                title: change.title.to_owned(),
                body: change.body.to_owned(),
            };
            sections.insert(index, article);
        }
    }
    Ok(Some(sections))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(body: &str) -> Section {
        Section { id: SectionId::new(), kind: SectionKind::Article, title: "T".into(), body: body.into() }
    }

    fn change(kind: ProposalKind, section: Option<SectionId>, after: Option<SectionId>) -> Change<'static> {
        Change {
            kind,
            section_id: section,
            after_section_id: after,
            title: "Nuevo",
            body: "texto nuevo",
            section_title: None,
        }
    }

    #[test]
    fn amend_delete_and_add_apply_to_the_current_text() {
        let (a, b) = (article("uno"), article("dos"));
        let base = vec![a.clone(), b.clone()];
        let amended =
            adopt(&change(ProposalKind::Amend, Some(a.id), None), &base, &base, SectionId::new()).unwrap().unwrap();
        assert_eq!(amended[0].body, "texto nuevo");
        assert_eq!(amended[0].title, "T", "the article keeps its title");
        let deleted =
            adopt(&change(ProposalKind::Delete, Some(a.id), None), &base, &base, SectionId::new()).unwrap().unwrap();
        assert_eq!(deleted, vec![b.clone()]);
        let id = SectionId::new();
        let added = adopt(&change(ProposalKind::Add, None, Some(a.id)), &base, &base, id).unwrap().unwrap();
        assert_eq!(added.iter().map(|s| s.id).collect::<Vec<_>>(), [a.id, id, b.id]);
        let first = adopt(&change(ProposalKind::Add, None, None), &base, &base, id).unwrap().unwrap();
        assert_eq!(first[0].id, id);
        assert_eq!(adopt(&change(ProposalKind::General, None, None), &base, &base, id).unwrap(), None);
    }

    #[test]
    fn a_changed_or_removed_base_is_a_conflict() {
        let a = article("uno");
        let base = vec![a.clone()];
        let edited = vec![Section { body: "uno, enmendado".into(), ..a.clone() }];
        for kind in [ProposalKind::Amend, ProposalKind::Delete] {
            assert!(matches!(
                adopt(&change(kind, Some(a.id), None), &base, &edited, SectionId::new()),
                Err(Refusal::Conflict(_))
            ));
            assert!(matches!(
                adopt(&change(kind, Some(a.id), None), &base, &[], SectionId::new()),
                Err(Refusal::Conflict(_))
            ));
        }
        assert!(matches!(
            adopt(&change(ProposalKind::Add, None, Some(a.id)), &base, &[], SectionId::new()),
            Err(Refusal::Conflict(_))
        ));
        // Other articles changing does not matter.
        let other = article("otro");
        let current = vec![a.clone(), other];
        assert!(adopt(&change(ProposalKind::Amend, Some(a.id), None), &base, &current, SectionId::new()).is_ok());
    }
}
