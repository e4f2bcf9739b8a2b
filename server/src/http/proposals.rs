//! Proposals: create, read, revise, compare, withdraw, lock.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::events::PAGE_CHARS;
use super::extract::PageQuery;
use super::extract::{Json, Path, Query};
use super::session::{CurrentUser, Secretariat};
use crate::domain::diff::{word_diff, DiffOp};
use crate::domain::ids::{DocumentId, ProposalId, SectionId};
use crate::domain::limits::{self, SECTION_BODY_CHARS};
use crate::domain::proposal::{self as rules, Proposal, ProposalKind, ProposalStatus, Revision};
use crate::domain::rate_limit::WriteKind;
use crate::state::AppState;
use crate::store::{NewProposal, NewRevision};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents/{id}/proposals", get(list).post(create))
        .route("/proposals/{id}", get(show))
        .route("/proposals/{id}/revisions", get(revisions).post(revise))
        .route("/proposals/{id}/diff", get(diff))
        .route("/proposals/{id}/withdraw", post(withdraw))
        .route("/proposals/{id}/lock", post(lock))
        .route("/proposals/{id}/unlock", post(unlock))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    pub status: Option<ProposalStatus>,
    /// At most this many (1..=1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Only proposals after the one with this id.
    pub after: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProposal {
    pub kind: ProposalKind,
    pub section_id: Option<Uuid>,
    pub after_section_id: Option<Uuid>,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 100000)]
    pub body: String,
    #[serde(default)]
    #[schema(max_length = 100000)]
    pub rationale: String,
    /// A new title for the article or chapter (`amend` only).
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub section_title: Option<String>,
    /// Open proposals on the same section that this consolidated text
    /// replaces (secretariat only).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub supersedes: Vec<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRevision {
    #[schema(max_length = 100000)]
    pub body: String,
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: Option<String>,
    pub note: Option<String>,
    /// A new title for the article or chapter (`amend` only); absent keeps
    /// the one proposed before.
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub section_title: Option<String>,
}

/// The most revisions one page holds, and the default.
pub const MAX_REVISIONS_PAGE: u32 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionPageQuery {
    /// Only revisions numbered after this one (default 0: from the first).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many (1..=1000, default 1000).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevisionDiffQuery {
    /// A revision number, or `base` for the article text at the base version (the default).
    #[param(pattern = "^(base|[+-]?[0-9]{1,18})$")]
    pub from: Option<String>,
    /// A revision number (default: the latest).
    pub to: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TextDiff {
    pub ops: Vec<DiffOp>,
}

fn long_text(field: &'static str, text: &str) -> ApiResult<String> {
    limits::length(field, text, SECTION_BODY_CHARS)?;
    Ok(text.to_owned())
}

/// A new title is what an amendment may propose besides a new text.
fn proposed_title(kind: ProposalKind, title: Option<&str>) -> ApiResult<Option<String>> {
    match (kind, title) {
        (_, None) => Ok(None),
        (ProposalKind::Amend, Some(title)) => Ok(Some(super::documents::section_title(title)?)),
        (_, Some(_)) => Err(ApiError::validation("section_title", "only an `amend` proposal renames a section")),
    }
}

/// Proposals on a document, oldest first, optionally of one status.
#[utoipa::path(get, path = "/api/v1/documents/{id}/proposals", tag = "proposals",
    params(("id" = Uuid, Path), StatusQuery),
    responses((status = 200, body = [Proposal]), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<StatusQuery>,
) -> ApiResult<Json<Vec<Proposal>>> {
    let page = PageQuery { limit: query.limit, after: query.after }.page()?;
    let proposals = state.store.list_proposals(DocumentId(id), query.status, page).await?;
    Ok(Json(super::references::resolved(&state, proposals).await?))
}

/// Propose a change (delegates and the secretariat).
#[utoipa::path(post, path = "/api/v1/documents/{id}/proposals", tag = "proposals", params(("id" = Uuid, Path)),
    request_body = CreateProposal,
    responses((status = 201, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<CreateProposal>,
) -> ApiResult<(StatusCode, Json<Proposal>)> {
    state.throttle_write(actor.id, WriteKind::Proposal).map_err(ApiError::too_fast)?;
    if !rules::may_propose(&actor) {
        return Err(ApiError::forbidden("observers follow the process but do not propose"));
    }
    let body = match request.kind {
        ProposalKind::Delete => String::new(),
        _ => long_text("body", &request.body)?,
    };
    let new = NewProposal {
        kind: request.kind,
        section_id: request.section_id.map(SectionId),
        after_section_id: request.after_section_id.map(SectionId),
        title: limits::title("title", &request.title)?,
        body,
        rationale: long_text("rationale", &request.rationale)?,
        section_title: proposed_title(request.kind, request.section_title.as_deref())?,
        supersedes: request.supersedes.into_iter().map(ProposalId).collect(),
    };
    if new.supersedes.len() > 50 {
        return Err(ApiError::validation("supersedes", "at most 50 proposals"));
    }
    let proposal = state.store.create_proposal(DocumentId(id), new, &actor).await?;
    Ok((StatusCode::CREATED, Json(super::references::resolved_one(&state, proposal).await?)))
}

/// One proposal with its latest revision.
#[utoipa::path(get, path = "/api/v1/proposals/{id}", tag = "proposals", params(("id" = Uuid, Path)),
    responses((status = 200, body = Proposal), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(super::references::resolved_one(&state, state.store.proposal(ProposalId(id)).await?).await?))
}

/// Revisions numbered from 1, oldest first; none is ever changed. A page
/// ends at `limit` revisions or about 2 MiB of text (at least one is always
/// sent); the client goes on with `after=<last number>` until a page is empty.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/revisions", tag = "proposals",
    params(("id" = Uuid, Path), RevisionPageQuery),
    responses((status = 200, body = [Revision]), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn revisions(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<RevisionPageQuery>,
) -> ApiResult<Json<Vec<Revision>>> {
    let limit = query.limit.unwrap_or(MAX_REVISIONS_PAGE);
    if !(1..=MAX_REVISIONS_PAGE).contains(&limit) {
        return Err(ApiError::validation("limit", format!("must be between 1 and {MAX_REVISIONS_PAGE}")));
    }
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::validation("after", "a revision number, 0 or more"));
    }
    Ok(Json(state.store.revisions(ProposalId(id), after, limit, PAGE_CHARS).await?))
}

