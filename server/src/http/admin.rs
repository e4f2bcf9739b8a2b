//! Organizations, people and invitations: the secretariat's administration.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::session::{CurrentUser, Secretariat};
use crate::auth::invitation_token_hash;
use crate::domain::account::{Organization, OrganizationKind, OrganizationPatch, Role, User, UserPatch};
use crate::domain::ids::{OrganizationId, UserId};
use crate::domain::limits;
use crate::state::{random_token, AppState};
use crate::store::{NewInvitation, NewOrganization, Page, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/organizations", get(list_organizations).post(create_organization))
        .route("/organizations/{id}", patch(update_organization))
        .route("/users", get(list_users))
        .route("/users/{id}", patch(update_user))
        .route("/invitations", post(create_invitation))
}

/// `?limit=&after=` for lists ordered oldest first.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// At most this many items (1..=1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Only items after the one with this id.
    pub after: Option<Uuid>,
}

impl PageQuery {
    pub fn page(&self) -> ApiResult<Page> {
        let limit = self.limit.unwrap_or(Page::MAX_LIMIT);
        if !(1..=Page::MAX_LIMIT).contains(&limit) {
            return Err(ApiError::validation("limit", format!("must be between 1 and {}", Page::MAX_LIMIT)));
        }
        Ok(Page { after: self.after, limit })
    }
}

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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitation {
    #[schema(
        min_length = 3,
        max_length = 254,
        pattern = r"^\s*[^\s@\x00-\x1f\x7f-\x9f]+@[^\s@.\x00-\x1f\x7f-\x9f][^\s@\x00-\x1f\x7f-\x9f]*\.[^\s@\x00-\x1f\x7f-\x9f]*[^\s@.\x00-\x1f\x7f-\x9f]\s*$"
    )]
    pub email: String,
    pub organization_id: Uuid,
    pub role: Role,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedInvitation {
    /// Shown once: only its hash is stored.
    pub token: String,
    /// The link to send to the invited person.
    pub url: String,
    pub expires_at: DateTime<Utc>,
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
    _secretariat: Secretariat,
    Json(request): Json<CreateOrganization>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let new = NewOrganization {
        name: limits::title("name", &request.name)?,
        short_name: limits::short_name(&request.short_name)?,
        kind: request.kind,
    };
    let org = state.store.create_organization(new).await?;
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
    _secretariat: Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<UpdateOrganization>,
) -> ApiResult<Json<Organization>> {
    let patch = OrganizationPatch {
        name: request.name.as_deref().map(|name| limits::title("name", name)).transpose()?,
        short_name: request.short_name.as_deref().map(limits::short_name).transpose()?,
        kind: request.kind,
        active: request.active,
    };
    Ok(Json(state.store.update_organization(OrganizationId(id), patch).await?))
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
    let user = state.store.update_user(UserId(id), patch).await?;
    // An open socket was let in by the old role (the moderation queue,
    // hidden bodies): it ends, and the person reconnects as who they are now.
    // REST requests read the user afresh, so they follow at once.
    if !user.active || user.role != before.role || user.organization.id != before.organization.id {
        state.hub.end_sessions_of(user.id);
    }
    tracing::info!(actor = %actor.id, user = %user.id, active = user.active, role = user.role.as_str(), "user updated");
    Ok(Json(user))
}

/// Invite someone to an organization with a role (secretariat).
#[utoipa::path(post, path = "/api/v1/invitations", tag = "administration", request_body = CreateInvitation,
    responses(
        (status = 201, body = CreatedInvitation),
        (status = 403, body = Problem),
        (status = 409, description = "An account with this email already exists", body = Problem),
        (status = 422, description = "Unknown organization, or a role that does not fit it", body = Problem),
    ))]
pub async fn create_invitation(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Json(request): Json<CreateInvitation>,
) -> ApiResult<(StatusCode, Json<CreatedInvitation>)> {
    let created =
        invite(&state, &request.email, OrganizationId(request.organization_id), request.role, Some(actor.id)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Creates an invitation and its link; shared by the API and `minga invite`.
pub async fn invite(
    state: &AppState,
    email: &str,
    organization_id: OrganizationId,
    role: Role,
    created_by: Option<UserId>,
) -> ApiResult<CreatedInvitation> {
    let email = limits::email(email)?;
    if state.store.credentials(&email).await?.is_some() {
        return Err(StoreError::Conflict("an account with this email already exists".into()).into());
    }
    let token = random_token();
    let invitation = state
        .store
        .create_invitation(NewInvitation {
            token_hash: invitation_token_hash(&token),
            email,
            organization_id,
            role,
            created_by,
            expires_at: Utc::now() + state.invitation_ttl,
        })
        .await?;
    let url = format!("{}/invitations/{token}", state.public_url.base);
    Ok(CreatedInvitation { token, url, expires_at: invitation.expires_at })
}
