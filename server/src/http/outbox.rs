//! The outbox, for the secretariat: what was mailed, what waits and why.
//! Without a mail server this is where the links are found and handed over.

use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, PageQuery, Path, Query};
use super::session::Secretariat;
use crate::domain::ids::MailId;
use crate::domain::mail::{MailStatus, OutboxEntry};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/outbox", get(list)).route("/outbox/{id}/retry", post(retry))
}

/// Says on every outbox answer whether mail is sent (`smtp`) or only kept (`off`).
pub const MAIL_DELIVERY: HeaderName = HeaderName::from_static("x-minga-mail-delivery");

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// Every mail when absent.
    #[param(value_type = Option<MailStatus>)]
    pub status: Option<String>,
    /// At most this many items (1..=1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Only mail after the one with this id.
    pub after: Option<Uuid>,
}

/// Mail, oldest first: recipient, subject, kind, tries, last error, times,
/// and the link it carries (never a link that is its recipient's alone).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "mail", params(OutboxQuery),
    responses(
        (status = 200, body = [OutboxEntry],
            headers(("x-minga-mail-delivery" = String, description = "`smtp` when mail is sent, `off` when only kept"))),
        (status = 403, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    _secretariat: Secretariat,
    Query(query): Query<OutboxQuery>,
) -> ApiResult<Response> {
    let status = match query.status.as_deref() {
        None => None,
        Some(text) => Some(
            MailStatus::parse(text).ok_or_else(|| ApiError::validation("status", "must be pending, sent or failed"))?,
        ),
    };
    let page = PageQuery { limit: query.limit, after: query.after }.page()?;
    let entries = state.store.outbox(status, page).await?;
    let delivery = if state.mail.delivers() { "smtp" } else { "off" };
    Ok(([(MAIL_DELIVERY, HeaderValue::from_static(delivery))], Json(entries)).into_response())
}

/// Tries a failed mail again, from its first try.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "mail", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Queued again"),
        (status = 403, body = Problem),
        (status = 409, description = "The mail has not failed", body = Problem),
    ))]
pub async fn retry(
    State(state): State<AppState>,
    _secretariat: Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    if !state.store.retry_mail(MailId(id), chrono::Utc::now()).await? {
        return Err(ApiError::Conflict("only a failed mail can be tried again".into()));
    }
    state.mail.written();
    Ok(StatusCode::NO_CONTENT)
}
