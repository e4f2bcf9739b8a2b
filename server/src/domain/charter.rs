//! The charter: a document of ordered sections (chapters and articles) whose
//! numbers are derived from their position, kept as numbered versions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ids::{DocumentId, ProposalId, SectionId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Chapter,
    Article,
}

impl SectionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Chapter => "chapter",
            SectionKind::Article => "article",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "chapter" => Some(SectionKind::Chapter),
            "article" => Some(SectionKind::Article),
            _ => None,
        }
    }
}

/// A section as stored: its number is not stored, it follows from the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub id: SectionId,
    pub kind: SectionKind,
    pub title: String,
    pub body: String,
}

/// The charter at one version: the snapshot every version keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charter {
    pub id: DocumentId,
    pub title: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// The document's phase now (a past version shows the current one).
    pub stage: super::phase::Stage,
    /// Once final: the approval that made it so.
    pub approval: Option<Approval>,
    pub sections: Vec<Section>,
}

/// The ballot that approved the whole text, at which version, and the
/// SHA-256 of the text approved (what the frozen text is checked against).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Approval {
    #[schema(value_type = uuid::Uuid)]
    pub ballot_id: super::ids::BallotId,
    pub version: i64,
    pub text_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DocumentSummary {
    #[schema(value_type = uuid::Uuid)]
    pub id: DocumentId,
    pub title: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub stage: super::phase::Stage,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct VersionInfo {
    pub version: i64,
    pub created_at: DateTime<Utc>,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub created_by: Option<UserId>,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub proposal_id: Option<ProposalId>,
    pub summary: String,
}

/// Chapters and articles are numbered separately, 1, 2, 3... in reading order.
pub fn section_numbers(kinds: impl IntoIterator<Item = SectionKind>) -> Vec<u32> {
    let (mut chapters, mut articles) = (0, 0);
    kinds
        .into_iter()
        .map(|kind| match kind {
            SectionKind::Chapter => {
                chapters += 1;
                chapters
            }
            SectionKind::Article => {
                articles += 1;
                articles
            }
        })
        .collect()
}

/// Where a new section goes: after `after` (or first when `None`). `None`
/// when `after` is not a section of this document.
pub fn insertion_index(sections: &[Section], after: Option<SectionId>) -> Option<usize> {
    match after {
        None => Some(0),
        Some(after) => sections.iter().position(|section| section.id == after).map(|index| index + 1),
    }
}

impl Charter {
    /// Each section with its number, as the diff compares them.
    pub fn section_texts(&self) -> Vec<super::diff::SectionText<'_>> {
        let numbers = section_numbers(self.sections.iter().map(|s| s.kind));
        self.sections
            .iter()
            .zip(numbers)
            .map(|(s, number)| super::diff::SectionText {
                id: s.id.0,
                kind: s.kind,
                number,
                title: &s.title,
                body: &s.body,
            })
            .collect()
    }

    /// The charter as Markdown: the same form the import reads.
    pub fn to_markdown(&self) -> String {
        let numbers = section_numbers(self.sections.iter().map(|s| s.kind));
        let sections: Vec<super::charter_text::ExportSection<'_>> = self
            .sections
            .iter()
            .zip(numbers)
            .map(|(s, number)| super::charter_text::ExportSection {
                kind: s.kind,
                number,
                title: &s.title,
                body: &s.body,
            })
            .collect();
        super::charter_text::to_markdown(&self.title, &sections)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionKind::{Article, Chapter};

    #[test]
    fn chapters_and_articles_are_numbered_separately() {
        assert_eq!(section_numbers([Chapter, Article, Article, Chapter, Article]), [1, 1, 2, 2, 3]);
        assert_eq!(section_numbers([Article, Article]), [1, 2]);
        assert!(section_numbers([]).is_empty());
    }

    #[test]
    fn insertion_follows_the_named_section() {
        let sections: Vec<Section> = (0..3)
            .map(|i| Section { id: SectionId::new(), kind: Article, title: format!("{i}"), body: String::new() })
            .collect();
        assert_eq!(insertion_index(&sections, None), Some(0));
        assert_eq!(insertion_index(&sections, Some(sections[1].id)), Some(2));
        assert_eq!(insertion_index(&sections, Some(sections[2].id)), Some(3));
        assert_eq!(insertion_index(&sections, Some(SectionId::new())), None);
    }
}
