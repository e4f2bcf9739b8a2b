//! Accreditation: an organization's titular representative and alternates.

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::{CurrentUser, Secretariat};
use crate::domain::account::PersonRef;
use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::mandate::{may_nominate, Nomination, Representatives, MAX_ALTERNATES};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/representatives", get(list))
        .route("/organizations/{id}/representatives", get(show).put(nominate))
        .route("/organizations/{id}/representatives/confirm", post(confirm))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Nominate {
    #[schema(value_type = Uuid)]
    pub titular: Uuid,
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>, max_items = 5)]
    pub alternates: Vec<Uuid>,
}

/// An organization's representatives, and whom the caller may name.
#[derive(Debug, Serialize, ToSchema)]
pub struct RepresentativesAnswer {
    #[serde(flatten)]
    pub representatives: Representatives,
    /// The organization's people who may be named; only for those who may
    /// name them (its delegates, the secretariat).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<PersonRef>>,
}

/// The representatives in force (`confirmed`) and any waiting for the
/// secretariat (`proposed`); any signed-in user.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/representatives", tag = "assembly", params(("id" = Uuid, Path)),
    responses((status = 200, body = RepresentativesAnswer), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<RepresentativesAnswer>> {
    let organization = OrganizationId(id);
    let representatives = state.store.representatives(organization).await?;
    let candidates =
        if may_nominate(&actor, organization) { Some(state.store.candidates(organization).await?) } else { None };
    Ok(Json(RepresentativesAnswer { representatives, candidates }))
}

/// Every active member organization's representatives, by name.
#[utoipa::path(get, path = "/api/v1/representatives", tag = "assembly",
    responses((status = 200, body = [Representatives]), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<Representatives>>> {
    Ok(Json(state.store.all_representatives().await?))
}

/// Propose the titular and alternates (a delegate of the organization, or
/// the secretariat); in force once the secretariat confirms.
#[utoipa::path(put, path = "/api/v1/organizations/{id}/representatives", tag = "assembly", params(("id" = Uuid, Path)),
    request_body = Nominate,
    responses((status = 200, body = Representatives), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn nominate(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<Nominate>,
) -> ApiResult<Json<Representatives>> {
    if request.alternates.len() > MAX_ALTERNATES {
        return Err(
            crate::domain::limits::Invalid::new("alternates", format!("at most {MAX_ALTERNATES} alternates")).into()
        );
    }
    let nomination = Nomination {
        titular: UserId(request.titular),
        alternates: request.alternates.into_iter().map(UserId).collect(),
    };
    Ok(Json(state.store.nominate(OrganizationId(id), nomination, &actor).await?))
}

/// Confirm the proposed representatives (secretariat): they are in force.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/representatives/confirm", tag = "assembly",
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Representatives), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Representatives>> {
    Ok(Json(state.store.confirm_representatives(OrganizationId(id), &actor).await?))
}
