//! A session of the assembly: convened, open, closed; its agenda and the
//! item under way; who is there, and so which organizations are present and
//! whether there is quorum. Hybrid from the start: people check in online,
//! the secretariat marks those in the room.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::account::{PersonRef, Role, User};
use super::ballot::quorum_met;
use super::ballot_record::EligibleOrganization;
use super::ids::{AgendaItemId, BallotId, DocumentId, OrganizationId, ProposalId, SessionId, UserId};
use super::limits::{self, Invalid};
use super::mandate::Mandate;
use super::string_enum::string_enum;
use super::Refusal;

pub const MAX_AGENDA_ITEMS: usize = 50;
pub const PLACE_CHARS: (usize, usize) = (1, 200);
/// A speaker's time, in seconds: from 30 s to 30 min; 3 min unless set.
pub const SPEAKER_SECONDS: (u32, u32) = (30, 1800);
pub const DEFAULT_SPEAKER_SECONDS: u32 = 180;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Modality {
    InPerson,
    Online,
    Hybrid,
}

string_enum!(Modality { InPerson => "in_person", Online => "online", Hybrid => "hybrid" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    Convened,
    Open,
    Closed,
}

string_enum!(SessionStatus { Convened => "convened", Open => "open", Closed => "closed" });

impl SessionStatus {
    /// A session only moves forward, one step at a time.
    pub fn check_move(self, next: SessionStatus) -> Result<(), Refusal> {
        match (self, next) {
            (a, b) if a == b => Ok(()),
            (SessionStatus::Convened, SessionStatus::Open) | (SessionStatus::Open, SessionStatus::Closed) => Ok(()),
            (from, to) => {
                Err(Refusal::Conflict(format!("the session is {}; it cannot become {}", from.as_str(), to.as_str())))
            }
        }
    }

    /// Nothing changes in a closed session: its acta is final.
    pub fn check_not_closed(self) -> Result<(), Refusal> {
        match self {
            SessionStatus::Closed => Err(Refusal::Conflict("the session is closed".into())),
            _ => Ok(()),
        }
    }
}

/// One point of the agenda; it may point at what it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgendaItem {
    #[schema(value_type = uuid::Uuid)]
    pub id: AgendaItemId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub proposal_id: Option<ProposalId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub document_id: Option<DocumentId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub ballot_id: Option<BallotId>,
}

