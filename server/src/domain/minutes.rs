//! The minutes (acta) of a closed ballot: what was voted, under which rule,
//! who could and who did take part, each organization's choice unless the
//! ballot was secret, and the result.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::account::PersonRef;
use super::ballot::{Choice, Majority, Outcome};
use super::ballot_record::{BallotRecord, BallotStatus, EligibleOrganization};
use super::ids::{BallotId, ProposalId};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OrganizationChoice {
    pub organization: EligibleOrganization,
    /// Yes / no / abstain; `None` on an alternatives ballot.
    pub choice: Option<Choice>,
    /// An alternatives ballot's vote: option ids, preferred first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranking: Option<Vec<uuid::Uuid>>,
    pub cast_by: PersonRef,
    pub cast_at: DateTime<Utc>,
    /// Recorded by the secretariat from a show of hands in the room.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub by_hand: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Minutes {
    #[schema(value_type = uuid::Uuid)]
    pub ballot_id: BallotId,
    pub kind: super::ballot_subject::BallotKind,
    /// For a ballot on one proposal.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub proposal_id: Option<ProposalId>,
    /// For a ballot on a document.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub document_id: Option<super::ids::DocumentId>,
    /// Alternatives: the options, and the ranking, pairwise matrix and path
    /// strengths (ranked) or the counts (plurality).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<super::ballot_subject::BallotOption>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<super::ballot_subject::AlternativesResult>,
    pub question: String,
    pub revision: i64,
    pub text: String,
    pub text_sha256: String,
    /// What was decided, in full (absent for ballots opened before
    /// decisions were recorded), and the SHA-256 of its canonical form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<super::decision::Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_sha256: Option<String>,
    pub majority: Majority,
    pub quorum: f64,
    pub secret: bool,
    pub opened_at: DateTime<Utc>,
    pub opened_by: PersonRef,
    pub closed_at: DateTime<Utc>,
    /// `None` when the deadline closed the ballot.
    pub closed_by: Option<PersonRef>,
    pub eligible: Vec<EligibleOrganization>,
    pub participants: Vec<EligibleOrganization>,
    /// Absent for a secret ballot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<OrganizationChoice>>,
    /// Every cast and change, oldest first; absent for a secret ballot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub casts: Option<Vec<super::ballot_record::Vote>>,
    pub result: Outcome,
    /// The latest signed checkpoint when the minutes were read: keep it, and
    /// `minga verify --checkpoint` proves later that the record still holds.
    pub checkpoint: Option<super::checkpoint::CheckpointRef>,
}

impl Minutes {
    /// `None` until the ballot is closed. `casts` is every cast and change,
    /// kept only when the ballot was not secret.
    pub fn of(
        ballot: &BallotRecord,
        casts: Vec<super::ballot_record::Vote>,
        checkpoint: Option<super::checkpoint::CheckpointRef>,
    ) -> Option<Minutes> {
        if ballot.status != BallotStatus::Closed {
            return None;
        }
        let organization = |id| ballot.eligible.iter().find(|org| org.id == id).cloned();
        let participants: Vec<EligibleOrganization> = ballot
            .eligible
            .iter()
            .filter(|org| ballot.votes.iter().any(|v| v.organization_id == org.id))
            .cloned()
            .collect();
        let choices = (!ballot.secret).then(|| {
            ballot
                .eligible
                .iter()
                .filter_map(|org| {
                    let vote = ballot.votes.iter().find(|v| v.organization_id == org.id)?;
                    if vote.choice.is_none() && vote.ranking.is_none() {
                        return None;
                    }
                    Some(OrganizationChoice {
                        organization: organization(org.id)?,
                        choice: vote.choice,
                        ranking: vote.ranking.clone(),
                        cast_by: vote.cast_by.clone(),
                        cast_at: vote.cast_at,
                        by_hand: vote.by_hand,
                    })
                })
                .collect()
        });
        Some(Minutes {
            ballot_id: ballot.id,
            kind: ballot.subject.kind(),
            proposal_id: ballot.subject.proposal_id(),
            document_id: ballot.subject.document_id(),
            options: ballot.subject.options().to_vec(),
            alternatives: ballot.alternatives.clone(),
            question: ballot.question.clone(),
            revision: ballot.revision,
            text: ballot.text.clone(),
            text_sha256: ballot.text_sha256.clone(),
            decision: ballot.decision.clone(),
            decision_sha256: ballot.decision.as_ref().map(super::decision::Decision::digest),
            majority: ballot.majority,
            quorum: ballot.quorum,
            secret: ballot.secret,
            opened_at: ballot.opened_at,
            opened_by: ballot.opened_by.clone(),
            closed_at: ballot.closed_at?,
            closed_by: ballot.closed_by.clone(),
            eligible: ballot.eligible.clone(),
            participants,
            choices,
            casts: (!ballot.secret).then_some(casts),
            result: ballot.result?,
            checkpoint,
        })
    }
}
