//! The cross-references of a document: what cites what, so the secretariat
//! sees what a deletion would break before trying it.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::CurrentUser;
use crate::domain::ids::DocumentId;
use crate::domain::proposal::ProposalStatus;
use crate::domain::references::{listed, Reference};
use crate::state::AppState;
use crate::store::Page;

pub fn router() -> Router<AppState> {
    Router::new().route("/documents/{id}/references", get(list))
}

/// Every `[[ref:…]]` in the current text and in the proposals still in play
/// (open, voting, passed), with its target's label now (`null`: broken).
#[utoipa::path(get, path = "/api/v1/documents/{id}/references", tag = "charter", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Reference>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<Reference>>> {
    let charter = state.store.charter(DocumentId(id)).await?;
    let mut proposals = Vec::new();
    for status in [ProposalStatus::Open, ProposalStatus::Voting, ProposalStatus::Passed] {
        let mut page = Page::all();
        loop {
            let batch = state.store.list_proposals(charter.id, Some(status), page).await?;
            let full = batch.len() as u32 == page.limit;
            page.after = batch.last().map(|proposal| proposal.id.0);
            proposals.extend(batch);
            if !full {
                break;
            }
        }
    }
    let sources = proposals.iter().map(|p| (p.id.0, p.title.as_str(), p.revision.body.as_str()));
    Ok(Json(listed(&charter.sections, sources)))
}
