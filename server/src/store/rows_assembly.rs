//! Rows of representatives, sessions, attendance and speakers.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::{StoreError, StoreResult};
use crate::domain::account::PersonRef;
use crate::domain::assembly::{
    AttendanceMode, Attendee, Member, Modality, Quorum, Session, SessionStatus, Speaker, SpeakerStatus,
};
use crate::domain::ballot_record::EligibleOrganization;
use crate::domain::ids::BallotId;
use crate::domain::mandate::{Mandate, Representatives};

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {text:?}"))
}

fn person(id: Uuid, display_name: String) -> PersonRef {
    PersonRef { id: id.into(), display_name }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MandateRow {
    organization_id: Uuid,
    state: String,
    user_id: Uuid,
    user_name: String,
    titular: bool,
    proposed_by: Uuid,
    proposed_by_name: String,
    proposed_at: DateTime<Utc>,
    confirmed_by: Option<Uuid>,
    confirmed_by_name: Option<String>,
    confirmed_at: Option<DateTime<Utc>>,
}

/// The organizations' mandates from their rows (ordered by organization,
/// state, titular first, then position).
pub(crate) fn representatives_of(
    organizations: Vec<(Uuid, String)>,
    rows: Vec<MandateRow>,
) -> StoreResult<Vec<Representatives>> {
    let mut all = Vec::with_capacity(organizations.len());
    for (id, name) in organizations {
        let mut found =
            Representatives { organization_id: id.into(), organization_name: name, confirmed: None, proposed: None };
        for row in rows.iter().filter(|row| row.organization_id == id) {
            let slot = match row.state.as_str() {
                "confirmed" => &mut found.confirmed,
                "proposed" => &mut found.proposed,
                other => return Err(corrupt("mandate state", other)),
            };
            let someone = person(row.user_id, row.user_name.clone());
            match slot {
                Some(mandate) if row.titular => mandate.titular = someone,
                Some(mandate) => mandate.alternates.push(someone),
                None => {
                    let mandate = Mandate {
                        titular: someone.clone(),
                        alternates: Vec::new(),
                        proposed_by: person(row.proposed_by, row.proposed_by_name.clone()),
                        proposed_at: row.proposed_at,
                        confirmed_by: match (row.confirmed_by, &row.confirmed_by_name) {
                            (Some(id), Some(name)) => Some(person(id, name.clone())),
                            _ => None,
                        },
                        confirmed_at: row.confirmed_at,
                    };
                    if !row.titular {
                        return Err(corrupt("mandate without a titular first", &row.organization_id.to_string()));
                    }
                    *slot = Some(mandate);
                }
            }
        }
        all.push(found);
    }
    Ok(all)
}

/// The member organizations and their mandates in force, for sessions.
pub(crate) fn members_of(representatives: Vec<Representatives>) -> Vec<Member> {
    representatives.into_iter().map(Member::from).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    id: Uuid,
    title: String,
    starts_at: DateTime<Utc>,
    place: String,
    modality: String,
    status: String,
    quorum: f64,
    speaker_seconds: i32,
    agenda: String,
    current_item: Option<Uuid>,
    created_by: Uuid,
    created_by_name: String,
    created_at: DateTime<Utc>,
    opened_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AttendeeRow {
    user_id: Uuid,
    user_name: String,
    organization_id: Uuid,
    organization_name: String,
    present: bool,
    mode: String,
    marked_by: Uuid,
    marked_by_name: String,
    first_at: DateTime<Utc>,
    at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SpeakerRow {
    id: Uuid,
    user_id: Uuid,
    user_name: String,
    organization_id: Uuid,
    organization_name: String,
    position: i32,
    status: String,
    limit_seconds: i32,
    requested_by: Uuid,
    requested_by_name: String,
    requested_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    stopped_at: Option<DateTime<Utc>>,
}

impl SessionRow {
    /// The session with who is there, computed against the member
    /// organizations' mandates in force.
    pub(crate) fn into_session(
        self,
        members: &[Member],
        attendance: Vec<AttendeeRow>,
        speakers: Vec<SpeakerRow>,
        ballot_ids: Vec<Uuid>,
    ) -> StoreResult<Session> {
        use crate::domain::assembly::present_organizations;
        let attendance = attendance
            .into_iter()
            .map(|row| {
                let standing = crate::domain::assembly::member_of(members, row.organization_id.into())
                    .and_then(|member| member.standing_of(row.user_id.into()));
                Ok(Attendee {
                    person: person(row.user_id, row.user_name),
                    organization: EligibleOrganization { id: row.organization_id.into(), name: row.organization_name },
                    present: row.present,
                    mode: AttendanceMode::parse(&row.mode).ok_or_else(|| corrupt("attendance mode", &row.mode))?,
                    marked_by: person(row.marked_by, row.marked_by_name),
                    first_at: row.first_at,
                    at: row.at,
                    standing,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let speakers = speakers
            .into_iter()
            .map(|row| {
                Ok(Speaker {
                    id: row.id.into(),
                    person: person(row.user_id, row.user_name),
                    organization: EligibleOrganization { id: row.organization_id.into(), name: row.organization_name },
                    position: i64::from(row.position),
                    status: SpeakerStatus::parse(&row.status).ok_or_else(|| corrupt("speaker status", &row.status))?,
                    limit_seconds: u32::try_from(row.limit_seconds).unwrap_or_default(),
                    requested_by: person(row.requested_by, row.requested_by_name),
                    requested_at: row.requested_at,
                    started_at: row.started_at,
                    stopped_at: row.stopped_at,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let present = present_organizations(members, &attendance);
        Ok(Session {
            id: self.id.into(),
            title: self.title,
            starts_at: self.starts_at,
            place: self.place,
            modality: Modality::parse(&self.modality).ok_or_else(|| corrupt("modality", &self.modality))?,
            status: SessionStatus::parse(&self.status).ok_or_else(|| corrupt("session status", &self.status))?,
            agenda: serde_json::from_str(&self.agenda).map_err(|_| corrupt("agenda", &self.agenda))?,
            current_item_id: self.current_item.map(Into::into),
            speaker_seconds: u32::try_from(self.speaker_seconds).unwrap_or_default(),
            created_by: person(self.created_by, self.created_by_name),
            created_at: self.created_at,
            opened_at: self.opened_at,
            closed_at: self.closed_at,
            quorum: Quorum::of(self.quorum, present.len(), members.len()),
            present_organizations: present,
            attendance,
            speakers,
            ballot_ids: ballot_ids.into_iter().map(BallotId::from).collect(),
        })
    }
}
