//! Sessions of the assembly: convene, list, read, change (status, agenda,
//! current item), and attendance (check in online, or marked in the room).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::error::{ApiResult, Problem};
use super::extract::{Json, Path};
use super::session::{CurrentUser, Secretariat};
use crate::domain::assembly::{
    check_agenda, AgendaItem, Modality, Session, SessionStatus, DEFAULT_SPEAKER_SECONDS, PLACE_CHARS, SPEAKER_SECONDS,
};
use crate::domain::ids::{AgendaItemId, BallotId, DocumentId, ProposalId, SessionId, UserId};
use crate::domain::limits::{self, Invalid};
use crate::state::AppState;
use crate::store::{NewSession, SessionPatch};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sessions", get(list).post(convene))
        .route("/sessions/{id}", get(show).patch(update))
        .route("/sessions/{id}/check-in", post(check_in))
        .route("/sessions/{id}/attendance/{user_id}", put(attendance))
        .route("/sessions/{id}/minutes", get(super::acta::acta))
        .merge(super::speakers::router())
}

/// A session as answered: with the server's clock, so a countdown on a
/// device whose clock is off still ends when the speaker's time does.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionAnswer {
    #[serde(flatten)]
    pub session: Session,
    pub server_time: DateTime<Utc>,
}

impl From<Session> for SessionAnswer {
    fn from(session: Session) -> Self {
        SessionAnswer { session, server_time: Utc::now() }
    }
}

/// An agenda item; an existing one keeps its `id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgendaEntry {
    #[schema(value_type = Option<Uuid>)]
    pub id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(value_type = Option<Uuid>)]
    pub proposal_id: Option<Uuid>,
    #[schema(value_type = Option<Uuid>)]
    pub document_id: Option<Uuid>,
    #[schema(value_type = Option<Uuid>)]
    pub ballot_id: Option<Uuid>,
}

fn agenda_of(entries: Vec<AgendaEntry>) -> Result<Vec<AgendaItem>, Invalid> {
    let mut items: Vec<AgendaItem> = entries
        .into_iter()
        .map(|entry| AgendaItem {
            id: entry.id.map_or_else(AgendaItemId::new, AgendaItemId),
            title: entry.title,
            proposal_id: entry.proposal_id.map(ProposalId),
            document_id: entry.document_id.map(DocumentId),
            ballot_id: entry.ballot_id.map(BallotId),
        })
        .collect();
    check_agenda(&mut items)?;
    Ok(items)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConveneSession {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    pub starts_at: DateTime<Utc>,
    #[schema(min_length = 1, max_length = 200)]
    pub place: String,
    pub modality: Modality,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub agenda: Vec<AgendaEntry>,
    /// The fraction of member organizations that must be present (0.5 unless set).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub quorum: Option<f64>,
    /// Each speaker's time in seconds (180 unless set).
    #[schema(minimum = 30, maximum = 1800)]
    pub speaker_seconds: Option<u32>,
}

fn check_quorum(quorum: f64) -> Result<f64, Invalid> {
    if !(0.0..=1.0).contains(&quorum) {
        return Err(Invalid::new("quorum", "must be between 0 and 1"));
    }
    Ok(quorum)
}

pub(super) fn check_speaker_seconds(field: &'static str, seconds: u32) -> Result<u32, Invalid> {
    let (min, max) = SPEAKER_SECONDS;
    if !(min..=max).contains(&seconds) {
        return Err(Invalid::new(field, format!("must be between {min} and {max} seconds")));
    }
    Ok(seconds)
}

/// Convene a session (secretariat): every member organization is notified.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "assembly", request_body = ConveneSession,
    responses((status = 201, body = SessionAnswer), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn convene(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Json(request): Json<ConveneSession>,
) -> ApiResult<(StatusCode, Json<SessionAnswer>)> {
    let new = NewSession {
        title: limits::title("title", &request.title)?,
        starts_at: request.starts_at,
        place: limits::single_line("place", &request.place, PLACE_CHARS)?,
        modality: request.modality,
        agenda: agenda_of(request.agenda)?,
        quorum: check_quorum(request.quorum.unwrap_or(0.5))?,
        speaker_seconds: check_speaker_seconds(
            "speaker_seconds",
            request.speaker_seconds.unwrap_or(DEFAULT_SPEAKER_SECONDS),
        )?,
    };
    let session = state.store.convene(new, &actor).await?;
    Ok((StatusCode::CREATED, Json(session.into())))
}

/// Every session, latest first (any signed-in user).
#[utoipa::path(get, path = "/api/v1/sessions", tag = "assembly",
    responses((status = 200, body = [SessionAnswer]), (status = 401, body = Problem)))]
