//! Wire shapes built from domain values where the API adds derived fields
//! (section numbers, rendered Markdown).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::charter::{section_numbers, Charter, SectionKind};
use crate::domain::ids::{DocumentId, SectionId};
use crate::domain::markdown::render_html;
use crate::domain::phase::Stage;
use crate::domain::references;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionView {
    #[schema(value_type = uuid::Uuid)]
    pub id: SectionId,
    pub kind: SectionKind,
    /// Derived from the position: chapters and articles are numbered separately.
    pub number: u32,
    pub title: String,
    pub body: String,
    pub body_html: String,
    pub position: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentView {
    #[schema(value_type = uuid::Uuid)]
    pub id: DocumentId,
    pub title: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    #[serde(flatten)]
    pub stage: Stage,
    /// Once final: the approval ballot, the version and the text's SHA-256.
    pub approval: Option<crate::domain::charter::Approval>,
    pub sections: Vec<SectionView>,
}

impl From<&Charter> for DocumentView {
    fn from(charter: &Charter) -> Self {
        let numbers = section_numbers(charter.sections.iter().map(|section| section.kind));
        let labels = references::labels(&charter.sections);
        DocumentView {
            stage: charter.stage,
            approval: charter.approval.clone(),
            id: charter.id,
            title: charter.title.clone(),
            version: charter.version,
            updated_at: charter.updated_at,
            sections: charter
                .sections
                .iter()
                .zip(numbers)
                .enumerate()
                .map(|(position, (section, number))| SectionView {
                    id: section.id,
                    kind: section.kind,
                    number,
                    title: section.title.clone(),
                    body: section.body.clone(),
                    body_html: render_html(&references::resolve(&section.body, charter.id, &labels)),
                    position,
                })
                .collect(),
        }
    }
}
