//! Signed checkpoints of the record, for anyone signed in to keep and later
//! check with `minga verify --checkpoint`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, PageQuery, Query};
use super::session::{CurrentUser, Secretariat};
use crate::domain::checkpoint::Checkpoint;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/checkpoints", get(list).post(make)).route("/checkpoints/latest", get(latest))
}

fn no_events() -> ApiError {
    ApiError::NotFound("there is no checkpoint yet: the record has no events".into())
}

/// The latest checkpoint: every topic's head, their digest, and the
/// deployment's Ed25519 signature of it.
#[utoipa::path(get, path = "/api/v1/checkpoints/latest", tag = "integrity",
    responses((status = 200, body = Checkpoint), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn latest(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Checkpoint>> {
    state.store.latest_checkpoint().await?.map(Json).ok_or_else(no_events)
}

/// Checkpoints, oldest first.
#[utoipa::path(get, path = "/api/v1/checkpoints", tag = "integrity", params(PageQuery),
    responses((status = 200, body = [Checkpoint]), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<Vec<Checkpoint>>> {
    Ok(Json(state.store.checkpoints(query.page()?).await?))
}

/// A checkpoint of the record now (secretariat): 201 when new, 200 with the
/// latest when nothing was written since.
#[utoipa::path(post, path = "/api/v1/checkpoints", tag = "integrity",
    responses(
        (status = 201, body = Checkpoint),
        (status = 200, description = "Nothing new since the latest", body = Checkpoint),
        (status = 403, body = Problem),
        (status = 404, description = "The record has no events", body = Problem),
    ))]
pub async fn make(
    State(state): State<AppState>,
    _secretariat: Secretariat,
) -> ApiResult<(StatusCode, Json<Checkpoint>)> {
    let before = state.store.latest_checkpoint().await?.map(|latest| latest.id);
    let made = crate::checkpointer::checkpoint_now(state.store.as_ref(), &state.checkpoint_key)
        .await?
        .ok_or_else(no_events)?;
    let status = if Some(made.id) == before { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, Json(made)))
}
