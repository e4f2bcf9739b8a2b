//! Ballots on a whole document: rival proposals on one article
//! (`alternatives`), the whole text (`approval`), a block of articles.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::{CurrentUser, Secretariat};
use crate::domain::ballot::{check_settings, Majority};
use crate::domain::ballot_record::BallotView;
use crate::domain::ballot_subject::Method;
use crate::domain::ids::{DocumentId, ProposalId, SectionId, SessionId};
use crate::state::AppState;
use crate::store::{DocumentBallot, NewBallot, NewDocumentBallot};

pub fn router() -> Router<AppState> {
    Router::new().route("/documents/{id}/ballots", get(list).post(open))
}

/// What to put to the vote, by `kind`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum OpenDocumentBallot {
    /// Rival proposals on one article, and optionally keeping its text.
    Alternatives {
        #[schema(value_type = Vec<Uuid>, min_items = 1, max_items = 12)]
        proposal_ids: Vec<Uuid>,
        #[serde(default)]
        status_quo: bool,
        method: Method,
        #[schema(minimum = 0.0, maximum = 1.0)]
        quorum: f64,
        #[serde(default)]
        secret: bool,
        closes_at: Option<DateTime<Utc>>,
        /// Opened inside this (open) session: the organizations present vote.
        #[schema(value_type = Option<Uuid>)]
        session_id: Option<Uuid>,
    },
    /// The whole text at `version` (the current one); passing makes it final.
    Approval {
        #[schema(minimum = 1)]
        version: i64,
        majority: Majority,
        #[schema(minimum = 0.0, maximum = 1.0)]
        quorum: f64,
        #[serde(default)]
        secret: bool,
        #[serde(default)]
        live_results: bool,
        closes_at: Option<DateTime<Utc>>,
        /// Opened inside this (open) session: the organizations present vote.
        #[schema(value_type = Option<Uuid>)]
        session_id: Option<Uuid>,
    },
    /// Articles of the current text, adopted as they stand; none contested.
    Block {
        #[schema(value_type = Vec<Uuid>, min_items = 1, max_items = 500)]
        section_ids: Vec<Uuid>,
        majority: Majority,
        #[schema(minimum = 0.0, maximum = 1.0)]
        quorum: f64,
        #[serde(default)]
        secret: bool,
        #[serde(default)]
        live_results: bool,
        closes_at: Option<DateTime<Utc>>,
        /// Opened inside this (open) session: the organizations present vote.
        #[schema(value_type = Option<Uuid>)]
        session_id: Option<Uuid>,
    },
}

impl OpenDocumentBallot {
    fn into_new(self) -> ApiResult<NewDocumentBallot> {
        let now = Utc::now();
        let rule = |majority,
                    quorum: f64,
                    secret: bool,
                    live_results: bool,
                    closes_at: Option<DateTime<Utc>>,
                    session: Option<Uuid>| {
            check_settings(quorum, secret, live_results, closes_at, now)?;
            Ok::<_, super::error::ApiError>(NewBallot {
                majority,
                quorum,
                secret,
                live_results,
                closes_at,
                session: session.map(SessionId),
            })
        };
        Ok(match self {
            OpenDocumentBallot::Alternatives {
                proposal_ids,
                status_quo,
                method,
                quorum,
                secret,
                closes_at,
                session_id,
            } => {
                NewDocumentBallot {
                    // An alternatives ballot has no majority (the order decides) and no live tally.
                    rule: rule(Majority::Simple, quorum, secret, false, closes_at, session_id)?,
                    ballot: DocumentBallot::Alternatives {
                        proposal_ids: proposal_ids.into_iter().map(ProposalId).collect(),
                        status_quo,
                        method,
                    },
                }
            }
            OpenDocumentBallot::Approval { version, majority, quorum, secret, live_results, closes_at, session_id } => {
                NewDocumentBallot {
                    rule: rule(majority, quorum, secret, live_results, closes_at, session_id)?,
                    ballot: DocumentBallot::Approval { version },
                }
            }
            OpenDocumentBallot::Block {
                section_ids,
                majority,
                quorum,
                secret,
                live_results,
                closes_at,
                session_id,
            } => NewDocumentBallot {
                rule: rule(majority, quorum, secret, live_results, closes_at, session_id)?,
                ballot: DocumentBallot::Block { section_ids: section_ids.into_iter().map(SectionId).collect() },
            },
        })
    }
}

/// Open a ballot on the document (secretariat).
#[utoipa::path(post, path = "/api/v1/documents/{id}/ballots", tag = "ballots", params(("id" = Uuid, Path)),
    request_body = OpenDocumentBallot,
    responses((status = 201, body = BallotView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<OpenDocumentBallot>,
) -> ApiResult<(StatusCode, Json<BallotView>)> {
    let new = request.into_new()?;
    let ballot = state.store.open_document_ballot(DocumentId(id), new, &actor).await?;
    Ok((StatusCode::CREATED, Json(ballot.view_for(Some(actor.organization.id)))))
}

/// The document's own ballots (alternatives, approvals, blocks), oldest first.
#[utoipa::path(get, path = "/api/v1/documents/{id}/ballots", tag = "ballots", params(("id" = Uuid, Path)),
    responses((status = 200, body = [BallotView]), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<Vec<BallotView>>> {
    let ballots = state.store.document_ballots(DocumentId(id)).await?;
    Ok(Json(ballots.iter().map(|ballot| ballot.view_for(Some(user.organization.id))).collect()))
}
