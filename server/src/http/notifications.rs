//! One's own inbox: what happened that concerns the caller, newest first,
//! said in the caller's language (`?lang=` or Accept-Language).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Query};
use super::session::CurrentUser;
use crate::domain::ids::NoticeId;
use crate::domain::notification::{NoticeKind, Notification};
use crate::i18n::Lang;
use crate::notice_text;
use crate::state::AppState;
use crate::store::{Page, ToMark};

pub fn router() -> Router<AppState> {
    Router::new().route("/me/notifications", get(list)).route("/me/notifications/read", post(mark_read))
}

/// How many of the caller's notifications are unread, on every inbox answer.
pub const UNREAD: HeaderName = HeaderName::from_static("x-minga-unread");

/// At most this many ids in one mark-read request.
pub const MAX_IDS: usize = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
    /// At most this many (1..=1000, default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Only those older than the one with this id (the next page).
    pub after: Option<Uuid>,
    /// `es` or `en`; Accept-Language otherwise.
    pub lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    #[schema(value_type = Uuid)]
    pub id: NoticeId,
    pub kind: NoticeKind,
    pub title: String,
    pub body: String,
    /// Where in the web client it is about.
    pub link: String,
    pub data: Value,
    /// How many notices of one discussion folded into this one.
    pub count: u32,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl NotificationView {
    pub fn new(notification: Notification, lang: Lang) -> NotificationView {
        let (title, body) = notice_text::say(&notification, lang);
        NotificationView {
            id: notification.id,
            kind: notification.kind,
            title,
            body,
            link: notification.link,
            data: notification.data,
            count: notification.count,
            created_at: notification.created_at,
            read_at: notification.read_at,
        }
    }
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "notifications", params(InboxQuery),
    responses(
        (status = 200, body = [NotificationView],
            headers(("x-minga-unread" = u64, description = "How many are unread"))),
        (status = 401, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    Query(query): Query<InboxQuery>,
) -> ApiResult<Response> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=Page::MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation("limit", format!("must be between 1 and {}", Page::MAX_LIMIT)));
    }
    let lang = Lang::choose(query.lang.as_deref(), &headers);
    let found =
        state.store.notifications(user.id, query.unread.unwrap_or(false), query.after.map(NoticeId), limit).await?;
    let unread = state.store.unread_count(user.id).await?;
    let views: Vec<NotificationView> = found.into_iter().map(|found| NotificationView::new(found, lang)).collect();
    Ok(([(UNREAD, HeaderValue::from(unread))], Json(views)).into_response())
}

/// `{ids: [...]}` or `{all: true}` (`{all: false}` marks nothing).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum MarkRead {
    These(MarkThese),
    All(MarkAll),
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkThese {
    #[schema(max_items = 1000)]
    pub ids: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkAll {
    pub all: bool,
}

/// Marks notifications read: those listed, or every one.
#[utoipa::path(post, path = "/api/v1/me/notifications/read", tag = "notifications", request_body = MarkRead,
    responses(
        (status = 204, description = "Marked read"),
        (status = 401, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn mark_read(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Json(request): Json<MarkRead>,
) -> ApiResult<StatusCode> {
    let which = match request {
        MarkRead::All(MarkAll { all: true }) => ToMark::All,
        MarkRead::All(MarkAll { all: false }) => return Ok(StatusCode::NO_CONTENT),
        MarkRead::These(MarkThese { ids }) if ids.len() > MAX_IDS => {
            return Err(ApiError::validation("ids", format!("at most {MAX_IDS} at once")));
        }
        MarkRead::These(MarkThese { ids }) => ToMark::These(ids.into_iter().map(NoticeId).collect()),
    };
    state.store.mark_read(user.id, &which, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