/// Checks an agenda: at most 50 items, each with a title and at most one
/// thing it points at.
pub fn check_agenda(items: &mut [AgendaItem]) -> Result<(), Invalid> {
    if items.len() > MAX_AGENDA_ITEMS {
        return Err(Invalid::new("agenda", format!("at most {MAX_AGENDA_ITEMS} items")));
    }
    let mut seen = std::collections::HashSet::new();
    for item in items.iter_mut() {
        item.title = limits::title("agenda.title", &item.title)?;
        let pointers = usize::from(item.proposal_id.is_some())
            + usize::from(item.document_id.is_some())
            + usize::from(item.ballot_id.is_some());
        if pointers > 1 {
            return Err(Invalid::new("agenda", "an item points at one proposal, document or ballot at most"));
        }
        if !seen.insert(item.id) {
            return Err(Invalid::new("agenda", "an item appears twice"));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttendanceMode {
    /// Checked in from the app.
    Online,
    /// Marked present in the room by the secretariat.
    Room,
}

string_enum!(AttendanceMode { Online => "online", Room => "room" });

/// How a person stands for their organization in the assembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Titular,
    Alternate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Attendee {
    pub person: PersonRef,
    pub organization: EligibleOrganization,
    pub present: bool,
    pub mode: AttendanceMode,
    pub marked_by: PersonRef,
    pub first_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
    /// Titular or alternate of a confirmed mandate; `None`: attends without
    /// representing (observers, the secretariat, other delegates).
    pub standing: Option<Standing>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpeakerStatus {
    Waiting,
    Speaking,
    Done,
}

string_enum!(SpeakerStatus { Waiting => "waiting", Speaking => "speaking", Done => "done" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Speaker {
    #[schema(value_type = uuid::Uuid)]
    pub id: super::ids::SpeakerId,
    pub person: PersonRef,
    pub organization: EligibleOrganization,
    pub position: i64,
    pub status: SpeakerStatus,
    pub limit_seconds: u32,
    pub requested_by: PersonRef,
    pub requested_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub stopped_at: Option<DateTime<Utc>>,
}

impl Speaker {
    /// A speaker moves waiting -> speaking -> done; a finished turn stays finished.
    pub fn check_move(&self, next: SpeakerStatus) -> Result<(), Refusal> {
        match (self.status, next) {
            (a, b) if a == b => Ok(()),
            (SpeakerStatus::Waiting, _) | (SpeakerStatus::Speaking, SpeakerStatus::Done) => Ok(()),
            (from, to) => {
                Err(Refusal::Conflict(format!("the speaker is {}; they cannot become {}", from.as_str(), to.as_str())))
            }
        }
    }
}

/// Organizations present against the member organizations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Quorum {
    pub present_organizations: u32,
    pub member_organizations: u32,
    /// The fraction of member organizations that must be present.
    pub fraction: f64,
    pub met: bool,
}

impl Quorum {
    pub fn of(fraction: f64, present: usize, members: usize) -> Quorum {
        let present = u32::try_from(present).unwrap_or(u32::MAX);
        let members = u32::try_from(members).unwrap_or(u32::MAX);
        Quorum {
            present_organizations: present,
            member_organizations: members,
            fraction,
            met: members > 0 && quorum_met(fraction, present, members),
        }
    }
}

/// A member organization and its confirmed mandate (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub organization: EligibleOrganization,
    pub mandate: Option<Mandate>,
}

impl From<super::mandate::Representatives> for Member {
    fn from(r: super::mandate::Representatives) -> Member {
        Member {
            organization: EligibleOrganization { id: r.organization_id, name: r.organization_name },
            mandate: r.confirmed,
        }
    }
}

impl Member {
    pub fn standing_of(&self, user: UserId) -> Option<Standing> {
        let mandate = self.mandate.as_ref()?;
        if mandate.titular.id == user {
            Some(Standing::Titular)
        } else if mandate.alternates.iter().any(|alternate| alternate.id == user) {
            Some(Standing::Alternate)
        } else {
            None
        }
    }
}

/// Whether `person` is marked present.
pub fn is_present(attendance: &[Attendee], person: UserId) -> bool {
    attendance.iter().any(|a| a.person.id == person && a.present)
}

/// An organization is present when its titular or an alternate is.
pub fn present_organizations(members: &[Member], attendance: &[Attendee]) -> Vec<EligibleOrganization> {
    members
        .iter()
        .filter(|member| {
            member.mandate.as_ref().is_some_and(|mandate| {
                std::iter::once(&mandate.titular)
                    .chain(&mandate.alternates)
                    .any(|person| is_present(attendance, person.id))
            })
        })
        .map(|member| member.organization.clone())
        .collect()
}

/// Who votes for an organization in a session: an accredited representative
/// who is present; an alternate only while the titular is not.
pub fn check_session_voter(voter: &User, member: Option<&Member>, attendance: &[Attendee]) -> Result<(), Refusal> {
    let Some(member) = member else {
        return Err(Refusal::Forbidden("the organization has no confirmed representatives".into()));
    };
    match member.standing_of(voter.id) {
        None => {
            Err(Refusal::Forbidden("only an accredited representative of the organization votes in a session".into()))
        }
        Some(_) if !is_present(attendance, voter.id) => {
            Err(Refusal::Conflict("check in to the session first: only representatives present vote".into()))
        }
        Some(Standing::Alternate)
            if member.mandate.as_ref().is_some_and(|mandate| is_present(attendance, mandate.titular.id)) =>
        {
            Err(Refusal::Conflict("the titular is present and votes for the organization".into()))
        }
        Some(_) => Ok(()),
    }
}

/// How `actor` marks `person`'s attendance: oneself online; someone else
/// only the secretariat, in the room.
pub fn marking(actor: &User, person: UserId) -> Result<AttendanceMode, Refusal> {
    if person == actor.id {
        Ok(AttendanceMode::Online)
    } else if actor.role == Role::Secretariat {
        Ok(AttendanceMode::Room)
    } else {
        Err(Refusal::Forbidden("only the secretariat marks others present".into()))
    }
}

/// One asks for the floor for oneself; the secretariat also for someone in the room.
pub fn check_asks_for(actor: &User, person: UserId) -> Result<(), Refusal> {
    if person != actor.id && actor.role != Role::Secretariat {
        return Err(Refusal::Forbidden("only the secretariat asks for the floor for someone else".into()));
    }
    Ok(())
}

/// A request for the floor is taken back by its speaker or the secretariat,
/// while it waits; a turn that began stays in the acta.
pub fn check_takes_back(actor: &User, speaker: &Speaker) -> Result<(), Refusal> {
    if speaker.person.id != actor.id && actor.role != Role::Secretariat {
        return Err(Refusal::Forbidden("only the speaker or the secretariat takes a request back".into()));
    }
    if speaker.status != SpeakerStatus::Waiting {
        return Err(Refusal::Conflict("the turn has begun; stop it instead".into()));
    }
    Ok(())
}

/// A session as stored, with who is there and what was voted in it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Session {
    #[schema(value_type = uuid::Uuid)]
    pub id: SessionId,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub modality: Modality,
    pub status: SessionStatus,
    pub agenda: Vec<AgendaItem>,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub current_item_id: Option<AgendaItemId>,
    pub speaker_seconds: u32,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub quorum: Quorum,
    pub present_organizations: Vec<EligibleOrganization>,
    pub attendance: Vec<Attendee>,
    pub speakers: Vec<Speaker>,
    /// Ballots opened inside the session, oldest first.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub ballot_ids: Vec<BallotId>,
}

/// The member organization `organization`, with its mandate.
pub fn member_of(members: &[Member], organization: OrganizationId) -> Option<&Member> {
    members.iter().find(|member| member.organization.id == organization)
}

#[cfg(test)]
#[path = "assembly_tests.rs"]
mod tests;
