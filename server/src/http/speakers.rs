//! The speakers list of a session: ask for the floor, withdraw, and the
//! secretariat's order, start, stop and time limit.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::{CurrentUser, Secretariat};
use super::sessions::{check_speaker_seconds, SessionAnswer};
use crate::domain::assembly::SpeakerStatus;
use crate::domain::ids::{SessionId, SpeakerId, UserId};
use crate::state::AppState;
use crate::store::SpeakerPatch;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions/{id}/speakers", post(ask))
        .route("/sessions/{id}/speakers/{speaker_id}", patch(update).delete(withdraw))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskForFloor {
    /// Someone else in the room (secretariat); oneself when absent.
    #[schema(value_type = Option<Uuid>)]
    pub user_id: Option<Uuid>,
}

/// Ask for the floor (oneself, present in an open session; or the
/// secretariat for someone in the room).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/speakers", tag = "assembly", params(("id" = Uuid, Path)),
    request_body = AskForFloor,
    responses((status = 201, body = SessionAnswer), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn ask(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<AskForFloor>,
) -> ApiResult<(StatusCode, Json<SessionAnswer>)> {
    let person = request.user_id.map_or(actor.id, UserId);
    let session = state.store.ask_for_floor(SessionId(id), person, &actor).await?;
    Ok((StatusCode::CREATED, Json(session.into())))
}

/// Take back a request for the floor (the speaker, or the secretariat)
/// while it waits.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}/speakers/{speaker_id}", tag = "assembly",
    params(("id" = Uuid, Path), ("speaker_id" = Uuid, Path)),
    responses((status = 200, body = SessionAnswer), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path((id, speaker)): Path<(Uuid, Uuid)>,
) -> ApiResult<Json<SessionAnswer>> {
    Ok(Json(state.store.remove_speaker(SessionId(id), SpeakerId(speaker), &actor).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSpeaker {
    /// The new place among those waiting (1 is next).
    #[schema(minimum = 1, maximum = 1000)]
    pub position: Option<i64>,
    /// `speaking` gives the floor (ending the current turn); `done` ends it.
    pub status: Option<SpeakerStatus>,
    #[schema(minimum = 30, maximum = 1800)]
    pub limit_seconds: Option<u32>,
}

/// Order, start or stop a speaker, or change their time (secretariat).
#[utoipa::path(patch, path = "/api/v1/sessions/{id}/speakers/{speaker_id}", tag = "assembly",
    params(("id" = Uuid, Path), ("speaker_id" = Uuid, Path)), request_body = PatchSpeaker,
    responses((status = 200, body = SessionAnswer), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path((id, speaker)): Path<(Uuid, Uuid)>,
    Json(request): Json<PatchSpeaker>,
) -> ApiResult<Json<SessionAnswer>> {
    if let Some(position) = request.position {
        if !(1..=1000).contains(&position) {
            return Err(crate::domain::limits::Invalid::new("position", "must be between 1 and 1000").into());
        }
    }
    let patch = SpeakerPatch {
        position: request.position,
        status: request.status,
        limit_seconds: request.limit_seconds.map(|s| check_speaker_seconds("limit_seconds", s)).transpose()?,
    };
    Ok(Json(state.store.update_speaker(SessionId(id), SpeakerId(speaker), patch, &actor).await?.into()))
}
