//! Replaying a topic's events over REST (the websocket does the same live).

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Query};
use super::session::CurrentUser;
use crate::domain::comment::Audience;
use crate::domain::event::{may_read_topic, Event, Topic};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/events", get(replay))
}

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;
/// A page also stops before this many characters of event data (at least
/// one event is always sent): a thousand large revisions were 190 MB in one
/// answer. The client goes on from the last seq it got, as with `limit`.
pub const PAGE_CHARS: i64 = 2 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// `document:<id>`, `proposal:<id>`, or `moderation` and `accounts` (secretariat).
    #[param(
        pattern = "^(moderation|accounts|(document|proposal):([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32}|\\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\}|urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))$"
    )]
    pub topic: String,
    /// Only events with a greater seq (default 0: from the start).
    pub after: Option<i64>,
    /// At most this many (1..=1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A topic's events in seq order, as this reader may see them; a page ends
/// at `limit` events or about 2 MiB of event data, whichever comes first.
#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(EventQuery),
    responses((status = 200, body = [Event]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn replay(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<EventQuery>,
) -> ApiResult<Json<Vec<Event>>> {
    let topic = Topic::parse(&query.topic)
        .ok_or_else(|| ApiError::validation("topic", "document:<id>, proposal:<id>, moderation or accounts"))?;
    if !may_read_topic(&user, topic) {
        return Err(ApiError::forbidden("this topic is the secretariat's"));
    }
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::validation("limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let after = query.after.unwrap_or(0).max(0);
    let audience = Audience::of(&user);
    let events = state.store.events_within(topic, after, limit, PAGE_CHARS).await?;
    Ok(Json(events.iter().map(|event| event.as_seen_by(audience)).collect()))
}
