//! The charter exported: Markdown (the import's own form) or a standalone,
//! printable HTML page with Spanish headings ("Capítulo", "Artículo").

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Path, Query};
use super::session::CurrentUser;
use super::views::DocumentView;
use crate::domain::charter::SectionKind;
use crate::domain::checkpoint::CheckpointRef;
use crate::domain::ids::DocumentId;
use crate::domain::markdown::escape_html;
use crate::i18n::{t, Lang};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `markdown` (default) or `html`.
    #[param(pattern = "^(markdown|html)$")]
    pub format: Option<String>,
    /// `es` (default) or `en`, for the headings of the HTML page.
    pub lang: Option<String>,
}

/// The page carries its own styles and no script: it must print and open
/// correctly when saved to disk.
/// The latest checkpoint's digest, on every export.
pub const CHECKPOINT_HEADER: &str = "x-minga-checkpoint";

pub(super) const EXPORT_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

const PRINT_STYLE: &str = "body{font-family:Georgia,'Times New Roman',serif;max-width:42rem;margin:2rem auto;\
padding:0 1rem;line-height:1.55;color:#111}h1{text-align:center;font-size:1.6rem}\
.meta{text-align:center;color:#444;font-size:.9rem}h2{margin-top:2rem;text-align:center;font-size:1.25rem}\
h3{font-size:1.05rem;margin-top:1.4rem}h2,h3{break-after:avoid;page-break-after:avoid}\
@page{margin:2cm}@media print{body{margin:0;max-width:none}a{color:inherit;text-decoration:none}}";

fn heading(label: &str, number: u32, title: &str) -> String {
    if title.is_empty() {
        format!("{label} {number}")
    } else {
        format!("{label} {number}. {}", escape_html(title))
    }
}

/// A standalone page's start, up to and including `<body>`.
fn page_head(title: &str, lang: Lang) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>{PRINT_STYLE}</style>\n</head>\n<body>\n",
        lang.code(),
        escape_html(title)
    )
}

/// A printable page around sanitized HTML (an acta rendered from Markdown).
pub(super) fn printable_page(title: &str, body_html: &str, lang: Lang) -> String {
    format!("{}{body_html}\n</body>\n</html>\n", page_head(title, lang))
}

/// The whole page; section bodies are the sanitized Markdown rendering.
pub fn printable_html(document: &DocumentView, checkpoint: Option<&CheckpointRef>, lang: Lang) -> String {
    let mut html = format!(
        "{}<h1>{}</h1>\n<p class=\"meta\">{} {} · {}</p>\n",
        page_head(&document.title, lang),
        escape_html(&document.title),
        t(lang, "charter.version"),
        document.version,
        document.updated_at.format("%Y-%m-%d"),
    );
    if document.sections.is_empty() {
        html.push_str(&format!("<p>{}</p>\n", t(lang, "charter.empty")));
    }
    for section in &document.sections {
        let (tag, label) = match section.kind {
            SectionKind::Chapter => ("h2", t(lang, "charter.chapter")),
            SectionKind::Article => ("h3", t(lang, "charter.article")),
        };
        html.push_str(&format!(
            "<{tag}>{}</{tag}>\n{}\n",
            heading(&label, section.number, &section.title),
            section.body_html
        ));
    }
    if let Some(checkpoint) = checkpoint {
        html.push_str(&format!(
            "<p class=\"meta\">{}: <code>{}</code> ({} UTC)</p>\n",
            t(lang, "record.checkpoint"),
            checkpoint.digest,
            checkpoint.at.format("%Y-%m-%d %H:%M")
        ));
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// The charter as Markdown or as a printable HTML page.
#[utoipa::path(get, path = "/api/v1/documents/{id}/export", tag = "charter", params(("id" = Uuid, Path), ExportQuery),
    responses((status = 200, content((String = "text/markdown"), (String = "text/html"))), (status = 404, body = Problem),
        (status = 422, body = Problem)))]
pub async fn export(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<ExportQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let charter = state.store.charter(DocumentId(id)).await?;
    let checkpoint = state.store.latest_checkpoint().await?.map(|latest| latest.reference());
    match query.format.as_deref().unwrap_or("markdown") {
        "markdown" => {
            // The Markdown is the charter's own text (it imports back as it
            // is), so the checkpoint travels in a header, not in the text.
            let mut response =
                ([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], charter.to_markdown()).into_response();
            if let Some(digest) = checkpoint.and_then(|c| HeaderValue::from_str(&c.digest).ok()) {
                response.headers_mut().insert(CHECKPOINT_HEADER, digest);
            }
            Ok(response)
        }
        "html" => {
            let lang = Lang::choose(query.lang.as_deref(), &headers);
            let page = printable_html(&DocumentView::from(&charter), checkpoint.as_ref(), lang);
            let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(EXPORT_POLICY));
            Ok(response)
        }
        _ => Err(ApiError::validation("format", "must be markdown or html")),
    }
}
