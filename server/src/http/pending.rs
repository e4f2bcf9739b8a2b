//! `GET /api/v1/me/pending`: what waits for the caller's organization, for
//! the home page ("Pendiente para su organización"): which ballots it must
//! vote in and by when, whether it did, its proposals others are
//! discussing, and how many notifications are unread.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiResult, Problem};
use super::extract::Json;
use super::session::CurrentUser;
use crate::domain::ballot::Choice;
use crate::domain::ballot_record::BallotView;
use crate::domain::ids::{DocumentId, ProposalId};
use crate::domain::pending::{PendingProposal, ACTIVITY_WITHIN};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/me/pending", get(pending))
}

/// At most this many of the organization's proposals.
const PROPOSALS: u32 = 20;

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalRef {
    #[schema(value_type = uuid::Uuid)]
    pub id: ProposalId,
    #[schema(value_type = uuid::Uuid)]
    pub document_id: DocumentId,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingBallot {
    pub ballot: BallotView,
    /// The proposal voted on (a ballot on a whole document has none).
    pub proposal: Option<ProposalRef>,
    /// What is voted on, and where the vote is cast.
    pub title: String,
    pub link: String,
    pub closes_at: Option<DateTime<Utc>>,
    /// The organization's current choice; `null` if it has not voted, or
    /// in a secret ballot (see `voted`).
    pub my_vote: Option<Choice>,
    /// Whether the organization has voted.
    pub voted: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    pub ballots: Vec<PendingBallot>,
    pub proposals: Vec<PendingProposal>,
    pub unread: u64,
}

/// What waits for the caller's organization.
#[utoipa::path(get, path = "/api/v1/me/pending", tag = "notifications",
    responses((status = 200, body = Pending), (status = 401, body = Problem)))]
pub async fn pending(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<Pending>> {
    let org = user.organization.id;
    let mut ballots = Vec::new();
    for record in state.store.open_ballots_for(org).await? {
        let proposal = match record.subject.proposal_id() {
            Some(id) => {
                let proposal = state.store.proposal(id).await?;
                Some(ProposalRef { id: proposal.id, document_id: proposal.document_id, title: proposal.title })
            }
            None => None,
        };
        let voted = record.votes.iter().any(|vote| vote.organization_id == org);
        let ballot = record.view_for(Some(org));
        let link = match &proposal {
            Some(_) => format!("{}#ballot", record.subject.link(record.id)),
            None => record.subject.link(record.id),
        };
        ballots.push(PendingBallot {
            closes_at: ballot.closes_at,
            my_vote: ballot.my_vote,
            voted: voted || ballot.my_ranking.is_some(),
            title: proposal.as_ref().map_or_else(|| record.question.clone(), |p| p.title.clone()),
            link,
            proposal,
            ballot,
        });
    }
    let proposals = state.store.proposals_in_play(org, Utc::now() - ACTIVITY_WITHIN, PROPOSALS).await?;
    let unread = state.store.unread_count(user.id).await?;
    Ok(Json(Pending { ballots, proposals, unread }))
}
