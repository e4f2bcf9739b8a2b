//! The charter: documents, their sections, versions, comparison, import and export.

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::session::{CurrentUser, Secretariat};
use super::views::{DocumentView, SectionView};
use crate::domain::charter::{DocumentSummary, SectionKind, VersionInfo};
use crate::domain::diff::{document_diff, SectionDiff};
use crate::domain::ids::{DocumentId, SectionId};
use crate::domain::limits::{self, IMPORT_LIMIT_BYTES, SECTION_BODY_CHARS};
use crate::state::AppState;
use crate::store::NewSection;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/documents", get(list).post(create))
        .route("/documents/{id}", get(show).patch(super::structure::update_document))
        .route("/documents/{id}/sections", post(add_section))
        .route("/sections/{id}", patch(edit_section).delete(super::structure::delete_section))
        .route("/sections/{id}/move", post(super::structure::move_section))
        .route("/documents/{id}/import", post(super::import::import).layer(DefaultBodyLimit::max(IMPORT_LIMIT_BYTES)))
        .route("/documents/{id}/versions", get(versions))
        .route("/documents/{id}/versions/{version}", get(version))
        .route("/documents/{id}/diff", get(diff))
        .route("/documents/{id}/export", get(super::export::export))
        .route("/documents/{id}/comparison", get(super::comparison::comparison))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDocument {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSection {
    pub kind: SectionKind,
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 100000)]
    pub body: String,
    pub after_section_id: Option<Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EditSection {
    #[schema(max_length = 200, pattern = r"^[^\x00-\x1f\x7f-\x9f]*$")]
    pub title: Option<String>,
    #[schema(max_length = 100000)]
    pub body: Option<String>,
}

/// A changed section and the document version the change made.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionChange {
    #[serde(flatten)]
    pub section: SectionView,
    pub version: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version (default: the one before `to`).
    #[param(minimum = 1)]
    pub from: Option<i64>,
    /// The newer version (default: the current one).
    #[param(minimum = 1)]
    pub to: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentDiff {
    pub from: i64,
    pub to: i64,
    pub sections: Vec<SectionDiff>,
}

/// Section titles may be empty (many articles have none) but not too long.
pub(crate) fn section_title(title: &str) -> ApiResult<String> {
    Ok(limits::single_line("title", title, (0, limits::TITLE_CHARS.1))?)
}

fn section_body(body: &str) -> ApiResult<String> {
    limits::length("body", body, SECTION_BODY_CHARS)?;
    Ok(body.to_owned())
}

/// The documents (any signed-in user).
#[utoipa::path(get, path = "/api/v1/documents", tag = "charter",
    responses((status = 200, body = [DocumentSummary]), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<DocumentSummary>>> {
    Ok(Json(state.store.list_documents().await?))
}

/// Start a document (secretariat).
#[utoipa::path(post, path = "/api/v1/documents", tag = "charter", request_body = CreateDocument,
    responses((status = 201, body = DocumentView), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Json(request): Json<CreateDocument>,
) -> ApiResult<(StatusCode, Json<DocumentView>)> {
    let title = limits::title("title", &request.title)?;
    let charter = state.store.create_document(title, &actor).await?;
    Ok((StatusCode::CREATED, Json(DocumentView::from(&charter))))
}

/// The current text, in reading order.
#[utoipa::path(get, path = "/api/v1/documents/{id}", tag = "charter", params(("id" = Uuid, Path)),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<DocumentView>> {
    Ok(Json(DocumentView::from(&state.store.charter(DocumentId(id)).await?)))
}

pub(crate) fn section_change(charter: &crate::domain::charter::Charter, id: SectionId) -> ApiResult<SectionChange> {
    let view = DocumentView::from(charter);
    let section = view
        .sections
        .into_iter()
        .find(|section| section.id == id)
        .ok_or_else(|| ApiError::NotFound("section not found".into()))?;
    Ok(SectionChange { section, version: charter.version })
}

/// Add a chapter or article after another (or first); a new version.
#[utoipa::path(post, path = "/api/v1/documents/{id}/sections", tag = "charter", params(("id" = Uuid, Path)),
    request_body = CreateSection,
    responses((status = 201, body = SectionChange), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn add_section(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<CreateSection>,
) -> ApiResult<(StatusCode, Json<SectionChange>)> {
    let new = NewSection {
        kind: request.kind,
        title: section_title(&request.title)?,
        body: section_body(&request.body)?,
        after: request.after_section_id.map(SectionId),
    };
    let (charter, section) = state.store.insert_section(DocumentId(id), new, &actor).await?;
    Ok((StatusCode::CREATED, Json(section_change(&charter, section)?)))
}

/// Change a section's title or text; a new version.
#[utoipa::path(patch, path = "/api/v1/sections/{id}", tag = "charter", params(("id" = Uuid, Path)),
    request_body = EditSection,
    responses((status = 200, body = SectionChange), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn edit_section(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<EditSection>,
) -> ApiResult<Json<SectionChange>> {
    let title = request.title.as_deref().map(section_title).transpose()?;
    let body = request.body.as_deref().map(section_body).transpose()?;
    let (charter, section) = state.store.update_section(SectionId(id), title, body, &actor).await?;
    Ok(Json(section_change(&charter, section)?))
}

/// Every version, oldest first.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions", tag = "charter", params(("id" = Uuid, Path)),
    responses((status = 200, body = [VersionInfo]), (status = 404, body = Problem)))]
pub async fn versions(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<VersionInfo>>> {
    Ok(Json(state.store.versions(DocumentId(id)).await?))
}

/// The text as it was at one version.
#[utoipa::path(get, path = "/api/v1/documents/{id}/versions/{version}", tag = "charter",
    params(("id" = Uuid, Path), ("version" = i64, Path)),
    responses((status = 200, body = DocumentView), (status = 404, body = Problem)))]
pub async fn version(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path((id, version)): Path<(Uuid, i64)>,
) -> ApiResult<Json<DocumentView>> {
    Ok(Json(DocumentView::from(&state.store.charter_at(DocumentId(id), version).await?)))
}

/// Any two versions compared, section by section, word by word.
#[utoipa::path(get, path = "/api/v1/documents/{id}/diff", tag = "charter", params(("id" = Uuid, Path), DiffQuery),
    responses((status = 200, body = DocumentDiff), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn diff(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<DiffQuery>,
) -> ApiResult<Json<DocumentDiff>> {
    let id = DocumentId(id);
    let (from, to) = versions_to_compare(&state, id, query.from, query.to).await?;
    let older = state.store.charter_at(id, from).await?;
    let newer = state.store.charter_at(id, to).await?;
    let sections = document_diff(&older.section_texts(), &newer.section_texts());
    Ok(Json(DocumentDiff { from, to, sections }))
}

/// The two versions a diff or a comparison is between: `to` defaults to the
/// current one and `from` to the one before it. Versions count from 1.
pub(crate) async fn versions_to_compare(
    state: &AppState,
    id: DocumentId,
    from: Option<i64>,
    to: Option<i64>,
) -> ApiResult<(i64, i64)> {
    for (field, value) in [("from", from), ("to", to)] {
        if value.is_some_and(|version| version < 1) {
            return Err(ApiError::validation(field, "must be a version number (1 or more)"));
        }
    }
    let to = match to {
        Some(to) => to,
        None => state.store.charter(id).await?.version,
    };
    Ok((from.unwrap_or((to - 1).max(1)), to))
}
