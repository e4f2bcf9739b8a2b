//! What waits for an organization (see `domain::pending`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::ballot_record::BallotRecord;
use crate::domain::ids::OrganizationId;
use crate::domain::pending::PendingProposal;

#[async_trait]
pub trait PendingStore: Send + Sync + 'static {
    /// The open ballots `org` is eligible in, closing soonest first (those
    /// without a deadline last).
    async fn open_ballots_for(&self, org: OrganizationId) -> StoreResult<Vec<BallotRecord>>;
    /// `org`'s proposals still in play, most discussed by others since
    /// `since` first; at most `limit`.
    async fn proposals_in_play(
        &self,
        org: OrganizationId,
        since: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<PendingProposal>>;
}