pub async fn list(State(state): State<AppState>, _user: CurrentUser) -> ApiResult<Json<Vec<SessionAnswer>>> {
    Ok(Json(state.store.sessions().await?.into_iter().map(SessionAnswer::from).collect()))
}

/// A session: agenda, who is present, quorum, speakers, its ballots.
#[utoipa::path(get, path = "/api/v1/sessions/{id}", tag = "assembly", params(("id" = Uuid, Path)),
    responses((status = 200, body = SessionAnswer), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SessionAnswer>> {
    Ok(Json(state.store.session(SessionId(id)).await?.into()))
}

/// `null` is a value here (it clears), unlike a missing field.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PatchSession {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    #[schema(min_length = 1, max_length = 200)]
    pub place: Option<String>,
    pub modality: Option<Modality>,
    /// The whole agenda in its new order.
    #[schema(max_items = 50)]
    pub agenda: Option<Vec<AgendaEntry>>,
    /// The item under way; `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub current_item_id: Option<Option<Uuid>>,
    /// `convened` -> `open` -> `closed`, one step at a time.
    pub status: Option<SessionStatus>,
    #[schema(minimum = 30, maximum = 1800)]
    pub speaker_seconds: Option<u32>,
}

/// Change a session (secretariat): details, agenda order, current item, status.
#[utoipa::path(patch, path = "/api/v1/sessions/{id}", tag = "assembly", params(("id" = Uuid, Path)),
    request_body = PatchSession,
    responses((status = 200, body = SessionAnswer), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    Secretariat(actor): Secretariat,
    Path(id): Path<Uuid>,
    Json(request): Json<PatchSession>,
) -> ApiResult<Json<SessionAnswer>> {
    let patch = SessionPatch {
        title: request.title.map(|title| limits::title("title", &title)).transpose()?,
        starts_at: request.starts_at,
        place: request.place.map(|place| limits::single_line("place", &place, PLACE_CHARS)).transpose()?,
        modality: request.modality,
        agenda: request.agenda.map(agenda_of).transpose()?,
        current_item_id: request.current_item_id.map(|item| item.map(AgendaItemId)),
        status: request.status,
        speaker_seconds: request
            .speaker_seconds
            .map(|seconds| check_speaker_seconds("speaker_seconds", seconds))
            .transpose()?,
    };
    Ok(Json(state.store.update_session(SessionId(id), patch, &actor).await?.into()))
}

/// Check in to the session from the app (oneself, online).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/check-in", tag = "assembly", params(("id" = Uuid, Path)),
    responses((status = 200, body = SessionAnswer), (status = 404, body = Problem),
        (status = 409, description = "The session is closed", body = Problem)))]
pub async fn check_in(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path(id): Path<Uuid>,
) -> ApiResult<Json<SessionAnswer>> {
    Ok(Json(state.store.set_attendance(SessionId(id), actor.id, true, &actor).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetAttendance {
    pub present: bool,
}

/// Mark someone present or absent: the secretariat for anyone in the room,
/// a person for themselves (checking out).
#[utoipa::path(put, path = "/api/v1/sessions/{id}/attendance/{user_id}", tag = "assembly",
    params(("id" = Uuid, Path), ("user_id" = Uuid, Path)), request_body = SetAttendance,
    responses((status = 200, body = SessionAnswer), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn attendance(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Path((id, user_id)): Path<(Uuid, Uuid)>,
    Json(request): Json<SetAttendance>,
) -> ApiResult<Json<SessionAnswer>> {
    let session = state.store.set_attendance(SessionId(id), UserId(user_id), request.present, &actor).await?;
    Ok(Json(session.into()))
}
