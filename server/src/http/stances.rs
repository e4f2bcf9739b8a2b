//! The objection map: each member organization's stance on each article.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::CurrentUser;
use crate::domain::ids::{DocumentId, SectionId};
use crate::domain::limits;
use crate::domain::stance::{SectionStances, Stance};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/sections/{id}/stance", put(set)).route("/documents/{id}/stances", get(map))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetStance {
    pub stance: Stance,
    /// Required for `object`.
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// Say one's organization's stance on an article (a delegate; the last counts).
#[utoipa::path(put, path = "/api/v1/sections/{id}/stance", tag = "charter", params(("id" = Uuid, Path)),
    request_body = SetStance,
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<SetStance>,
) -> ApiResult<StatusCode> {
    let reason = request.reason.unwrap_or_default();
    limits::length("reason", &reason, (0, 2000))?;
    state.store.set_stance(SectionId(id), request.stance, reason, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The map: per article, the count of each stance, who has not said, and
/// the objections with their reasons (any signed-in user).
#[utoipa::path(get, path = "/api/v1/documents/{id}/stances", tag = "charter", params(("id" = Uuid, Path)),
    responses((status = 200, body = [SectionStances]), (status = 404, body = Problem)))]
pub async fn map(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<SectionStances>>> {
    Ok(Json(state.store.stance_map(DocumentId(id)).await?))
}
