//! Ballots: open, vote, close, cancel, read; and adoption of what passed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::session::{CurrentUser, Secretariat};
use super::structure::ForceQuery;
use crate::domain::ballot::{check_settings, Choice, Majority};
use crate::domain::ballot_record::BallotView;
use crate::domain::ballot_subject::Cast;
use crate::domain::ids::{BallotId, ProposalId, SessionId};
use crate::domain::limits;
use crate::domain::rate_limit::WriteKind;
use crate::state::AppState;
use crate::store::{Closer, NewBallot};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/ballot", post(open))
        .route("/proposals/{id}/adopt", post(adopt))
        .route("/ballots/{id}", get(show))
        .route("/ballots/{id}/vote", put(vote))
        .route("/ballots/{id}/close", post(close))
        .route("/ballots/{id}/cancel", post(cancel))
        .route("/ballots/{id}/minutes", get(super::minutes::minutes))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenBallot {
    pub majority: Majority,
    /// The fraction of eligible organizations that must take part (0..=1).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub quorum: f64,
    #[serde(default)]
    pub secret: bool,
    #[serde(default)]
    pub live_results: bool,
    pub closes_at: Option<DateTime<Utc>>,
    /// Opened inside this (open) session: the organizations present vote.
    #[schema(value_type = Option<Uuid>)]
    pub session_id: Option<Uuid>,
}

/// A vote: a choice on a proposal, an approval or a block; a ranking of
/// the options (most preferred first; those left out tie last) on a ranked
/// alternatives ballot; one option on a plurality one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum CastVote {
    Choice(ChoiceVote),
    Ranking(RankingVote),
    Option(OptionVote),
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceVote {
    pub choice: Choice,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RankingVote {
    #[schema(min_items = 1, max_items = 12)]
    pub ranking: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionVote {
    pub option: Uuid,
}

impl From<CastVote> for Cast {
    fn from(vote: CastVote) -> Cast {
        match vote {
            CastVote::Choice(vote) => Cast::Choice(vote.choice),
            CastVote::Ranking(vote) => Cast::Ranking(vote.ranking),
            CastVote::Option(vote) => Cast::Option(vote.option),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Cancel {
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Adopted {
    pub document_version: i64,
}

/// Put an open proposal to the vote (secretariat); it becomes `voting`.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/ballot", tag = "ballots", params(("id" = Uuid, Path)),
    request_body = OpenBallot,
    responses((status = 201, body = BallotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<OpenBallot>,
) -> ApiResult<(StatusCode, Json<BallotView>)> {
    check_settings(request.quorum, request.secret, request.live_results, request.closes_at, Utc::now())?;
    let new = NewBallot {
        majority: request.majority,
        quorum: request.quorum,
        secret: request.secret,
        live_results: request.live_results,
        closes_at: request.closes_at,
        session: request.session_id.map(SessionId),
    };
    let ballot = state.store.open_ballot(ProposalId(id), new, &actor).await?;
    Ok((StatusCode::CREATED, Json(ballot.view_for(Some(actor.organization.id)))))
}

/// A ballot: participation always; the tally only when live or closed.
#[utoipa::path(get, path = "/api/v1/ballots/{id}", tag = "ballots", params(("id" = Uuid, Path)),
    responses((status = 200, body = BallotView), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BallotView>> {
    Ok(Json(state.store.ballot(BallotId(id)).await?.view_for(Some(user.organization.id))))
}

/// Cast or change one's organization's vote (the last one counts).
#[utoipa::path(put, path = "/api/v1/ballots/{id}/vote", tag = "ballots", params(("id" = Uuid, Path)),
    request_body = CastVote,
    responses((status = 200, body = BallotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The ballot is closed", body = Problem), (status = 422, body = Problem)))]
pub async fn vote(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<CastVote>,
) -> ApiResult<Json<BallotView>> {
    state.throttle_write(actor.id, WriteKind::Vote).map_err(ApiError::too_fast)?;
    let ballot = state.store.cast_vote(BallotId(id), request.into(), &actor).await?;
    Ok(Json(ballot.view_for(Some(actor.organization.id))))
}

/// Close the ballot now (secretariat): the result is computed and kept.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/close", tag = "ballots", params(("id" = Uuid, Path)),
    responses((status = 200, body = BallotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn close(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<BallotView>> {
    let closed = state.store.close_ballot(BallotId(id), Closer::Secretariat(&actor)).await?;
    let ballot = closed.ok_or_else(|| ApiError::Conflict("the ballot is not open".into()))?;
    Ok(Json(ballot.view_for(Some(actor.organization.id))))
}

/// Cancel the ballot with a reason (secretariat); the proposal is open again.
#[utoipa::path(post, path = "/api/v1/ballots/{id}/cancel", tag = "ballots", params(("id" = Uuid, Path)),
    request_body = Cancel,
    responses((status = 200, body = BallotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<Cancel>,
) -> ApiResult<Json<BallotView>> {
    let reason = limits::single_line("reason", &request.reason, (1, 500))?;
    let ballot = state.store.cancel_ballot(BallotId(id), reason, &actor).await?;
    Ok(Json(ballot.view_for(Some(actor.organization.id))))
}

/// Apply a passed proposal to the charter as a new version (secretariat).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/adopt", tag = "ballots", params(("id" = Uuid, Path), ForceQuery),
    responses((status = 200, body = Adopted), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Not passed, the article changed since the base version, or deleting it would break references", body = Problem)))]
pub async fn adopt(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Query(query): Query<ForceQuery>,
) -> ApiResult<Json<Adopted>> {
    let (_, document_version) = state.store.adopt(ProposalId(id), query.force, &actor).await?;
    Ok(Json(Adopted { document_version }))
}
