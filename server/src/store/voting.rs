//! The storage trait for ballots and adoption.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::account::User;
use crate::domain::ballot::Majority;
use crate::domain::ballot_record::{BallotRecord, Vote};
use crate::domain::ballot_subject::{Cast, Method};
use crate::domain::ids::{BallotId, DocumentId, ProposalId, SectionId};
use crate::domain::proposal::Proposal;
use crate::domain::stance::{SectionStances, Stance};

#[derive(Debug, Clone)]
pub struct NewBallot {
    pub majority: Majority,
    pub quorum: f64,
    pub secret: bool,
    pub live_results: bool,
    pub closes_at: Option<DateTime<Utc>>,
    /// Opened inside this session: eligible are the organizations present.
    pub session: Option<crate::domain::ids::SessionId>,
}

/// Who closes a ballot: the secretariat, or its deadline.
#[derive(Debug, Clone, Copy)]
pub enum Closer<'a> {
    Secretariat(&'a User),
    Deadline,
}

#[async_trait]
pub trait BallotStore: Send + Sync + 'static {
    /// Opens a ballot on an open proposal (which becomes `voting`), freezing
    /// the active member organizations as the eligible ones.
    async fn open_ballot(&self, proposal: ProposalId, new: NewBallot, actor: &User) -> StoreResult<BallotRecord>;
    async fn ballot(&self, id: BallotId) -> StoreResult<BallotRecord>;
    /// Casts or changes the actor's organization's vote; 409 once closed
    /// (or past the deadline), 403 for anyone who may not vote in it.
    /// The cast's time is taken under the ballot's lock.
    async fn cast_vote(&self, id: BallotId, cast: Cast, actor: &User) -> StoreResult<BallotRecord>;
    /// Closes once: the result is computed and stored, the proposal passes
    /// or is rejected. A deadline close of a ballot that is no longer open
    /// does nothing and returns `None`. The close's time (for the
    /// secretariat) is taken under the ballot's lock: every cast it counts
    /// was made before it.
    async fn close_ballot(&self, id: BallotId, by: Closer<'_>) -> StoreResult<Option<BallotRecord>>;
    async fn cancel_ballot(&self, id: BallotId, reason: String, actor: &User) -> StoreResult<BallotRecord>;
    /// Open ballots whose deadline has passed.
    async fn due_ballots(&self, now: DateTime<Utc>) -> StoreResult<Vec<BallotId>>;
    /// Every cast and change, oldest first.
    async fn vote_history(&self, id: BallotId) -> StoreResult<Vec<Vote>>;
    /// Applies a passed proposal to its document as a new version; a
    /// deletion that would break cross-references is refused unless `force`.
    async fn adopt(&self, proposal: ProposalId, force: bool, actor: &User) -> StoreResult<(Proposal, i64)>;
}

/// What a ballot on a whole document puts to the vote.
#[derive(Debug, Clone)]
pub enum DocumentBallot {
    Alternatives { proposal_ids: Vec<ProposalId>, status_quo: bool, method: Method },
    Approval { version: i64 },
    Block { section_ids: Vec<SectionId> },
}

#[derive(Debug, Clone)]
pub struct NewDocumentBallot {
    pub rule: NewBallot,
    pub ballot: DocumentBallot,
}

/// Ballots on a whole document: rivals, the whole text, a block.
#[async_trait]
pub trait DocumentBallotStore: Send + Sync + 'static {
    /// Opens it with the document locked; an alternatives ballot's
    /// proposals become `voting`.
    async fn open_document_ballot(
        &self,
        document: DocumentId,
        new: NewDocumentBallot,
        actor: &User,
    ) -> StoreResult<BallotRecord>;
    /// The document's own ballots (not those on single proposals), oldest first.
    async fn document_ballots(&self, document: DocumentId) -> StoreResult<Vec<BallotRecord>>;
}

/// The objection map.
#[async_trait]
pub trait StanceStore: Send + Sync + 'static {
    /// The actor's organization's stance on an article (the last counts).
    async fn set_stance(&self, section: SectionId, stance: Stance, reason: String, actor: &User) -> StoreResult<()>;
    async fn stance_map(&self, document: DocumentId) -> StoreResult<Vec<SectionStances>>;
}
