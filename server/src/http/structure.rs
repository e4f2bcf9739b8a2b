//! The secretariat's changes to a document's phase and shape: its title and
//! phase, deleting and moving sections (routes in `documents::router`, which
//! owns these paths).

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::session::Secretariat;
use super::views::DocumentView;
use crate::domain::ids::{DocumentId, SectionId};
use crate::domain::limits;
use crate::domain::phase::Phase;
use crate::state::AppState;
use crate::store::DocumentChange;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDocument {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub title: Option<String>,
    /// `final` is reached only by an approval ballot that passes.
    pub phase: Option<Phase>,
    /// When proposals stop being accepted (in the amendments phase; in the future).
    pub amendments_close_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ForceQuery {
    /// Go ahead even if other sections or proposals refer to the section removed.
    #[serde(default)]
    pub force: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveSection {
    /// The section to follow; `null` moves it to the start.
    pub after_section_id: Option<Uuid>,
}

/// Rename a document, or move it to another phase (secretariat). A phase
/// change is a `document.phase` event, told to every organization.
#[utoipa::path(patch, path = "/api/v1/documents/{id}", tag = "charter", params(("id" = Uuid, Path)),
    request_body = UpdateDocument,
    responses((status = 200, body = DocumentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update_document(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<UpdateDocument>,
) -> ApiResult<Json<DocumentView>> {
    let title = request.title.as_deref().map(|title| limits::title("title", title)).transpose()?;
    let change = DocumentChange { title, phase: request.phase, amendments_close_at: request.amendments_close_at };
    let charter = state.store.update_document(DocumentId(id), change, &actor).await?;
    Ok(Json(DocumentView::from(&charter)))
}

/// Delete a section (secretariat; a new version). Refused with the list of
/// cross-references it would break, unless `force`; open proposals on it
/// become outdated.
#[utoipa::path(delete, path = "/api/v1/sections/{id}", tag = "charter", params(("id" = Uuid, Path), ForceQuery),
    responses((status = 200, body = DocumentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
pub async fn delete_section(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Query(query): Query<ForceQuery>,
) -> ApiResult<Json<DocumentView>> {
    let charter = state.store.delete_section(SectionId(id), query.force, &actor).await?;
    Ok(Json(DocumentView::from(&charter)))
}

/// Move a section after another, or to the start (secretariat; a new
/// version). Numbers follow; references keep pointing at the same section.
#[utoipa::path(post, path = "/api/v1/sections/{id}/move", tag = "charter", params(("id" = Uuid, Path)),
    request_body = MoveSection,
    responses((status = 200, body = DocumentView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn move_section(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<MoveSection>,
) -> ApiResult<Json<DocumentView>> {
    let charter = state.store.move_section(SectionId(id), request.after_section_id.map(SectionId), &actor).await?;
    Ok(Json(DocumentView::from(&charter)))
}
