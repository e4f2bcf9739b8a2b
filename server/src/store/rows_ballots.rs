//! Rows of ballots and votes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::{StoreError, StoreResult};
use crate::domain::account::PersonRef;
use crate::domain::ballot::{Choice, Majority, Outcome};
use crate::domain::ballot_record::{BallotRecord, BallotSession, BallotStatus, EligibleOrganization, Vote};
use crate::domain::ballot_subject::Subject;

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {text:?}"))
}

pub(crate) fn parse_choice(text: &str) -> StoreResult<Choice> {
    Choice::parse(text).ok_or_else(|| corrupt("choice", text))
}

#[derive(sqlx::FromRow)]
pub(crate) struct BallotRow {
    id: Uuid,
    proposal_id: Option<Uuid>,
    subject: Option<String>,
    status: String,
    majority: String,
    quorum: f64,
    secret: bool,
    live_results: bool,
    question: String,
    text: String,
    text_sha256: String,
    decision: Option<String>,
    revision: i64,
    opened_at: DateTime<Utc>,
    opened_by: Uuid,
    opened_by_name: String,
    closes_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    closed_by: Option<Uuid>,
    closed_by_name: Option<String>,
    cancelled_reason: Option<String>,
    result: Option<String>,
    alternatives_result: Option<String>,
    session_id: Option<Uuid>,
    session_members: Option<i32>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct VoteRow {
    organization_id: Uuid,
    choice: Option<String>,
    ranking: Option<String>,
    cast_by: Uuid,
    cast_by_name: String,
    cast_at: DateTime<Utc>,
    by_hand: bool,
}

impl TryFrom<VoteRow> for Vote {
    type Error = StoreError;

    fn try_from(row: VoteRow) -> StoreResult<Self> {
        Ok(Vote {
            organization_id: row.organization_id.into(),
            choice: row.choice.as_deref().map(parse_choice).transpose()?,
            ranking: row
                .ranking
                .map(|text| serde_json::from_str(&text).map_err(|_| corrupt("ranking", &text)))
                .transpose()?,
            cast_by: PersonRef { id: row.cast_by.into(), display_name: row.cast_by_name },
            cast_at: row.cast_at,
            by_hand: row.by_hand,
        })
    }
}

impl BallotRow {
    pub(crate) fn into_record(self, eligible: Vec<(Uuid, String)>, votes: Vec<VoteRow>) -> StoreResult<BallotRecord> {
        // A proposal's ballot is named by its column; the others by the
        // subject stored whole.
        let subject = match (self.proposal_id, self.subject) {
            (Some(proposal_id), _) => Subject::Proposal { proposal_id: proposal_id.into() },
            (None, Some(json)) => serde_json::from_str(&json).map_err(|_| corrupt("ballot subject", &json))?,
            (None, None) => return Err(corrupt("ballot subject", "")),
        };
        Ok(BallotRecord {
            id: self.id.into(),
            subject,
            status: BallotStatus::parse(&self.status).ok_or_else(|| corrupt("ballot status", &self.status))?,
            majority: Majority::parse(&self.majority).ok_or_else(|| corrupt("majority", &self.majority))?,
            quorum: self.quorum,
            secret: self.secret,
            live_results: self.live_results,
            question: self.question,
            text: self.text,
            text_sha256: self.text_sha256,
            decision: match self.decision {
                Some(json) => Some(serde_json::from_str(&json).map_err(|_| corrupt("ballot decision", &json))?),
                None => None,
            },
            revision: self.revision,
            opened_at: self.opened_at,
            opened_by: PersonRef { id: self.opened_by.into(), display_name: self.opened_by_name },
            closes_at: self.closes_at,
            closed_at: self.closed_at,
            closed_by: match (self.closed_by, self.closed_by_name) {
                (Some(id), Some(display_name)) => Some(PersonRef { id: id.into(), display_name }),
                _ => None,
            },
            cancelled_reason: self.cancelled_reason,
            eligible: eligible.into_iter().map(|(id, name)| EligibleOrganization { id: id.into(), name }).collect(),
            votes: votes.into_iter().map(Vote::try_from).collect::<StoreResult<_>>()?,
            result: self
                .result
                .map(|text| serde_json::from_str::<Outcome>(&text))
                .transpose()
                .map_err(|err| StoreError::Corrupt(format!("ballot result: {err}")))?,
            alternatives: self
                .alternatives_result
                .map(|text| serde_json::from_str(&text).map_err(|_| corrupt("alternatives result", &text)))
                .transpose()?,
            session: self.session_id.map(|id| BallotSession {
                session_id: id.into(),
                member_organizations: self.session_members.and_then(|n| u32::try_from(n).ok()).unwrap_or_default(),
            }),
        })
    }
}
