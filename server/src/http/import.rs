//! Importing a draft charter: Markdown as Minga writes it, or a DOCX or ODT
//! file whose chapters and articles are found by their headings and the
//! patterns of legal drafting. `?dry_run=true` shows what would be imported
//! and changes nothing, so the secretariat confirms before the text is
//! replaced.

use axum::extract::State;
use axum::http::{header, HeaderMap};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::session::Secretariat;
use super::views::DocumentView;
use crate::domain::charter::SectionKind;
use crate::domain::charter_text::{parse_import, ImportedSection};
use crate::domain::ids::DocumentId;
use crate::domain::legal_structure::to_import_markdown;
use crate::office::{self, Format};
use crate::state::AppState;
use crate::store::NewSection;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// Only show the structure found; nothing changes.
    #[serde(default)]
    pub dry_run: bool,
}

/// What an import would make of the file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPreview {
    pub dry_run: bool,
    pub chapters: usize,
    pub articles: usize,
    #[schema(value_type = Vec<Object>)]
    pub sections: Vec<ImportedSection>,
    /// The file as the Markdown Minga imports (what `dry_run=false` would store).
    pub markdown: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ImportAnswer {
    Imported(DocumentView),
    Preview(ImportPreview),
}

/// Replace the sections with a Markdown text (`##` chapters, `###` articles)
/// or a DOCX or ODT file; with `dry_run=true`, only show what was found.
#[utoipa::path(post, path = "/api/v1/documents/{id}/import", tag = "charter", params(("id" = Uuid, Path), ImportQuery),
    request_body(content = String, content_type = "text/markdown", description = "Markdown, or a DOCX or ODT file (up to 2 MiB)"),
    responses((status = 200, body = ImportAnswer), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Query(query): Query<ImportQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ImportAnswer>> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let markdown = match Format::of_media_type(&essence) {
        Some(format) => {
            // Unpacking and reading XML is CPU work: off the async workers.
            let read = tokio::task::spawn_blocking(move || office::paragraphs(&body, format))
                .await
                .map_err(|err| ApiError::Internal(anyhow::anyhow!("import reader: {err}")))?;
            let paragraphs = read.map_err(|err| ApiError::validation("body", err.to_string()))?;
            to_import_markdown(&paragraphs).map_err(|err| ApiError::validation("body", err.to_string()))?
        }
        None if essence == "text/markdown" || essence == "text/plain" => String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::validation("body", "the text is not UTF-8: save it as UTF-8 Markdown"))?,
        None => {
            return Err(ApiError::UnsupportedMediaType(
                "send the charter as text/markdown, a Word file (.docx) or an OpenDocument text (.odt)".into(),
            ))
        }
    };
    crate::domain::limits::plain_text("text", &markdown)?;
    let imported = parse_import(&markdown)
        .map_err(|err| ApiError::validation("body", format!("line {}: {}", err.line, err.message)))?;
    if query.dry_run {
        // The document must exist and be the secretariat's to replace, as for the real import.
        state.store.charter(DocumentId(id)).await?;
        let count = |kind| imported.sections.iter().filter(|s| s.kind == kind).count();
        return Ok(Json(ImportAnswer::Preview(ImportPreview {
            dry_run: true,
            chapters: count(SectionKind::Chapter),
            articles: count(SectionKind::Article),
            sections: imported.sections,
            markdown,
        })));
    }
    let sections =
        imported.sections.into_iter().map(|s| NewSection { kind: s.kind, title: s.title, body: s.body, after: None });
    // API.md: the `# ` line is the title line and is ignored; the document
    // keeps the title it was created with.
    let charter = state.store.replace_sections(DocumentId(id), sections.collect(), &actor).await?;
    Ok(Json(ImportAnswer::Imported(DocumentView::from(&charter))))
}
