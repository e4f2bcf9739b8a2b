//! Votes seen in the room: the secretariat records an organization's show
//! of hands in a ballot opened inside a session; the minutes mark it.

use axum::extract::State;
use axum::routing::put;
use axum::Router;
use uuid::Uuid;

use super::ballots::CastVote;
use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::Secretariat;
use crate::domain::ballot_record::BallotView;
use crate::domain::ids::{BallotId, OrganizationId};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/ballots/{id}/votes/{organization_id}", put(record))
}

/// Record an organization's vote by show of hands (secretariat; a ballot
/// of a session, the organization present). Its representatives see it and
/// may change it while the ballot is open.
#[utoipa::path(put, path = "/api/v1/ballots/{id}/votes/{organization_id}", tag = "assembly",
    params(("id" = Uuid, Path), ("organization_id" = Uuid, Path)), request_body = CastVote,
    responses((status = 200, body = BallotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Not a session's ballot, closed, or the organization is not present", body = Problem),
        (status = 422, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path((id, organization)): Path<(Uuid, Uuid)>,
    Json(request): Json<CastVote>,
) -> ApiResult<Json<BallotView>> {
    let ballot = state.store.hand_vote(BallotId(id), OrganizationId(organization), request.into(), &actor).await?;
    Ok(Json(ballot.view_for(Some(actor.organization.id))))
}
