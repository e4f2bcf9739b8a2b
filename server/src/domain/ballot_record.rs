//! A ballot as stored, who may vote in it, and what each reader may see of
//! it: no tally before the close unless results are live, and never which
//! organization chose what in a secret ballot.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::account::{PersonRef, Role, User};
use super::ballot::quorum_met;
use super::ballot::{outcome, Choice, Majority, Outcome, Tally};
use super::ballot_subject::{decide, AlternativesResult, BallotKind, BallotOption, Method, Subject};
use super::ids::{BallotId, DocumentId, OrganizationId, ProposalId, SectionId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BallotStatus {
    Open,
    Closed,
    Cancelled,
}

super::string_enum::string_enum!(BallotStatus { Open => "open", Closed => "closed", Cancelled => "cancelled" });

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EligibleOrganization {
    #[schema(value_type = uuid::Uuid)]
    pub id: OrganizationId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Vote {
    #[schema(value_type = uuid::Uuid)]
    pub organization_id: OrganizationId,
    /// `None` once a secret ballot has closed or been cancelled: its choices
    /// are erased then, and only who took part, and when, remains.
    pub choice: Option<Choice>,
    /// An alternatives ballot's vote: option ids, preferred first (one for
    /// plurality); erased like a choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranking: Option<Vec<uuid::Uuid>>,
    pub cast_by: PersonRef,
    pub cast_at: DateTime<Utc>,
    /// Recorded by the secretariat from a show of hands in the room.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub by_hand: bool,
}

/// A ballot opened inside a session of the assembly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BallotSession {
    #[schema(value_type = uuid::Uuid)]
    pub session_id: super::ids::SessionId,
    /// The member organizations when it opened (those present are `eligible`).
    pub member_organizations: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BallotRecord {
    pub id: BallotId,
    pub subject: Subject,
    pub status: BallotStatus,
    pub majority: Majority,
    pub quorum: f64,
    pub secret: bool,
    pub live_results: bool,
    /// The proposal's title and the exact text put to the vote.
    pub question: String,
    pub text: String,
    pub text_sha256: String,
    /// What is decided, in full; `None` for a ballot opened before
    /// decisions were recorded.
    pub decision: Option<super::decision::Decision>,
    pub revision: i64,
    pub opened_at: DateTime<Utc>,
    pub opened_by: PersonRef,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// `None` when the deadline closed it.
    pub closed_by: Option<PersonRef>,
    pub cancelled_reason: Option<String>,
    pub eligible: Vec<EligibleOrganization>,
    /// The current vote of each organization that took part.
    pub votes: Vec<Vote>,
    /// Computed once at the close and never changed.
    pub result: Option<Outcome>,
    /// An alternatives ballot's ranking or counts, stored with the result.
    pub alternatives: Option<AlternativesResult>,
    pub session: Option<BallotSession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Participation {
    pub voted: u32,
    pub eligible: u32,
    /// The organizations that took part (public even in a secret ballot).
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub organizations: Vec<OrganizationId>,
}

/// What the API and events show of a ballot.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BallotView {
    #[schema(value_type = uuid::Uuid)]
    pub id: BallotId,
    pub kind: BallotKind,
    /// For a ballot on one proposal.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub proposal_id: Option<ProposalId>,
    /// For a ballot on a document (alternatives, approval, block).
    #[schema(value_type = Option<uuid::Uuid>)]
    pub document_id: Option<DocumentId>,
    /// Alternatives: how it is decided, and the options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<BallotOption>,
    /// Approval: the version of the text approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Block: the articles adopted as they stand.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub section_ids: Vec<SectionId>,
    pub question: String,
    pub status: BallotStatus,
    pub majority: Majority,
    pub quorum: f64,
    pub secret: bool,
    pub live_results: bool,
    pub opened_at: DateTime<Utc>,
    pub closes_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub cancelled_reason: Option<String>,
    pub eligible_organizations: Vec<EligibleOrganization>,
    pub participation: Participation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tally: Option<Tally>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<Outcome>,
    /// Alternatives, once closed: the order, the winner, and the pairwise
    /// matrix (ranked) or the counts (plurality).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<AlternativesResult>,
    /// The caller's organization's current choice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_vote: Option<Choice>,
    /// The caller's organization's current ranking (alternatives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub my_ranking: Option<Vec<uuid::Uuid>>,
    /// The caller's organization's vote was recorded from a show of hands
    /// (its representative may still change it while the ballot is open).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub my_vote_by_hand: bool,
    /// Opened inside a session: eligible are the organizations present then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<BallotSession>,
}

impl BallotRecord {
    pub fn eligible_count(&self) -> u32 {
        u32::try_from(self.eligible.len()).unwrap_or(u32::MAX)
    }

    /// Counted from the votes while they are held, from the stored result
    /// once closed (a secret ballot's choices are gone by then).
    pub fn tally(&self) -> Tally {
        match self.result {
            Some(result) if self.status == BallotStatus::Closed => {
                Tally { yes: result.yes, no: result.no, abstain: result.abstain }
            }
            _ => Tally::of(self.votes.iter().filter_map(|vote| vote.choice)),
        }
    }

    pub fn participation(&self) -> Participation {
        Participation {
            voted: u32::try_from(self.votes.len()).unwrap_or(u32::MAX),
            eligible: self.eligible_count(),
            organizations: self.votes.iter().map(|vote| vote.organization_id).collect(),
        }
    }

    /// The tally may be shown while open only when results are live.
    pub fn tally_visible(&self) -> bool {
        self.live_results || self.status == BallotStatus::Closed
    }

    /// The result a close now would store. An alternatives ballot passes
    /// when a proposal wins (not the status quo), with the quorum; its
    /// tally counts the organizations that ranked as `yes`.
    pub fn compute_result(&self) -> (Outcome, Option<AlternativesResult>) {
        match &self.subject {
            Subject::Alternatives { method, options, .. } => {
                let rankings: Vec<Vec<uuid::Uuid>> = self.votes.iter().filter_map(|v| v.ranking.clone()).collect();
                let participants = self.participation().voted;
                let quorum_met = quorum_met(self.quorum, participants, self.eligible_count());
                let result = decide(*method, options, &rankings, quorum_met);
                let winner = result.winner.and_then(|id| options.iter().find(|o| o.id == id));
                let outcome = Outcome {
                    passed: winner.is_some_and(|option| option.proposal_id.is_some()),
                    quorum_met,
                    yes: participants,
                    no: 0,
                    abstain: 0,
                    eligible: self.eligible_count(),
                };
                (outcome, Some(result))
            }
            _ => (outcome(self.majority, self.quorum, self.tally(), self.eligible_count()), None),
        }
    }

    /// The proposal that won an alternatives ballot (closed, with quorum).
    pub fn winning_proposal(&self) -> Option<ProposalId> {
        let winner = self.alternatives.as_ref()?.winner?;
        self.subject.options().iter().find(|o| o.id == winner)?.proposal_id
    }

    /// Open and before its deadline.
    pub fn accepts_votes(&self, now: DateTime<Utc>) -> bool {
        self.status == BallotStatus::Open && self.closes_at.is_none_or(|deadline| deadline > now)
    }

    pub fn is_eligible(&self, organization: OrganizationId) -> bool {
        self.eligible.iter().any(|org| org.id == organization)
    }

    /// The ballot as `viewer`'s organization sees it (`None`: no organization's own vote).
    pub fn view_for(&self, viewer: Option<OrganizationId>) -> BallotView {
        let mine = viewer.and_then(|org| self.votes.iter().find(|v| v.organization_id == org));
        BallotView {
            id: self.id,
            kind: self.subject.kind(),
            proposal_id: self.subject.proposal_id(),
            document_id: self.subject.document_id(),
            method: match &self.subject {
                Subject::Alternatives { method, .. } => Some(*method),
                _ => None,
            },
            options: self.subject.options().to_vec(),
            version: match &self.subject {
                Subject::Approval { version, .. } => Some(*version),
                _ => None,
            },
            section_ids: match &self.subject {
                Subject::Block { section_ids, .. } => section_ids.clone(),
                _ => Vec::new(),
            },
            question: self.question.clone(),
            status: self.status,
            majority: self.majority,
            quorum: self.quorum,
            secret: self.secret,
            live_results: self.live_results,
            opened_at: self.opened_at,
            closes_at: self.closes_at,
            closed_at: self.closed_at,
            cancelled_reason: self.cancelled_reason.clone(),
            eligible_organizations: self.eligible.clone(),
            participation: self.participation(),
            tally: self.tally_visible().then(|| self.tally()),
            result: self.result.filter(|_| self.status == BallotStatus::Closed),
            alternatives: self.alternatives.clone().filter(|_| self.status == BallotStatus::Closed),
            my_vote: mine.and_then(|v| v.choice),
            my_ranking: mine.and_then(|v| v.ranking.clone()),
            my_vote_by_hand: mine.is_some_and(|v| v.by_hand),
            session: self.session,
        }
    }
}

/// A delegate or secretariat user of an eligible organization votes for it.
pub fn may_vote(user: &User, ballot: &BallotRecord) -> bool {
    user.active && matches!(user.role, Role::Delegate | Role::Secretariat) && ballot.is_eligible(user.organization.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::OrganizationKind;
    use crate::domain::fixtures;

    fn record(live: bool, status: BallotStatus, voter: &User) -> BallotRecord {
        BallotRecord {
            id: BallotId::new(),
            subject: Subject::Proposal { proposal_id: ProposalId::new() },
            status,
            majority: Majority::Simple,
            quorum: 0.5,
            secret: true,
            live_results: live,
            question: "¿?".into(),
            text: "texto".into(),
            text_sha256: String::new(),
            decision: None,
            revision: 1,
            opened_at: Utc::now(),
            opened_by: voter.into(),
            closes_at: None,
            closed_at: None,
            closed_by: None,
            cancelled_reason: None,
            eligible: vec![EligibleOrganization { id: voter.organization.id, name: "O".into() }],
            votes: vec![Vote {
                organization_id: voter.organization.id,
                choice: Some(Choice::Yes),
                ranking: None,
                cast_by: voter.into(),
                cast_at: Utc::now(),
                by_hand: false,
            }],
            result: None,
            alternatives: None,
            session: None,
        }
    }

    #[test]
    fn the_tally_shows_only_when_live_or_closed() {
        let voter = fixtures::user(Role::Delegate, OrganizationKind::Member);
        assert_eq!(record(false, BallotStatus::Open, &voter).view_for(None).tally, None);
        assert!(record(true, BallotStatus::Open, &voter).view_for(None).tally.is_some());
        assert!(record(false, BallotStatus::Closed, &voter).view_for(None).tally.is_some());
        let view = record(false, BallotStatus::Open, &voter).view_for(Some(voter.organization.id));
        assert_eq!(view.my_vote, Some(Choice::Yes), "an organization sees its own vote");
        assert_eq!(view.participation.voted, 1);
    }

    #[test]
    fn who_may_vote() {
        let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let ballot = record(false, BallotStatus::Open, &delegate);
        assert!(may_vote(&delegate, &ballot));
        let secretariat = User { role: Role::Secretariat, ..delegate.clone() };
        assert!(may_vote(&secretariat, &ballot));
        let observer = User { role: Role::Observer, ..delegate.clone() };
        assert!(!may_vote(&observer, &ballot));
        let outsider = fixtures::user(Role::Delegate, OrganizationKind::Member);
        assert!(!may_vote(&outsider, &ballot));
    }
}