/// A new revision (the author organization's delegates or the secretariat; only while open).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/revisions", tag = "proposals", params(("id" = Uuid, Path)),
    request_body = CreateRevision,
    responses((status = 201, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Not open: the text is frozen", body = Problem), (status = 422, body = Problem)))]
pub async fn revise(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
    Json(request): Json<CreateRevision>,
) -> ApiResult<(StatusCode, Json<Proposal>)> {
    state.throttle_write(actor.id, WriteKind::Proposal).map_err(ApiError::too_fast)?;
    let new = NewRevision {
        title: request.title.as_deref().map(|title| limits::title("title", title)).transpose()?,
        body: long_text("body", &request.body)?,
        note: long_text("note", request.note.as_deref().unwrap_or_default())?,
        section_title: request.section_title.as_deref().map(super::documents::section_title).transpose()?,
    };
    let proposal = state.store.revise(ProposalId(id), new, &actor).await?;
    Ok((StatusCode::CREATED, Json(super::references::resolved_one(&state, proposal).await?)))
}

/// A word diff between two revisions, or from the article's text at the base version.
#[utoipa::path(get, path = "/api/v1/proposals/{id}/diff", tag = "proposals",
    params(("id" = Uuid, Path), RevisionDiffQuery),
    responses((status = 200, body = TextDiff), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn diff(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<RevisionDiffQuery>,
) -> ApiResult<Json<TextDiff>> {
    let id = ProposalId(id);
    let missing = |number: Option<i64>| match number {
        Some(number) => ApiError::NotFound(format!("the proposal has no revision {number}")),
        None => ApiError::NotFound("the proposal has no revision".into()),
    };
    let body_of = |number: Option<i64>| {
        let store = &state.store;
        async move { store.revision(id, number).await?.map(|revision| revision.body).ok_or_else(|| missing(number)) }
    };
    let new = body_of(query.to).await?;
    let old = match query.from.as_deref().unwrap_or("base") {
        "base" => {
            let proposal = state.store.proposal(id).await?;
            let base = state.store.charter_at(proposal.document_id, proposal.base_version).await?;
            rules::base_text(proposal.kind, proposal.section_id, &base.sections)
        }
        number => {
            let number = number.parse().map_err(|_| ApiError::validation("from", "a revision number or `base`"))?;
            body_of(Some(number)).await?
        }
    };
    Ok(Json(TextDiff { ops: word_diff(&old, &new) }))
}

/// Withdraw an open proposal (its organization's delegates or the secretariat).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/withdraw", tag = "proposals", params(("id" = Uuid, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(state.store.withdraw(ProposalId(id), &actor).await?))
}

/// Lock the discussion (secretariat): no new comments or edits.
#[utoipa::path(post, path = "/api/v1/proposals/{id}/lock", tag = "proposals", params(("id" = Uuid, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn lock(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(state.store.set_locked(ProposalId(id), true, &actor).await?))
}

/// Reopen the discussion (secretariat).
#[utoipa::path(post, path = "/api/v1/proposals/{id}/unlock", tag = "proposals", params(("id" = Uuid, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn unlock(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Proposal>> {
    Ok(Json(state.store.set_locked(ProposalId(id), false, &actor).await?))
}
