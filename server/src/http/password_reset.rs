//! Setting a password again. "¿Olvidó su contraseña?": a link by mail, one
//! hour, single use, and the same answer, at once, whether or not the
//! address has an account (the lookup and the mail happen after the answer);
//! requests are rate-limited like sign-ins. For someone without working
//! mail, the secretariat makes a link to hand over (24 hours). And a
//! signed-in person changes their own, given the current one.

use std::time::Instant;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::{check_origin_if_present, session_cookie, ClientAddress, CurrentUser, Secretariat};
use crate::auth::link_token_hash;
use crate::domain::account::unique_key;
use crate::domain::ids::UserId;
use crate::domain::limits;
use crate::domain::mail::{MailKind, NewMail};
use crate::state::{random_token, AppState};

/// How long a mailed link works.
pub const RESET_LINK_TTL: chrono::Duration = chrono::Duration::hours(1);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/password-reset", post(request_reset))
        .route("/auth/password-reset/{token}", post(reset))
        .route("/users/{id}/access-link", post(access_link))
        .route("/me/password", post(change_password))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[schema(schema_with = super::openapi::email_schema)]
    pub email: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequested {
    pub detail: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    #[schema(min_length = 10, max_length = 200)]
    pub password: String,
}

/// Mails a link to set a new password, if the address has an active
/// account; the answer is the same either way.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "accounts", security(()),
    request_body = ResetRequest,
    responses(
        (status = 202, body = ResetRequested),
        (status = 422, body = Problem),
        (status = 429, body = Problem),
    ))]
pub async fn request_reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Json(request): Json<ResetRequest>,
) -> ApiResult<(StatusCode, Json<ResetRequested>)> {
    check_origin_if_present(&headers, &state.public_url.origin)?;
    let email = limits::email(&request.email)?;
    let account = unique_key(&email);
    // Every request counts: a reset link is never a "success" that clears it.
    if let Err(wait) = state.reset_throttle().reserve(&account, &address, Instant::now()) {
        return Err(ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
    }
    let background = state.clone();
    tokio::spawn(async move {
        if let Err(err) = mail_reset_link(&background, &account).await {
            tracing::warn!(error = %err, "could not make a password link");
        }
    });
    let detail = "if an active account has this address, a link to set a new password is on its way; \
                  it works once, for an hour";
    Ok((StatusCode::ACCEPTED, Json(ResetRequested { detail: detail.into() })))
}

async fn mail_reset_link(state: &AppState, account: &str) -> anyhow::Result<()> {
    let Some(found) = state.store.credentials(account).await? else {
        return Ok(());
    };
    if !found.user.active {
        return Ok(());
    }
    let token = random_token();
    let url = format!("{}/restablecer/{token}", state.public_url.base);
    let expires_at = chrono::Utc::now() + RESET_LINK_TTL;
    let lang = state.store.preferences(found.user.id).await?.lang;
    let composed = crate::mail::compose::password_reset(lang, &found.user.email, &url, expires_at);
    let mut mail = NewMail::new(MailKind::PasswordReset, &found.user.email, composed, Some(url), &state.mail.host);
    // The link is its owner's alone: the outbox does not show it.
    mail.secret = true;
    state.store.create_password_reset(found.user.id, &link_token_hash(&token), expires_at, Some(mail), None).await?;
    state.mail.written();
    Ok(())
}

/// Sets a new password with a link's token; the person's other links and
/// sessions end.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/{token}", tag = "accounts", security(()),
    params(("token" = String, Path, description = "The token from the mailed link")),
    request_body = NewPassword,
    responses(
        (status = 204, description = "The password is set; sign in with it"),
        (status = 404, description = "No such link", body = Problem),
        (status = 410, description = "Used, superseded, expired, or the account is inactive", body = Problem),
        (status = 422, body = Problem),
        (status = 429, body = Problem),
        (status = 503, description = "Too many password checks at once", body = Problem),
    ))]
pub async fn reset(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Path(token): Path<String>,
    Json(request): Json<NewPassword>,
) -> ApiResult<StatusCode> {
    check_origin_if_present(&headers, &state.public_url.origin)?;
    limits::password(&request.password)?;
    // Guessing tokens costs a password hash each: bounded per address.
    let guesses = "password link";
    if let Err(wait) = state.reset_throttle().reserve(guesses, &address, Instant::now()) {
        return Err(ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
    }
    let password_hash = state.password_checks.hash(request.password).await?;
    let user = state.store.use_password_reset(&link_token_hash(&token), &password_hash, chrono::Utc::now()).await?;
    state.reset_throttle().record_success(guesses, &address);
    state.hub.end_sessions_of(user.id);
    tracing::info!(user = %user.id, "password set with a link");
    Ok(StatusCode::NO_CONTENT)
}

/// How long a link the secretariat makes works.
pub const ACCESS_LINK_TTL: chrono::Duration = chrono::Duration::hours(24);

#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLink {
    /// Hand it to the person: it sets a new password once.
    pub url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// A link for someone without working mail to set a new password, for the
/// secretariat to hand over (24 hours, once); the `accounts` record notes
/// who made it for whom, never the link.
#[utoipa::path(post, path = "/api/v1/users/{id}/access-link", tag = "administration",
    params(("id" = uuid::Uuid, Path)),
    responses(
        (status = 201, body = AccessLink),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "The account is not active", body = Problem),
    ))]
pub async fn access_link(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<uuid::Uuid>,
) -> ApiResult<(StatusCode, Json<AccessLink>)> {
    let user = state.store.user(UserId(id)).await?;
    if !user.active {
        return Err(ApiError::Conflict("this account is not active: activate it first".into()));
    }
    let token = random_token();
    let url = format!("{}/restablecer/{token}", state.public_url.base);
    let expires_at = chrono::Utc::now() + ACCESS_LINK_TTL;
    state.store.create_password_reset(user.id, &link_token_hash(&token), expires_at, None, Some(&actor)).await?;
    Ok((StatusCode::CREATED, Json(AccessLink { url, expires_at })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    #[schema(min_length = 10, max_length = 200)]
    pub new_password: String,
}

/// Changes the caller's password, given the current one. Every session ends
/// but this browser's, whose cookie is renewed (a Bearer client signs in again).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed; the session cookie is renewed"),
        (status = 401, body = Problem),
        (status = 403, description = "The current password is wrong, or sent from another site", body = Problem),
        (status = 422, body = Problem),
        (status = 429, body = Problem),
        (status = 503, description = "Too many password checks at once", body = Problem),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    Json(request): Json<PasswordChange>,
) -> ApiResult<Response> {
    check_origin_if_present(&headers, &state.public_url.origin)?;
    limits::password(&request.new_password)?;
    let account = unique_key(&user.email);
    // Wrong current passwords count as failed sign-ins do.
    if let Err(wait) = state.login_throttle().reserve(&account, &address, Instant::now()) {
        return Err(ApiError::RateLimited { retry_after_secs: wait.as_secs().max(1) });
    }
    let stored = state.store.credentials(&account).await?.map(|found| found.password_hash);
    if !state.password_checks.verify(request.current_password, stored).await? {
        return Err(ApiError::forbidden("the current password is not right"));
    }
    state.login_throttle().record_success(&account, &address);
    let password_hash = state.password_checks.hash(request.new_password).await?;
    let user = state.store.set_password(user.id, &password_hash).await?;
    state.hub.end_sessions_of(user.id);
    let token = state.tokens.issue(&user, chrono::Utc::now())?;
    let cookie = session_cookie(Some(&token), state.tokens.ttl().num_seconds(), state.public_url.https);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}
