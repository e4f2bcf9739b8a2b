//! What each person wants to hear and how (`domain::preferences`), and the
//! unsubscribe link every notification mail carries: signed, it needs no
//! sign-in, and it sets that kind to "in the app".

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Query};
use super::session::CurrentUser;
use crate::domain::ids::UserId;
use crate::domain::lang::Lang;
use crate::domain::notification::NoticeKind;
use crate::domain::preferences::{Delivery, Preferences};
use crate::state::AppState;
use crate::store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/preferences", get(show).put(replace))
        .route("/unsubscribe", get(unsubscribe_page).post(unsubscribe))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesView {
    /// The language of Minga's mails and notifications to this person.
    pub lang: Lang,
    /// Per kind: `off` (not at all), `app` (the inbox), `email` (the inbox
    /// and a mail at once) or `digest` (the inbox and the day's digest at
    /// 18:00 in Ecuador). Every kind in answers; in a request, kinds left
    /// out take their default.
    #[serde(default)]
    #[schema(schema_with = super::openapi::notification_choices_schema)]
    pub notifications: BTreeMap<String, Delivery>,
}

impl From<&Preferences> for PreferencesView {
    fn from(preferences: &Preferences) -> Self {
        PreferencesView {
            lang: preferences.lang,
            notifications: preferences.all().into_iter().map(|(kind, delivery)| (kind.to_owned(), delivery)).collect(),
        }
    }
}

/// The caller's preferences, every kind of notification with how it is delivered.
#[utoipa::path(get, path = "/api/v1/me/preferences", tag = "notifications",
    responses((status = 200, body = PreferencesView), (status = 401, body = Problem)))]
pub async fn show(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> ApiResult<Json<PreferencesView>> {
    Ok(Json(PreferencesView::from(&state.store.preferences(user.id).await?)))
}

/// Replaces the caller's preferences; kinds left out take their default.
#[utoipa::path(put, path = "/api/v1/me/preferences", tag = "notifications", request_body = PreferencesView,
    responses((status = 200, body = PreferencesView), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn replace(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(request): Json<PreferencesView>,
) -> ApiResult<Json<PreferencesView>> {
    let mut chosen = BTreeMap::new();
    for (kind, delivery) in request.notifications {
        let Some(known) = NoticeKind::parse(&kind) else {
            let kinds: Vec<&str> = NoticeKind::ALL.iter().map(|kind| kind.as_str()).collect();
            return Err(ApiError::validation(
                "notifications",
                format!("unknown kind {kind:?}; kinds are {}", kinds.join(", ")),
            ));
        };
        chosen.insert(known, delivery);
    }
    let preferences = Preferences { lang: request.lang, chosen };
    state.store.set_preferences(user.id, &preferences, Utc::now()).await?;
    Ok(Json(PreferencesView::from(&preferences)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token of the mail's link.
    pub token: String,
}

/// What an unsubscribe link stands for.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unsubscription {
    pub kind: NoticeKind,
    /// How that kind reaches the person now.
    pub delivery: Delivery,
    /// The person's language, for the page that asks.
    pub lang: Lang,
}

/// Whose preferences a valid link stands for, and of which kind.
async fn resolve(state: &AppState, token: &str) -> ApiResult<(UserId, NoticeKind, Preferences)> {
    let invalid = || ApiError::NotFound("this unsubscribe link is not valid or has expired".into());
    let (user, kind) = state.tokens.verify_unsubscribe(token).ok_or_else(invalid)?;
    let kind = NoticeKind::parse(&kind).ok_or_else(invalid)?;
    match state.store.user(user).await {
        Ok(found) if found.active => {}
        Ok(_) | Err(StoreError::NotFound(_)) => return Err(invalid()),
        Err(err) => return Err(err.into()),
    }
    Ok((user, kind, state.store.preferences(user).await?))
}

/// What a mail's unsubscribe link stands for (the web page `/baja` asks
/// before changing anything, so a mail scanner following links changes
/// nothing). No sign-in: the link is signed.
#[utoipa::path(get, path = "/api/v1/unsubscribe", tag = "notifications", params(UnsubscribeQuery), security(()),
    responses((status = 200, body = Unsubscription), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(query): Query<UnsubscribeQuery>,
) -> ApiResult<Json<Unsubscription>> {
    let (_, kind, preferences) = resolve(&state, &query.token).await?;
    Ok(Json(Unsubscription { kind, delivery: preferences.delivery(kind), lang: preferences.lang }))
}

/// Sets that kind to "in the app": the page's button, or a mail program's
/// one-click POST (RFC 8058; its form body is not read).
#[utoipa::path(post, path = "/api/v1/unsubscribe", tag = "notifications", params(UnsubscribeQuery), security(()),
    responses((status = 200, body = Unsubscription), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn unsubscribe(
    State(state): State<AppState>,
    Query(query): Query<UnsubscribeQuery>,
) -> ApiResult<Json<Unsubscription>> {
    let (user, kind, mut preferences) = resolve(&state, &query.token).await?;
    preferences.stop_mail(kind);
    state.store.set_preferences(user, &preferences, Utc::now()).await?;
    tracing::info!(%user, kind = kind.as_str(), "unsubscribed from mail by link");
    Ok(Json(Unsubscription { kind, delivery: preferences.delivery(kind), lang: preferences.lang }))
}
