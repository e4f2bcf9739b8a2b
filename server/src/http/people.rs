//! `GET /api/v1/people?q=`: the people an `@` in a comment may name, for
//! the comment box's autocomplete. Names are what every comment already
//! shows; addresses and roles stay out.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Query};
use super::session::CurrentUser;
use crate::domain::notification::mention_candidates;
use crate::state::AppState;
use crate::store::notice_delivery::Mentionable;

pub fn router() -> Router<AppState> {
    Router::new().route("/people", get(people))
}

/// At most this many names come back.
pub const MAX_PEOPLE: usize = 10;
/// What one may type after the `@`, in characters.
pub const MAX_TYPED: usize = 64;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// The start of a word of the name (1 to 64 characters).
    #[param(min_length = 1, max_length = 64, pattern = r"\S")]
    pub q: String,
}

/// Active people whose name has a word starting with `q`, at most ten.
#[utoipa::path(get, path = "/api/v1/people", tag = "notifications", params(PeopleQuery),
    responses((status = 200, body = [Mentionable]), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn people(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(query): Query<PeopleQuery>,
) -> ApiResult<Json<Vec<Mentionable>>> {
    let typed = query.q.trim();
    if typed.is_empty() || typed.chars().count() > MAX_TYPED {
        return Err(ApiError::validation("q", format!("between 1 and {MAX_TYPED} characters")));
    }
    let everyone = state.store.mentionable().await?;
    let found = mention_candidates(typed, &everyone, |person| person.display_name.as_str(), MAX_PEOPLE);
    Ok(Json(found.into_iter().cloned().collect()))
}
