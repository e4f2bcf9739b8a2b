//! What waits for an organization ("Pendiente para su organización"): the
//! open ballots it may vote in, soonest deadline first, and whether it has
//! voted; its proposals that others have been discussing lately.

use chrono::Duration;
use serde::Serialize;

use super::ids::{DocumentId, ProposalId};
use super::proposal::ProposalStatus;

/// Comments by other organizations this recent count as new activity.
pub const ACTIVITY_WITHIN: Duration = Duration::days(7);

/// Proposals still in play: they may be discussed, revised or voted.
pub const IN_PLAY: [ProposalStatus; 3] = [ProposalStatus::Open, ProposalStatus::Voting, ProposalStatus::Passed];

/// One of the organization's proposals, with how much others said of it lately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PendingProposal {
    #[schema(value_type = uuid::Uuid)]
    pub id: ProposalId,
    #[schema(value_type = uuid::Uuid)]
    pub document_id: DocumentId,
    pub title: String,
    pub status: ProposalStatus,
    /// Comments by other organizations within `ACTIVITY_WITHIN`.
    pub new_comments: u32,
}
