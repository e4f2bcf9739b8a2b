//! Co-sponsors: the author organization invites another member
//! organization to co-sign its proposal; a delegate of that one accepts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::CurrentUser;
use crate::domain::ids::{OrganizationId, ProposalId};
use crate::domain::proposal::Proposal;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/cosponsors", post(invite))
        .route("/proposals/{id}/cosponsors/accept", post(accept))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteCosponsor {
    pub organization_id: Uuid,
}

/// Invite a member organization to co-sign (a delegate of the author
/// organization, or the secretariat; while the proposal is open).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/cosponsors", tag = "proposals", params(("id" = Uuid, Path)),
    request_body = InviteCosponsor,
    responses((status = 201, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn invite(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<InviteCosponsor>,
) -> ApiResult<(StatusCode, Json<Proposal>)> {
    let proposal =
        state.store.invite_cosponsor(ProposalId(id), OrganizationId(request.organization_id), &actor).await?;
    Ok((StatusCode::CREATED, Json(proposal)))
}

/// Accept to co-sign, for one's own organization (a delegate of an invited
/// organization); its delegates may then revise the proposal.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/cosponsors/accept", tag = "proposals",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(state.store.accept_cosponsorship(ProposalId(id), &actor).await?))
}
