//! The storage traits for the charter, proposals, discussion and events.

use async_trait::async_trait;

use super::{Page, StoreResult};
use crate::domain::account::User;
use crate::domain::charter::{Charter, DocumentSummary, SectionKind, VersionInfo};
use crate::domain::comment::{Anchor, Comment, Flag, FlagAction};
use crate::domain::event::{Event, Topic};
use crate::domain::ids::{CommentId, DocumentId, FlagId, OrganizationId, ProposalId, SectionId};
use crate::domain::proposal::{Proposal, ProposalKind, ProposalStatus, Revision};

#[derive(Debug, Clone)]
pub struct NewSection {
    pub kind: SectionKind,
    pub title: String,
    pub body: String,
    pub after: Option<SectionId>,
}

#[derive(Debug, Clone)]
pub struct NewProposal {
    pub kind: ProposalKind,
    pub section_id: Option<SectionId>,
    pub after_section_id: Option<SectionId>,
    pub title: String,
    pub body: String,
    pub rationale: String,
    /// A new title for the section (`amend` only).
    pub section_title: Option<String>,
    /// The proposals a consolidated text replaces (secretariat only).
    pub supersedes: Vec<ProposalId>,
}

#[derive(Debug, Clone)]
pub struct NewRevision {
    pub title: Option<String>,
    pub body: String,
    pub note: String,
    /// A new title for the section; `None` keeps the one proposed before.
    pub section_title: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewComment {
    pub body: String,
    pub parent_id: Option<CommentId>,
    pub anchor: Option<Anchor>,
}

/// An earlier body of an edited comment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CommentEdit {
    pub body: String,
    pub written_at: chrono::DateTime<chrono::Utc>,
}

/// What the secretariat changes of a document itself (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct DocumentChange {
    pub title: Option<String>,
    pub phase: Option<crate::domain::phase::Phase>,
    pub amendments_close_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// What `minga verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainReport {
    pub topics: usize,
    pub events: usize,
    /// The first broken link: (topic, seq).
    pub first_break: Option<(String, i64)>,
}

/// Each change makes a new version of the charter, stored whole.
#[async_trait]
pub trait DocumentStore: Send + Sync + 'static {
    async fn list_documents(&self) -> StoreResult<Vec<DocumentSummary>>;
    async fn create_document(&self, title: String, actor: &User) -> StoreResult<Charter>;
    async fn charter(&self, id: DocumentId) -> StoreResult<Charter>;
    async fn charter_at(&self, id: DocumentId, version: i64) -> StoreResult<Charter>;
    async fn versions(&self, id: DocumentId) -> StoreResult<Vec<VersionInfo>>;
    async fn insert_section(&self, id: DocumentId, new: NewSection, actor: &User) -> StoreResult<(Charter, SectionId)>;
    async fn update_section(
        &self,
        id: SectionId,
        title: Option<String>,
        body: Option<String>,
        actor: &User,
    ) -> StoreResult<(Charter, SectionId)>;
    /// Replaces every section (an import).
    async fn replace_sections(&self, id: DocumentId, sections: Vec<NewSection>, actor: &User) -> StoreResult<Charter>;
}

/// The secretariat's changes to a document's phase and shape.
#[async_trait]
pub trait StructureStore: Send + Sync + 'static {
    /// A new title is a new version; a new phase or deadline is a
    /// `document.phase` event told to every organization.
    async fn update_document(&self, id: DocumentId, change: DocumentChange, actor: &User) -> StoreResult<Charter>;
    /// Refused with the references it would break, unless `force`.
    async fn delete_section(&self, id: SectionId, force: bool, actor: &User) -> StoreResult<Charter>;
    async fn move_section(&self, id: SectionId, after: Option<SectionId>, actor: &User) -> StoreResult<Charter>;
}

#[async_trait]
pub trait ProposalStore: Send + Sync + 'static {
    async fn create_proposal(&self, document: DocumentId, new: NewProposal, actor: &User) -> StoreResult<Proposal>;
    async fn proposal(&self, id: ProposalId) -> StoreResult<Proposal>;
    async fn list_proposals(
        &self,
        document: DocumentId,
        status: Option<ProposalStatus>,
        page: Page,
    ) -> StoreResult<Vec<Proposal>>;
    /// Revisions numbered after `after`, at most `limit` of them, cut once
    /// their text passes `max_chars` (always at least one).
    async fn revisions(&self, id: ProposalId, after: i64, limit: u32, max_chars: i64) -> StoreResult<Vec<Revision>>;
    /// One revision, the latest when `number` is `None`; `Ok(None)` when the
    /// proposal has no such revision.
    async fn revision(&self, id: ProposalId, number: Option<i64>) -> StoreResult<Option<Revision>>;
    async fn revise(&self, id: ProposalId, new: NewRevision, actor: &User) -> StoreResult<Proposal>;
    async fn withdraw(&self, id: ProposalId, actor: &User) -> StoreResult<Proposal>;
    async fn set_locked(&self, id: ProposalId, locked: bool, actor: &User) -> StoreResult<Proposal>;
}

/// Organizations that co-sign proposals.
#[async_trait]
pub trait CosponsorStore: Send + Sync + 'static {
    async fn invite_cosponsor(
        &self,
        id: ProposalId,
        organization: OrganizationId,
        actor: &User,
    ) -> StoreResult<Proposal>;
    async fn accept_cosponsorship(&self, id: ProposalId, actor: &User) -> StoreResult<Proposal>;
}

#[async_trait]
pub trait DiscussionStore: Send + Sync + 'static {
    /// The thread oldest first, a page at a time.
    async fn comments(&self, proposal: ProposalId, page: Page) -> StoreResult<Vec<Comment>>;
    async fn comment(&self, id: CommentId) -> StoreResult<Comment>;
    async fn create_comment(&self, proposal: ProposalId, new: NewComment, actor: &User) -> StoreResult<Comment>;
    async fn edit_comment(&self, id: CommentId, body: String, actor: &User) -> StoreResult<Comment>;
    async fn comment_history(&self, id: CommentId) -> StoreResult<Vec<CommentEdit>>;
    async fn delete_comment(&self, id: CommentId, actor: &User) -> StoreResult<Comment>;
    async fn set_hidden(&self, id: CommentId, reason: Option<String>, actor: &User) -> StoreResult<Comment>;
    async fn flag_comment(&self, id: CommentId, reason: String, actor: &User) -> StoreResult<Flag>;
    async fn flags(&self, open_only: bool) -> StoreResult<Vec<Flag>>;
    async fn resolve_flag(&self, id: FlagId, action: FlagAction, actor: &User) -> StoreResult<Flag>;
}

#[async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Events of `topic` with seq > `after`, oldest first, at most `limit`.
    async fn events(&self, topic: Topic, after: i64, limit: u32) -> StoreResult<Vec<Event>> {
        self.events_within(topic, after, limit, i64::MAX).await
    }
    /// As `events`, and stopping before the data would pass `max_chars`
    /// characters (at least one event, however large): a page of a topic
    /// of large revisions stays small in memory and on the wire.
    async fn events_within(&self, topic: Topic, after: i64, limit: u32, max_chars: i64) -> StoreResult<Vec<Event>>;
    /// The last seq of `topic` (0 when it has none).
    async fn head(&self, topic: Topic) -> StoreResult<i64>;
    /// The last seq of every topic that has events.
    async fn heads(&self) -> StoreResult<Vec<(Topic, i64)>>;
    /// Recomputes every topic's hash chain.
    async fn verify_chains(&self) -> StoreResult<ChainReport>;
}
