//! The discussion of a proposal: threaded comments, their history, hiding,
//! flags and the moderation queue. Hidden bodies reach only the secretariat.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::Router;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::PageQuery;
use super::extract::{Json, Path, Query};
use super::session::{CurrentUser, Secretariat};
use crate::domain::comment::{body_visible, Anchor, Audience, Comment, Flag, FlagAction};
use crate::domain::ids::{CommentId, FlagId, ProposalId};
use crate::domain::limits;
use crate::domain::rate_limit::WriteKind;
use crate::state::AppState;
use crate::store::{CommentEdit, NewComment};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/proposals/{id}/comments", get(list).post(create))
        .route("/comments/{id}", patch(edit).delete(delete))
        .route("/comments/{id}/history", get(history))
        .route("/comments/{id}/hide", post(hide))
        .route("/comments/{id}/unhide", post(unhide))
        .route("/comments/{id}/flag", post(flag))
        .route("/moderation/flags", get(flags))
        .route("/moderation/flags/{id}/resolve", post(resolve))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateComment {
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub body: String,
    pub parent_id: Option<Uuid>,
    pub anchor: Option<Anchor>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditComment {
    #[schema(min_length = 1, max_length = 20000, pattern = r"\S")]
    pub body: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    #[schema(
        min_length = 1,
        max_length = 500,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resolve {
    pub action: FlagAction,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlagQuery {
    /// `open` (the queue) or `all`.
    #[param(pattern = "^(open|all)$")]
    pub status: Option<String>,
}

fn reason(text: &str) -> ApiResult<String> {
    Ok(limits::single_line("reason", text, (1, 500))?)
}

/// The thread, oldest first; deleted and hidden comments keep their place.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/comments", tag = "discussion", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = [Comment]), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    Query(page): Query<PageQuery>,
) -> ApiResult<Json<Vec<Comment>>> {
    let audience = Audience::of(&user);
    let comments = state.store.comments(ProposalId(id), page.page()?).await?;
    Ok(Json(comments.into_iter().map(|comment| comment.as_seen_by(audience)).collect()))
}

/// Comment or reply, optionally quoting a passage of a revision.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/comments", tag = "discussion", params(("id" = Uuid, Path)),
    request_body = CreateComment,
    responses((status = 201, body = Comment), (status = 404, body = Problem),
        (status = 409, description = "The thread is locked", body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<CreateComment>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    state.throttle_write(actor.id, WriteKind::Comment).map_err(ApiError::too_fast)?;
    let new = NewComment {
        body: limits::comment_body(&request.body)?,
        parent_id: request.parent_id.map(CommentId),
        anchor: request.anchor,
    };
    let comment = state.store.create_comment(ProposalId(id), new, &actor).await?;
    Ok((StatusCode::CREATED, Json(comment.as_seen_by(Audience::of(&actor)))))
}

/// Edit one's own comment; the earlier text is kept.
#[utoipa::path(patch, path = "/api/v1/comments/{id}", tag = "discussion", params(("id" = Uuid, Path)),
    request_body = EditComment,
    responses((status = 200, body = Comment), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn edit(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<EditComment>,
) -> ApiResult<Json<Comment>> {
    state.throttle_write(actor.id, WriteKind::Comment).map_err(ApiError::too_fast)?;
    let comment = state.store.edit_comment(CommentId(id), limits::comment_body(&request.body)?, &actor).await?;
    Ok(Json(comment.as_seen_by(Audience::of(&actor))))
}

/// Earlier texts of an edited comment, oldest first (empty where the reader
/// may not see the comment's text).
#[utoipa::path(get, path = "/api/v1/comments/{id}/history", tag = "discussion", params(("id" = Uuid, Path)),
    responses((status = 200, body = [CommentEdit]), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<CommentEdit>>> {
    let comment = state.store.comment(CommentId(id)).await?;
    let mut edits = state.store.comment_history(CommentId(id)).await?;
    if !body_visible(comment.deleted, comment.hidden, Audience::of(&user)) {
        edits.iter_mut().for_each(|edit| edit.body.clear());
    }
    Ok(Json(edits))
}

/// Delete one's own comment; a tombstone keeps its place in the thread.
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "discussion", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    state.store.delete_comment(CommentId(id), &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Hide a comment from everyone but the secretariat, with a reason.
#[utoipa::path(post, path = "/api/v1/comments/{id}/hide", tag = "moderation", params(("id" = Uuid, Path)),
    request_body = Reason,
    responses((status = 200, body = Comment), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn hide(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<Reason>,
) -> ApiResult<Json<Comment>> {
    Ok(Json(state.store.set_hidden(CommentId(id), Some(reason(&request.reason)?), &actor).await?))
}

/// Show a hidden comment again.
#[utoipa::path(post, path = "/api/v1/comments/{id}/unhide", tag = "moderation", params(("id" = Uuid, Path)),
    responses((status = 200, body = Comment), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unhide(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Comment>> {
    Ok(Json(state.store.set_hidden(CommentId(id), None, &actor).await?))
}

/// Flag a comment for the secretariat (once per person and comment).
#[utoipa::path(post, path = "/api/v1/comments/{id}/flag", tag = "moderation", params(("id" = Uuid, Path)),
    request_body = Reason,
    responses((status = 201, body = Flag), (status = 404, body = Problem),
        (status = 409, description = "Already flagged by this person", body = Problem), (status = 422, body = Problem)))]
pub async fn flag(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<Reason>,
) -> ApiResult<(StatusCode, Json<Flag>)> {
    state.throttle_write(actor.id, WriteKind::Flag).map_err(ApiError::too_fast)?;
    let mut flag = state.store.flag_comment(CommentId(id), reason(&request.reason)?, &actor).await?;
    flag.comment = flag.comment.as_seen_by(Audience::of(&actor));
    Ok((StatusCode::CREATED, Json(flag)))
}

/// The moderation queue (secretariat).
#[utoipa::path(get, path = "/api/v1/moderation/flags", tag = "moderation", params(FlagQuery),
    responses((status = 200, body = [Flag]), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn flags(
    State(state): State<AppState>,
    _secretariat: Secretariat,
    Query(query): Query<FlagQuery>,
) -> ApiResult<Json<Vec<Flag>>> {
    let open_only = match query.status.as_deref().unwrap_or("open") {
        "open" => true,
        "all" => false,
        _ => return Err(limits::Invalid::new("status", "must be open or all").into()),
    };
    // Deleted is empty for the secretariat too, whenever it was deleted.
    let seen = |mut flag: Flag| {
        flag.comment = flag.comment.as_seen_by(crate::domain::comment::Audience::Secretariat);
        flag
    };
    Ok(Json(state.store.flags(open_only).await?.into_iter().map(seen).collect()))
}

/// Settle a flag: hide the comment or dismiss the flag.
#[utoipa::path(post, path = "/api/v1/moderation/flags/{id}/resolve", tag = "moderation", params(("id" = Uuid, Path)),
    request_body = Resolve,
    responses((status = 200, body = Flag), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn resolve(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<Resolve>,
) -> ApiResult<Json<Flag>> {
    Ok(Json(state.store.resolve_flag(FlagId(id), request.action, &actor).await?))
}
