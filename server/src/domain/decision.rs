//! What a ballot decides, stated in full when it opens: the kind of change,
//! the article it touches as it read at the proposal's base version (number,
//! title, text), and the text proposed. The minutes print this statement
//! and its SHA-256, so the record of a deletion says which article was
//! removed, and no two different decisions share a digest (before, every
//! deletion and every general motion had the digest of the empty text).

use serde::{Deserialize, Serialize};

use super::charter::{section_numbers, Charter, SectionKind};
use super::ids::{DocumentId, SectionId};
use super::proposal::{Proposal, ProposalKind};

/// An article (or chapter) as it stood at the base version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SectionAtBase {
    #[schema(value_type = uuid::Uuid)]
    pub id: SectionId,
    pub kind: SectionKind,
    pub number: u32,
    pub title: String,
}

/// The statement put to the vote. [`Decision::digest`] hashes its canonical
/// JSON (keys sorted, no spaces), which anyone can recompute from the
/// `decision` the minutes show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Decision {
    pub kind: ProposalKind,
    #[schema(value_type = uuid::Uuid)]
    pub document_id: DocumentId,
    pub document_title: String,
    pub base_version: i64,
    /// The proposal's title.
    pub question: String,
    pub revision: i64,
    /// The article changed or removed (`amend`, `delete`).
    pub target: Option<SectionAtBase>,
    /// The section a new article follows (`add`; `None` when it goes first).
    pub insert_after: Option<SectionAtBase>,
    /// The article's text at the base version; empty for `add` and `general`.
    pub current_text: String,
    /// The text proposed; empty for `delete`.
    pub proposed_text: String,
    /// The co-sponsoring organizations when the ballot opened. Left out
    /// when there are none, so statements recorded before co-sponsors
    /// existed keep their digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cosponsors: Vec<String>,
}

impl Decision {
    /// The decision a ballot on `proposal` (at its current revision) makes,
    /// against `base`, the charter at the proposal's base version.
    pub fn of(proposal: &Proposal, base: &Charter) -> Decision {
        let numbers = section_numbers(base.sections.iter().map(|section| section.kind));
        let at_base = |id: Option<SectionId>| {
            let id = id?;
            let index = base.sections.iter().position(|section| section.id == id)?;
            let section = &base.sections[index];
            Some((
                SectionAtBase { id, kind: section.kind, number: numbers[index], title: section.title.clone() },
                section.body.clone(),
            ))
        };
        let (target, current_text) = match proposal.kind {
            ProposalKind::Amend | ProposalKind::Delete => match at_base(proposal.section_id) {
                Some((target, body)) => (Some(target), body),
                None => (None, String::new()),
            },
            ProposalKind::Add | ProposalKind::General => (None, String::new()),
        };
        let insert_after = match proposal.kind {
            ProposalKind::Add => at_base(proposal.after_section_id).map(|(section, _)| section),
            _ => None,
        };
        let proposed_text = match proposal.kind {
            ProposalKind::Delete => String::new(),
            _ => proposal.revision.body.clone(),
        };
        Decision {
            kind: proposal.kind,
            document_id: proposal.document_id,
            document_title: base.title.clone(),
            base_version: proposal.base_version,
            question: proposal.title.clone(),
            revision: proposal.revision.number,
            target,
            insert_after,
            current_text,
            proposed_text,
            cosponsors: proposal.cosponsors.iter().map(|organization| organization.name.clone()).collect(),
        }
    }

    pub fn canonical(&self) -> String {
        super::canonical_json::to_canonical(self)
    }

    /// The SHA-256 of the canonical statement, in hex.
    pub fn digest(&self) -> String {
        super::ballot::text_digest(&self.canonical())
    }
}

#[cfg(test)]
#[path = "decision_tests.rs"]
mod tests;
