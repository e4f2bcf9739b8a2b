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
use crate::domain::markdown::render_html;
use crate::domain::proposal::Proposal;
use crate::domain::proposal::ProposalStatus;
use crate::domain::references::{labels, listed, resolve, Reference};
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

/// Proposals with their cross-references shown as the sections' labels now.
/// The stored HTML was rendered without numbers, which change; the charter
/// is read only when some body cites a section.
pub async fn resolved(state: &AppState, mut proposals: Vec<Proposal>) -> ApiResult<Vec<Proposal>> {
    let Some(document) = proposals.iter().find(|p| p.revision.body.contains("[[ref:")).map(|p| p.document_id) else {
        return Ok(proposals);
    };
    let labels = labels(&state.store.charter(document).await?.sections);
    for proposal in proposals.iter_mut().filter(|p| p.document_id == document && p.revision.body.contains("[[ref:")) {
        proposal.revision.body_html = render_html(&resolve(&proposal.revision.body, document, &labels));
    }
    Ok(proposals)
}

/// One proposal, as [`resolved`].
pub async fn resolved_one(state: &AppState, proposal: Proposal) -> ApiResult<Proposal> {
    Ok(resolved(state, vec![proposal]).await?.remove(0))
}
