//! The "cuadro comparativo": two versions of the charter side by side, one
//! row per chapter or article that changed, as JSON or a printable page.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::error::{ApiError, ApiResult, Problem};
use super::extract::{Json, Path, Query};
use super::session::CurrentUser;
use crate::domain::charter::{Charter, SectionKind};
use crate::domain::diff::{document_diff, Change};
use crate::domain::ids::DocumentId;
use crate::domain::markdown::escape_html;
use crate::domain::markdown::render_html;
use crate::i18n::{t, Lang};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComparisonQuery {
    /// The older version (default: the one before `to`).
    #[param(minimum = 1)]
    pub from: Option<i64>,
    /// The newer version (default: the current one).
    #[param(minimum = 1)]
    pub to: Option<i64>,
    /// `json` (default) or `html`.
    #[param(pattern = "^(json|html)$")]
    pub format: Option<String>,
    /// `es` (default) or `en`, for the HTML page.
    pub lang: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComparisonRow {
    pub section_id: Uuid,
    pub kind: SectionKind,
    pub change: Change,
    pub from_number: Option<u32>,
    pub to_number: Option<u32>,
    pub title_before: Option<String>,
    pub title_after: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Comparison {
    pub from: i64,
    pub to: i64,
    pub rows: Vec<ComparisonRow>,
}

/// The rows that differ between two versions, in the newer one's order.
pub fn compare(older: &Charter, newer: &Charter) -> Vec<ComparisonRow> {
    let find = |charter: &Charter, id: Uuid| charter.sections.iter().find(|s| s.id.0 == id).cloned();
    document_diff(&older.section_texts(), &newer.section_texts())
        .into_iter()
        .filter(|row| row.change != Change::Unchanged)
        .map(|row| {
            let (before, after) = (find(older, row.section_id), find(newer, row.section_id));
            ComparisonRow {
                section_id: row.section_id,
                kind: row.kind,
                change: row.change,
                from_number: row.from_number,
                to_number: row.to_number,
                title_before: before.as_ref().map(|s| s.title.clone()),
                title_after: after.as_ref().map(|s| s.title.clone()),
                before: before.map(|s| s.body),
                after: after.map(|s| s.body),
            }
        })
        .collect()
}

const STYLE: &str = "body{font-family:Georgia,serif;margin:2rem;color:#111}table{border-collapse:collapse;width:100%}\
th,td{border:1px solid #999;padding:.5rem;vertical-align:top;text-align:left}th{background:#eee}\
td.label{font-weight:bold;white-space:nowrap}tr{break-inside:avoid}@page{size:landscape;margin:1.5cm}";

fn page(charter: &Charter, from: i64, to: i64, rows: &[ComparisonRow], lang: Lang) -> String {
    let label = |row: &ComparisonRow| {
        let kind = t(lang, if row.kind == SectionKind::Chapter { "charter.chapter" } else { "charter.article" });
        let number = row.to_number.or(row.from_number).unwrap_or_default();
        let change = t(
            lang,
            match row.change {
                Change::Added => "comparison.added",
                Change::Removed => "comparison.removed",
                _ => "comparison.changed",
            },
        );
        format!("{kind} {number}<br>({change})")
    };
    let cell = |title: &Option<String>, body: &Option<String>| match (title, body) {
        (Some(title), Some(body)) => format!("<strong>{}</strong>{}", escape_html(title), render_html(body)),
        _ => String::new(),
    };
    let mut html = format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<link rel=\"icon\" href=\"data:,\">\n<title>{} — {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p>{} — {} {from} → {to}</p>\n",
        lang.code(),
        t(lang, "comparison.title"),
        escape_html(&charter.title),
        t(lang, "comparison.title"),
        escape_html(&charter.title),
        t(lang, "charter.version"),
    );
    if rows.is_empty() {
        html.push_str(&format!("<p>{}</p>\n", t(lang, "comparison.none")));
    } else {
        html.push_str(&format!(
            "<table>\n<thead><tr><th></th><th>{}</th><th>{}</th></tr></thead>\n<tbody>\n",
            t(lang, "comparison.before"),
            t(lang, "comparison.after")
        ));
        for row in rows {
            html.push_str(&format!(
                "<tr><td class=\"label\">{}</td><td>{}</td><td>{}</td></tr>\n",
                label(row),
                cell(&row.title_before, &row.before),
                cell(&row.title_after, &row.after)
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// Two versions side by side, one row per changed chapter or article.
#[utoipa::path(get, path = "/api/v1/documents/{id}/comparison", tag = "charter",
    params(("id" = Uuid, Path), ComparisonQuery),
    responses((status = 200, content((Comparison = "application/json"), (String = "text/html"))), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn comparison(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
    Query(query): Query<ComparisonQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let id = DocumentId(id);
    let (from, to) = super::documents::versions_to_compare(&state, id, query.from, query.to).await?;
    let (older, newer) = (state.store.charter_at(id, from).await?, state.store.charter_at(id, to).await?);
    let rows = compare(&older, &newer);
    match query.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(Comparison { from, to, rows }).into_response()),
        "html" => {
            let lang = Lang::choose(query.lang.as_deref(), &headers);
            let mut response =
                ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page(&newer, from, to, &rows, lang))
                    .into_response();
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"),
            );
            Ok(response)
        }
        _ => Err(ApiError::validation("format", "must be json or html")),
    }
}
