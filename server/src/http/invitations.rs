//! Invitations: made by the secretariat (or `minga invite`), mailed with
//! their link, listed by where they stand, renewed (a new link, the old one
//! dies) or revoked (the link answers 410). Opening and accepting one is in
//! `accounts.rs`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, PageQuery, Path, Query};
use super::session::Secretariat;
use crate::auth::link_token_hash;
use crate::domain::account::{Invitation, InvitationState, Organization, Role};
use crate::domain::ids::{InvitationId, OrganizationId, UserId};
use crate::domain::limits;
use crate::domain::mail::{MailKind, NewMail};
use crate::i18n::Lang;
use crate::state::{random_token, AppState};
use crate::store::{NewInvitation, StoreError};

pub fn router() -> Router<AppState> {
    // `{token}` names the id too: one path, one parameter name.
    Router::new()
        .route("/invitations", get(list).post(create_invitation))
        .route("/invitations/{token}", get(super::accounts::invitation).delete(revoke))
        .route("/invitations/{token}/resend", post(resend))
}

/// A fresh token and the link that carries it.
fn new_link(state: &AppState) -> (String, String) {
    let token = random_token();
    let url = format!("{}/invitations/{token}", state.public_url.base);
    (token, url)
}

/// Invitees have no language of their own yet: Spanish.
fn invitation_mail(
    state: &AppState,
    email: &str,
    organization: &str,
    role: Role,
    url: &str,
    expires_at: DateTime<Utc>,
) -> NewMail {
    let composed = crate::mail::compose::invitation(Lang::Es, organization, role, url, expires_at);
    NewMail::new(MailKind::Invitation, email, composed, Some(url.to_owned()), &state.mail.host)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitation {
    #[schema(schema_with = super::openapi::email_schema)]
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
    let (token, url) = new_link(state);
    let expires_at = Utc::now() + state.invitation_ttl;
    // The store checks the organization again, in the transaction.
    let mail = match state.store.organization(organization_id).await {
        Ok(org) => Some(invitation_mail(state, &email, &org.name, role, &url, expires_at)),
        Err(_) => None,
    };
    let invitation = state
        .store
        .create_invitation(NewInvitation {
            token_hash: link_token_hash(&token),
            email,
            organization_id,
            role,
            created_by,
            expires_at,
            mail,
        })
        .await?;
    state.mail.written();
    Ok(CreatedInvitation { token, url, expires_at: invitation.expires_at })
}

/// An invitation as the secretariat sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationEntry {
    #[schema(value_type = Uuid)]
    pub id: InvitationId,
    pub email: String,
    pub role: Role,
    pub organization: Organization,
    /// `pending`, `accepted`, `expired` or `revoked`.
    pub status: InvitationState,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl InvitationEntry {
    fn of(invitation: Invitation, now: DateTime<Utc>) -> InvitationEntry {
        InvitationEntry {
            status: invitation.state_at(now),
            id: invitation.id,
            email: invitation.email,
            role: invitation.role,
            organization: invitation.organization,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
            used_at: invitation.used_at,
            revoked_at: invitation.revoked_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    /// All when absent.
    #[param(value_type = Option<InvitationState>)]
    pub status: Option<String>,
    /// At most this many items (1..=1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Only invitations after the one with this id.
    pub after: Option<Uuid>,
}

/// Invitations, oldest first, with where each stands (secretariat).
#[utoipa::path(get, path = "/api/v1/invitations", tag = "administration", params(InvitationQuery),
    responses((status = 200, body = [InvitationEntry]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _secretariat: Secretariat,
    Query(query): Query<InvitationQuery>,
) -> ApiResult<Json<Vec<InvitationEntry>>> {
    let status = match query.status.as_deref() {
        None => None,
        Some(text) => Some(
            InvitationState::parse(text)
                .ok_or_else(|| ApiError::validation("status", "must be pending, accepted, expired or revoked"))?,
        ),
    };
    let page = PageQuery { limit: query.limit, after: query.after }.page()?;
    let now = Utc::now();
    let found = state.store.list_invitations(status, now, page).await?;
    Ok(Json(found.into_iter().map(|invitation| InvitationEntry::of(invitation, now)).collect()))
}

/// A new link for a pending or expired invitation, mailed again; the old
/// link stops working (secretariat).
#[utoipa::path(post, path = "/api/v1/invitations/{id}/resend", tag = "administration",
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = CreatedInvitation),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Accepted or revoked already", body = Problem),
    ))]
pub async fn resend(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<CreatedInvitation>> {
    let (token, url) = new_link(&state);
    let expires_at = Utc::now() + state.invitation_ttl;
    let found = state.store.invitation_by_id(InvitationId(id)).await?;
    let mail = invitation_mail(&state, &found.email, &found.organization.name, found.role, &url, expires_at);
    let renewed = state
        .store
        .renew_invitation(InvitationId(id), &link_token_hash(&token), expires_at, Some(mail), &actor)
        .await?;
    state.mail.written();
    Ok(Json(CreatedInvitation { token, url, expires_at: renewed.expires_at }))
}

/// Withdraws an invitation: its link answers 410 (secretariat).
///
/// In the document the path says `{token}`, as the path that opens an
/// invitation does (one path may have one template); here it is the id.
#[utoipa::path(delete, path = "/api/v1/invitations/{token}", tag = "administration",
    params(("token" = Uuid, Path, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked (or revoked already)"),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Accepted already", body = Problem),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    state.store.revoke_invitation(InvitationId(id), &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}
