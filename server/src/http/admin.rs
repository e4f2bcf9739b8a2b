//! Organizations, people and invitations: the secretariat's administration.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::Router;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, PageQuery, Path, Query};
use super::session::{CurrentUser, Secretariat};
use crate::domain::account::{Organization, OrganizationKind, OrganizationPatch, Role, User, UserPatch};
use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::limits;
use crate::state::AppState;
use crate::store::NewOrganization;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations", get(list_organizations).post(create_organization))
        .route("/organizations/{id}", patch(update_organization))
        .route("/users", get(list_users))
        .route("/users/{id}", patch(update_user))
}

/// `?limit=&after=` for lists ordered oldest first.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrganization {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: String,
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub short_name: String,
    pub kind: OrganizationKind,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganization {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub name: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 30,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub short_name: Option<String>,
    pub kind: Option<OrganizationKind>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

/// The organizations taking part (any signed-in user).
#[utoipa::path(get, path = "/api/v1/organizations", tag = "administration", params(PageQuery),
    responses((status = 200, body = [Organization]), (status = 401, body = Problem)))]
pub async fn list_organizations(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<Vec<Organization>>> {
    Ok(Json(state.store.list_organizations(query.page()?).await?))
}

/// Add an organization (secretariat).
#[utoipa::path(post, path = "/api/v1/organizations", tag = "administration", request_body = CreateOrganization,
    responses(
        (status = 201, body = Organization),
        (status = 403, body = Problem),
        (status = 409, description = "Duplicate name", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn create_organization(
    State(state): State<AppState>,
    Secretariat(secretariat): Secretariat,
    Json(request): Json<CreateOrganization>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let new = NewOrganization {
        name: limits::title("name", &request.name)?,
        short_name: limits::short_name(&request.short_name)?,
        kind: request.kind,
    };
    let org = state.store.create_organization(new, Some(&secretariat)).await?;
    Ok((StatusCode::CREATED, Json(org)))
}

/// Change an organization (secretariat).
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", tag = "administration",
    params(("id" = Uuid, Path)), request_body = UpdateOrganization,
    responses(
        (status = 200, body = Organization),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn update_organization(
    State(state): State<AppState>,
    Secretariat(secretariat): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<UpdateOrganization>,
) -> ApiResult<Json<Organization>> {
    let patch = OrganizationPatch {
        name: request.name.as_deref().map(|name| limits::title("name", name)).transpose()?,
        short_name: request.short_name.as_deref().map(limits::short_name).transpose()?,
        kind: request.kind,
        active: request.active,
    };
    Ok(Json(state.store.update_organization(OrganizationId(id), patch, Some(&secretariat)).await?))
}

/// Everyone with an account (secretariat).
#[utoipa::path(get, path = "/api/v1/users", tag = "administration", params(PageQuery),
    responses((status = 200, body = [User]), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_users(
    State(state): State<AppState>,
    _secretariat: Secretariat,
    Query(query): Query<PageQuery>,
) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(state.store.list_users(query.page()?).await?))
}

/// Change a person's role, or deactivate them (their sessions end at once).
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "administration",
    params(("id" = Uuid, Path)), request_body = UpdateUser,
    responses(
        (status = 200, body = User),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Would leave no active secretariat", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<UpdateUser>,
) -> ApiResult<Json<User>> {
    let before = state.store.user(UserId(id)).await?;
    let patch = UserPatch { role: request.role, active: request.active };
    let user = state.store.update_user(UserId(id), patch, Some(&actor)).await?;
    // An open socket was let in by the old role (the moderation queue,
    // hidden bodies): it ends, and the person reconnects as who they are now.
    // REST requests read the user afresh, so they follow at once.
    if !user.active || user.role != before.role || user.organization.id != before.organization.id {
        state.hub.end_sessions_of(user.id);
    }
    tracing::info!(actor = %actor.id, user = %user.id, active = user.active, role = user.role.as_str(), "user updated");
    Ok(Json(user))
}
