//! Changing the shape of the text: moving a section, and keeping sections'
//! identities across a re-import so the proposals on them stay attached.

use super::charter::{Section, SectionKind};
use super::ids::SectionId;
use super::limits::Invalid;

/// The sections with `id` moved to just after `after` (to the start when
/// `None`). A section cannot follow itself, and `after` must be in the text.
pub fn moved(sections: &[Section], id: SectionId, after: Option<SectionId>) -> Result<Vec<Section>, Invalid> {
    if after == Some(id) {
        return Err(Invalid::new("after_section_id", "a section cannot be moved after itself"));
    }
    let from = sections
        .iter()
        .position(|section| section.id == id)
        .ok_or_else(|| Invalid::new("id", "no such section in this document"))?;
    let mut result = sections.to_vec();
    let section = result.remove(from);
    let to = match after {
        None => 0,
        Some(after) => {
            result
                .iter()
                .position(|section| section.id == after)
                .ok_or_else(|| Invalid::new("after_section_id", "no such section in this document"))?
                + 1
        }
    };
    result.insert(to, section);
    Ok(result)
}

/// A section read from an import, before it has an identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub kind: SectionKind,
    pub title: String,
    pub body: String,
}

/// The imported sections, each keeping the id of a current section of the
/// same kind and title (the first not yet taken, in reading order), so the
/// proposals on it stay attached; the others get `fresh()` ids. Matching on
/// the title and not the body is the point: the body is what an import
/// changes. An untitled article matches an untitled one in the same order.
pub fn keep_identities(
    current: &[Section],
    imported: Vec<Imported>,
    mut fresh: impl FnMut() -> SectionId,
) -> Vec<Section> {
    let mut taken = vec![false; current.len()];
    imported
        .into_iter()
        .map(|new| {
            let found = current
                .iter()
                .enumerate()
                .position(|(index, old)| !taken[index] && old.kind == new.kind && old.title.trim() == new.title.trim());
            let id = match found {
                Some(index) => {
                    taken[index] = true;
                    current[index].id
                }
                None => fresh(),
            };
            Section { id, kind: new.kind, title: new.title, body: new.body }
        })
        .collect()
}

/// The sections of `before` that are not in `after`.
pub fn removed(before: &[Section], after: &[Section]) -> Vec<SectionId> {
    before.iter().map(|section| section.id).filter(|id| after.iter().all(|section| section.id != *id)).collect()
}

/// The sections of `after` whose text differs from `before` (or is new).
pub fn changed(before: &[Section], after: &[Section]) -> Vec<SectionId> {
    after
        .iter()
        .filter(|new| {
            before.iter().find(|old| old.id == new.id).is_none_or(|old| old.body != new.body || old.title != new.title)
        })
        .map(|section| section.id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: &str) -> Section {
        Section { id: SectionId::new(), kind: SectionKind::Article, title: title.into(), body: format!("{title}.") }
    }

    fn ids(sections: &[Section]) -> Vec<SectionId> {
        sections.iter().map(|section| section.id).collect()
    }

    #[test]
    fn a_section_moves_after_another_or_to_the_start() {
        let [a, b, c] = [article("a"), article("b"), article("c")];
        let text = vec![a.clone(), b.clone(), c.clone()];
        assert_eq!(ids(&moved(&text, a.id, Some(c.id)).expect("moves")), vec![b.id, c.id, a.id]);
        assert_eq!(ids(&moved(&text, c.id, None).expect("moves")), vec![c.id, a.id, b.id]);
        assert_eq!(ids(&moved(&text, c.id, Some(a.id)).expect("moves")), vec![a.id, c.id, b.id]);
        assert_eq!(moved(&text, b.id, Some(b.id)).map(|_| ()).map_err(|e| e.field), Err("after_section_id".into()));
        assert!(moved(&text, b.id, Some(SectionId::new())).is_err());
        assert!(moved(&text, SectionId::new(), None).is_err());
    }

    #[test]
    fn a_reimport_keeps_the_identity_of_unchanged_titles() {
        let [objeto, sede, fines] = [article("Objeto"), article("Sede"), article("Fines")];
        let current = vec![objeto.clone(), sede.clone(), fines.clone()];
        let imported = vec![
            Imported { kind: SectionKind::Article, title: "Sede".into(), body: "En Quito y Guayaquil.".into() },
            Imported { kind: SectionKind::Article, title: "Objeto".into(), body: "Otro objeto.".into() },
            Imported { kind: SectionKind::Chapter, title: "Fines".into(), body: String::new() },
        ];
        let fresh = SectionId::new();
        let result = keep_identities(&current, imported, || fresh);
        assert_eq!(ids(&result), vec![sede.id, objeto.id, fresh], "a chapter does not take an article's id");
        assert_eq!(result[0].body, "En Quito y Guayaquil.");
        assert_eq!(removed(&current, &result), vec![fines.id]);
        assert_eq!(changed(&current, &result), vec![sede.id, objeto.id, fresh]);
    }

    #[test]
    fn untitled_articles_match_in_order() {
        let [one, two] = [article(""), article("")];
        let current = vec![one.clone(), two.clone()];
        let untitled = || Imported { kind: SectionKind::Article, title: String::new(), body: "x".into() };
        let result = keep_identities(&current, vec![untitled(), untitled(), untitled()], SectionId::new);
        assert_eq!(&ids(&result)[..2], &[one.id, two.id]);
        assert!(![one.id, two.id].contains(&result[2].id));
    }
}
