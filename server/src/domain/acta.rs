//! The acta of a session: where and when, which organizations attended and
//! by whom, the agenda, who spoke, and every ballot opened in it with its
//! rule, who was present and eligible, the choices unless secret (votes by
//! show of hands marked), the result and the SHA-256 of the text voted.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::account::PersonRef;
use super::assembly::{AgendaItem, Attendee, Member, Modality, Quorum, Session, SessionStatus, Speaker};
use super::ballot_record::{BallotRecord, BallotStatus, EligibleOrganization, Vote};
use super::ballot_subject::BallotKind;
use super::checkpoint::CheckpointRef;
use super::ids::{BallotId, OrganizationId, SessionId};
use super::minutes::Minutes;

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OrganizationAttendance {
    pub organization: EligibleOrganization,
    /// Whether a representative of it attended the session at some point.
    pub attended: bool,
    pub titular: Option<PersonRef>,
    pub alternates: Vec<PersonRef>,
    /// Its representatives' attendance, with how and when they came.
    pub attended_by: Vec<Attendee>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ActaBallot {
    #[schema(value_type = uuid::Uuid)]
    pub ballot_id: BallotId,
    pub kind: BallotKind,
    pub question: String,
    pub status: BallotStatus,
    pub text_sha256: String,
    /// The organizations present when it opened, and the members then.
    pub present_organizations: u32,
    pub member_organizations: u32,
    /// Organizations whose vote counted as recorded from a show of hands.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub hand_votes: Vec<OrganizationId>,
    /// Organizations whose hand vote their representative then changed.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub corrected_hand_votes: Vec<OrganizationId>,
    /// The ballot's own minutes, once closed.
    pub minutes: Option<Minutes>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Acta {
    #[schema(value_type = uuid::Uuid)]
    pub session_id: SessionId,
    pub title: String,
    pub place: String,
    pub modality: Modality,
    pub status: SessionStatus,
    pub starts_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub convened_by: PersonRef,
    /// As it stands at the close (or now, while the session runs).
    pub quorum: Quorum,
    pub organizations: Vec<OrganizationAttendance>,
    /// Who else attended (the secretariat, observers, other delegates).
    pub other_attendees: Vec<Attendee>,
    pub agenda: Vec<AgendaItem>,
    /// The turns that were given, in order.
    pub speakers: Vec<Speaker>,
    pub ballots: Vec<ActaBallot>,
    pub checkpoint: Option<CheckpointRef>,
}

impl ActaBallot {
    pub fn of(ballot: &BallotRecord, casts: Vec<Vote>, checkpoint: Option<CheckpointRef>) -> ActaBallot {
        let hand_votes = ballot.votes.iter().filter(|v| v.by_hand).map(|v| v.organization_id).collect();
        // One current vote per organization: no organization appears twice.
        let corrected: Vec<OrganizationId> = ballot
            .votes
            .iter()
            .filter(|v| !v.by_hand)
            .filter(|v| casts.iter().any(|c| c.organization_id == v.organization_id && c.by_hand))
            .map(|v| v.organization_id)
            .collect();
        let session = ballot.session;
        ActaBallot {
            ballot_id: ballot.id,
            kind: ballot.subject.kind(),
            question: ballot.question.clone(),
            status: ballot.status,
            text_sha256: ballot.text_sha256.clone(),
            present_organizations: ballot.eligible_count(),
            member_organizations: session.map_or(ballot.eligible_count(), |s| s.member_organizations),
            hand_votes,
            corrected_hand_votes: corrected,
            minutes: Minutes::of(ballot, if ballot.secret { Vec::new() } else { casts }, checkpoint),
        }
    }
}

impl Acta {
    pub fn of(
        session: &Session,
        members: &[Member],
        ballots: Vec<ActaBallot>,
        checkpoint: Option<CheckpointRef>,
    ) -> Acta {
        let organizations = members
            .iter()
            .map(|member| {
                let attended_by: Vec<Attendee> = session
                    .attendance
                    .iter()
                    .filter(|a| {
                        member.standing_of(a.person.id).is_some() && a.organization.id == member.organization.id
                    })
                    .cloned()
                    .collect();
                OrganizationAttendance {
                    organization: member.organization.clone(),
                    attended: !attended_by.is_empty(),
                    titular: member.mandate.as_ref().map(|m| m.titular.clone()),
                    alternates: member.mandate.as_ref().map(|m| m.alternates.clone()).unwrap_or_default(),
                    attended_by,
                }
            })
            .collect();
        Acta {
            session_id: session.id,
            title: session.title.clone(),
            place: session.place.clone(),
            modality: session.modality,
            status: session.status,
            starts_at: session.starts_at,
            opened_at: session.opened_at,
            closed_at: session.closed_at,
            convened_by: session.created_by.clone(),
            quorum: session.quorum,
            organizations,
            other_attendees: session.attendance.iter().filter(|a| a.standing.is_none()).cloned().collect(),
            agenda: session.agenda.clone(),
            speakers: session.speakers.iter().filter(|s| s.started_at.is_some()).cloned().collect(),
            ballots,
            checkpoint,
        }
    }
}
