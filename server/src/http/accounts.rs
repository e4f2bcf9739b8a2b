//! Signing in and out, the current user, and accepting invitations.

use std::time::Instant;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::{
    check_origin, check_origin_if_present, cookie_token, presented_session, session_cookie, ClientAddress, CurrentUser,
};
use crate::auth::link_token_hash;
use crate::domain::account::{InvitationState, Organization, Role, User};
use crate::domain::{account, limits};
use crate::state::AppState;
use crate::store::NewAccount;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/logout-all", post(logout_all))
        .route("/me", get(me))
        .route("/invitations/{token}/accept", post(accept_invitation))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    /// A JWT; also set as the `minga_session` cookie.
    pub token: String,
    pub user: User,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub email: String,
    pub role: Role,
    pub organization: Organization,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub display_name: String,
    #[schema(min_length = 10, max_length = 200)]
    pub password: String,
}

/// Answers with the session as JSON and as a cookie.
fn signed_in(state: &AppState, status: StatusCode, user: User) -> ApiResult<Response> {
    let token = state.tokens.issue(&user, Utc::now())?;
    let cookie = session_cookie(Some(&token), state.tokens.ttl().num_seconds(), state.public_url.https);
    Ok((status, [(header::SET_COOKIE, cookie)], Json(SessionResponse { token, user })).into_response())
}

fn cleared_cookie(state: &AppState) -> [(header::HeaderName, axum::http::HeaderValue); 1] {
    [(header::SET_COOKIE, session_cookie(None, 0, state.public_url.https))]
}

/// Sign in with email and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "accounts", security(()), request_body = LoginRequest,
    responses(
        (status = 200, body = SessionResponse),
        (status = 401, description = "Wrong email or password (the same answer for both)", body = Problem),
        (status = 429, description = "Too many failed attempts", body = Problem),
        (status = 503, description = "Too many password checks at once; Retry-After says when to try again", body = Problem),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Json(request): Json<LoginRequest>,
) -> ApiResult<Response> {
    check_origin_if_present(&headers, &state.public_url.origin)?;
    let account = account::unique_key(&request.email);
    // The attempt counts as a failure from here on, until a right password
    // says otherwise: simultaneous attempts cannot all pass the check.
    if let Err(wait) = state.login_throttle().reserve(&account, &address, Instant::now()) {
        metrics::counter!("minga_login_throttled_total").increment(1);
        return Err(ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
    }
    let checked = check_credentials(&state, &account, request.password).await;
    match checked {
        Ok(Some(user)) => {
            state.login_throttle().record_success(&account, &address);
            signed_in(&state, StatusCode::OK, user)
        }
        Ok(None) => {
            metrics::counter!("minga_login_failures_total").increment(1);
            Err(ApiError::Unauthenticated)
        }
        Err(error) => {
            // Not an attempt at the password (busy, database down): given back.
            state.login_throttle().release(&account, &address);
            Err(error)
        }
    }
}

/// The active account this password opens, if any.
async fn check_credentials(state: &AppState, account: &str, password: String) -> ApiResult<Option<User>> {
    let credentials = state.store.credentials(account).await?;
    let (user, hash) = match credentials {
        Some(found) => (Some(found.user), Some(found.password_hash)),
        None => (None, None),
    };
    let password_ok = state.password_checks.verify(password, hash).await?;
    Ok(user.filter(|user| password_ok && user.active))
}

/// Sign out this browser: clears the session cookie.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "accounts", security(()),
    responses((status = 204), (status = 403, description = "Sent from another site", body = Problem)))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<impl IntoResponse> {
    // Clearing the cookie is a cookie write: another site may not sign a
    // browser out (its form posts carry its Origin, and no cookie under Lax).
    if cookie_token(&headers).is_some() {
        check_origin(&headers, &state.public_url.origin)?;
    } else {
        check_origin_if_present(&headers, &state.public_url.origin)?;
    }
    // The token itself stops working, not only the cookie: a copy of it
    // (another tab's Bearer header, a stolen cookie) is refused from now on.
    if let Some(subject) = presented_session(&headers, &state) {
        if let Some(session) = subject.session {
            state.store.end_session(session, subject.expires_at).await?;
            state.hub.end_session(session);
        }
    }
    Ok((StatusCode::NO_CONTENT, cleared_cookie(&state)))
}

/// Sign out everywhere: every token issued so far stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "accounts",
    responses((status = 204), (status = 401, body = Problem)))]
pub async fn logout_all(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<impl IntoResponse> {
    state.store.revoke_tokens(user.id).await?;
    state.hub.end_sessions_of(user.id);
    Ok((StatusCode::NO_CONTENT, cleared_cookie(&state)))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = User), (status = 401, body = Problem)))]
pub async fn me(CurrentUser(user): CurrentUser) -> Json<User> {
    Json(user)
}

/// What an invitation offers, before accepting it.
#[utoipa::path(get, path = "/api/v1/invitations/{token}", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The token from the invitation link")),
    responses(
        (status = 200, body = InvitationView),
        (status = 404, body = Problem),
        (status = 410, description = "Already used, expired or revoked", body = Problem),
    ))]
pub async fn invitation(State(state): State<AppState>, Path(token): Path<String>) -> ApiResult<Json<InvitationView>> {
    let invitation = state.store.invitation(&link_token_hash(&token)).await?;
    match invitation.state_at(Utc::now()) {
        InvitationState::Usable => Ok(Json(InvitationView {
            email: invitation.email,
            role: invitation.role,
            organization: invitation.organization,
            expires_at: invitation.expires_at,
        })),
        unusable => Err(crate::store::StoreError::InvitationUnusable(unusable).into()),
    }
}

/// Accept an invitation: creates the account and signs it in.
#[utoipa::path(post, path = "/api/v1/invitations/{token}/accept", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The token from the invitation link")),
    request_body = AcceptInvitation,
    responses(
        (status = 201, body = SessionResponse),
        (status = 404, body = Problem),
        (status = 409, description = "An account with this email already exists", body = Problem),
        (status = 410, description = "Already used or expired", body = Problem),
        (status = 422, body = Problem),
        (status = 503, description = "Too many password checks at once; Retry-After says when to try again", body = Problem),
    ))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Json(request): Json<AcceptInvitation>,
) -> ApiResult<Response> {
    check_origin_if_present(&headers, &state.public_url.origin)?;
    let token_hash = link_token_hash(&token);
    // Answer 404/410 before spending a password hash on a dead link.
    let found = state.store.invitation(&token_hash).await?;
    if let unusable @ (InvitationState::Used | InvitationState::Expired | InvitationState::Revoked) =
        found.state_at(Utc::now())
    {
        return Err(crate::store::StoreError::InvitationUnusable(unusable).into());
    }
    let display_name = limits::display_name(&request.display_name)?;
    limits::password(&request.password)?;
    let password_hash = state.password_checks.hash(request.password).await?;
    let user =
        state.store.accept_invitation(&token_hash, NewAccount { display_name, password_hash }, Utc::now()).await?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "invitation accepted");
    signed_in(&state, StatusCode::CREATED, user)
}
