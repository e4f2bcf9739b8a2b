//! The storage traits of the assembly: who represents each organization,
//! and sessions with their attendance, speakers and hand votes.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::account::{PersonRef, User};
use crate::domain::assembly::{AgendaItem, Modality, Session, SessionStatus, SpeakerStatus};
use crate::domain::ballot_record::BallotRecord;
use crate::domain::ballot_subject::Cast;
use crate::domain::ids::{AgendaItemId, BallotId, OrganizationId, SessionId, SpeakerId, UserId};
use crate::domain::mandate::{Nomination, Representatives};

#[async_trait]
pub trait MandateStore: Send + Sync + 'static {
    async fn representatives(&self, organization: OrganizationId) -> StoreResult<Representatives>;
    /// Every active member organization's, by name.
    async fn all_representatives(&self) -> StoreResult<Vec<Representatives>>;
    /// Replaces the organization's proposal (the confirmed mandate stays in
    /// force until the secretariat confirms the new one).
    async fn nominate(
        &self,
        organization: OrganizationId,
        nomination: Nomination,
        actor: &User,
    ) -> StoreResult<Representatives>;
    /// The proposal becomes the mandate in force.
    async fn confirm_representatives(&self, organization: OrganizationId, actor: &User)
        -> StoreResult<Representatives>;
    /// The people who may be named for the organization, by name.
    async fn candidates(&self, organization: OrganizationId) -> StoreResult<Vec<PersonRef>>;
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub modality: Modality,
    pub agenda: Vec<AgendaItem>,
    pub quorum: f64,
    pub speaker_seconds: u32,
}

/// A change of a session by the secretariat; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct SessionPatch {
    pub title: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub place: Option<String>,
    pub modality: Option<Modality>,
    pub agenda: Option<Vec<AgendaItem>>,
    /// `Some(None)` clears the current item.
    pub current_item_id: Option<Option<AgendaItemId>>,
    pub status: Option<SessionStatus>,
    pub speaker_seconds: Option<u32>,
}

/// The secretariat's handling of one speaker.
#[derive(Debug, Clone, Default)]
pub struct SpeakerPatch {
    /// Moves the speaker to this place among those waiting (1 is next).
    pub position: Option<i64>,
    pub status: Option<SpeakerStatus>,
    pub limit_seconds: Option<u32>,
}

#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Convenes it: every member organization is notified.
    async fn convene(&self, new: NewSession, actor: &User) -> StoreResult<Session>;
    /// By starting time, latest first.
    async fn sessions(&self) -> StoreResult<Vec<Session>>;
    async fn session(&self, id: SessionId) -> StoreResult<Session>;
    async fn update_session(&self, id: SessionId, patch: SessionPatch, actor: &User) -> StoreResult<Session>;
    /// Marks `person` present or not: online when it is the actor, in the
    /// room when the secretariat marks someone else.
    async fn set_attendance(&self, id: SessionId, person: UserId, present: bool, actor: &User) -> StoreResult<Session>;
    /// `person` asks for the floor (themselves, or the secretariat for them).
    async fn ask_for_floor(&self, id: SessionId, person: UserId, actor: &User) -> StoreResult<Session>;
    async fn remove_speaker(&self, id: SessionId, speaker: SpeakerId, actor: &User) -> StoreResult<Session>;
    async fn update_speaker(
        &self,
        id: SessionId,
        speaker: SpeakerId,
        patch: SpeakerPatch,
        actor: &User,
    ) -> StoreResult<Session>;
    /// A vote seen in the room, recorded by the secretariat for an
    /// organization present; its representatives may still change it.
    async fn hand_vote(
        &self,
        ballot: BallotId,
        organization: OrganizationId,
        cast: Cast,
        actor: &User,
    ) -> StoreResult<BallotRecord>;
}
