//! What each kind of event says: one payload type per kind, and an event
//! can only be made from it. A kind belongs to one group (`EventKind::shape`,
//! an exhaustive match); a group's kinds are their own small enum
//! (`CommentChange`, ...), so a comment event cannot be made with a ballot's
//! kind, nor a ballot event with a body it should not carry. What a reader
//! may see of an event read back is decided on these types too
//! (`Event::as_seen_by`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::ballot::Tally;
use super::ballot_record::{BallotRecord, BallotView, Participation, Vote};
use super::comment::{Comment, Flag};
use super::event::{NewEvent, Topic};
use super::event_kind::EventKind;
use super::ids::{BallotId, DocumentId};
use super::notification::{Notice, NoticeKind};
use super::proposal::Proposal;

/// The kinds of event that carry a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentChange {
    Created,
    Edited,
    Deleted,
    Hidden,
    Unhidden,
}

/// The kinds of moderation event, which carry a flag and its comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagChange {
    Created,
    Resolved,
}

/// The kinds of event that carry a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalChange {
    Created,
    Revised,
    Status,
    Locked,
    Cosponsors,
}

/// The kinds of ballot event; each has its own payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallotChange {
    Opened,
    Participation,
    Tally,
    Closed,
    Choices,
    Cancelled,
}

/// The groups of kinds, each with one payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Comment(CommentChange),
    Flag(FlagChange),
    Proposal(ProposalChange),
    DocumentVersion,
    DocumentPhase,
    Ballot(BallotChange),
    /// `domain::account_events`.
    Account,
    /// `domain::session_events`.
    Session,
}

macro_rules! kinds_of {
    ($group:ident { $($variant:ident => $kind:ident),* $(,)? }) => {
        impl From<$group> for EventKind {
            fn from(change: $group) -> EventKind {
                match change { $($group::$variant => EventKind::$kind),* }
            }
        }
    };
}
kinds_of!(CommentChange {
    Created => CommentCreated, Edited => CommentEdited, Deleted => CommentDeleted,
    Hidden => CommentHidden, Unhidden => CommentUnhidden,
});
kinds_of!(FlagChange { Created => FlagCreated, Resolved => FlagResolved });
kinds_of!(ProposalChange {
    Created => ProposalCreated, Revised => ProposalRevised, Status => ProposalStatus, Locked => ProposalLocked,
    Cosponsors => ProposalCosponsors,
});
kinds_of!(BallotChange {
    Opened => BallotOpened, Participation => BallotParticipation, Tally => BallotTally,
    Closed => BallotClosed, Choices => BallotChoices, Cancelled => BallotCancelled,
});

/// `comment.*`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CommentData {
    pub comment: Comment,
}

/// `flag.*`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FlagData {
    pub flag: Flag,
}

/// `proposal.*`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProposalData {
    pub proposal: Proposal,
}

/// `document.version`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct VersionData {
    #[schema(value_type = Uuid)]
    pub document_id: DocumentId,
    pub version: i64,
    pub summary: String,
    pub proposal_id: Option<Uuid>,
}

/// `document.phase`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PhaseData {
    #[schema(value_type = Uuid)]
    pub document_id: DocumentId,
    pub title: String,
    #[serde(flatten)]
    pub stage: crate::domain::phase::Stage,
}

/// `ballot.opened` and `ballot.closed`: the ballot as anyone may see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BallotData {
    pub ballot: BallotView,
}

/// `ballot.participation`: who took part, never what they chose.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ParticipationData {
    #[schema(value_type = Uuid)]
    pub ballot_id: BallotId,
    pub participation: Participation,
}

/// `ballot.tally`: only for a ballot with live results.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TallyData {
    #[schema(value_type = Uuid)]
    pub ballot_id: BallotId,
    pub tally: Tally,
}

/// `ballot.choices`: a public ballot's choices and every change, at its close.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChoicesData {
    #[schema(value_type = Uuid)]
    pub ballot_id: BallotId,
    pub votes: Vec<Vote>,
    pub casts: Vec<Vote>,
}

/// `ballot.cancelled`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CancelledData {
    #[schema(value_type = Uuid)]
    pub ballot_id: BallotId,
    pub reason: String,
}

/// Every payload, for the OpenAPI document: an event's `data` is one of
/// these, as its `kind` says (`anyOf`: an accounts payload is described
/// only as an object, which every payload also is).
pub struct EventData;

macro_rules! documented_payloads {
    ($($payload:ty),* $(,)?) => {
        impl utoipa::PartialSchema for EventData {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Ref};
                let builder = AnyOfBuilder::new()
                    $(.item(Ref::from_schema_name(<$payload as utoipa::ToSchema>::name())))*
                    .item(ObjectBuilder::new().description(Some("The accounts topic's payloads")));
                builder.into()
            }
        }

        impl utoipa::ToSchema for EventData {
            fn schemas(
                schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>,
            ) {
                $(
                    schemas.push((
                        <$payload as utoipa::ToSchema>::name().into_owned(),
                        <$payload as utoipa::PartialSchema>::schema(),
                    ));
                    <$payload as utoipa::ToSchema>::schemas(schemas);
                )*
            }
        }
    };
}
documented_payloads!(
    CommentData,
    FlagData,
    ProposalData,
    VersionData,
    PhaseData,
    BallotData,
    ParticipationData,
    TallyData,
    ChoicesData,
    CancelledData,
    super::session_events::SessionData,
);

fn to_data(payload: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(payload).unwrap_or_default()
}

impl NewEvent {
    /// A comment event on `topic`; what each reader sees of its body
    /// follows the comment's state when read.
    pub fn comment(topic: Topic, change: CommentChange, comment: &Comment) -> NewEvent {
        let mut event = NewEvent::raw(topic, change.into(), to_data(&CommentData { comment: comment.clone() }));
        event.comment = Some((comment.id, (comment.deleted, comment.hidden)));
        // A comment is recorded on its proposal's topic alone; the check
        // keeps its notices from being made twice should that change.
        if change == CommentChange::Created && topic == Topic::Proposal(comment.proposal_id) {
            event.notices = Notice::of_comment(comment);
        }
        event
    }

    /// A moderation event carrying a flag and its comment.
    pub fn flag(change: FlagChange, flag: &Flag) -> NewEvent {
        let comment = &flag.comment;
        let mut event = NewEvent::raw(Topic::Moderation, change.into(), to_data(&FlagData { flag: flag.clone() }));
        event.comment = Some((comment.id, (comment.deleted, comment.hidden)));
        if change == FlagChange::Created {
            event.notices = vec![Notice::of_flag(flag)];
        }
        event
    }

    /// A proposal event on `topic` (its document's or its own); a change of
    /// status is told to its organization once, with the proposal's own.
    pub fn proposal(topic: Topic, change: ProposalChange, proposal: &Proposal) -> NewEvent {
        let mut event = NewEvent::raw(topic, change.into(), to_data(&ProposalData { proposal: proposal.clone() }));
        if change == ProposalChange::Status && topic == Topic::Proposal(proposal.id) {
            event.notices = vec![Notice::of_proposal_status(proposal)];
        }
        event
    }

    /// A proposal whose article left the text: its organization is told it
    /// is outdated (its status is unchanged; it can be revised or withdrawn).
    pub fn proposal_orphaned(topic: Topic, proposal: &Proposal) -> NewEvent {
        let mut event = NewEvent::proposal(topic, ProposalChange::Status, proposal);
        if !event.notices.is_empty() {
            event.notices = vec![Notice::of_outdated(proposal)];
        }
        event
    }

    pub fn version(version: VersionData) -> NewEvent {
        NewEvent::raw(Topic::Document(version.document_id), EventKind::DocumentVersion, to_data(&version))
    }

    /// Every organization hears of a new phase: it changes what they may do.
    pub fn phase(phase: PhaseData) -> NewEvent {
        let mut event = NewEvent::raw(Topic::Document(phase.document_id), EventKind::DocumentPhase, to_data(&phase));
        event.notices = vec![Notice::of_phase(&phase)];
        event
    }

    /// A ballot event on its proposal's topic, its payload made from the
    /// ballot here: the view anyone may see, the participation, the tally
    /// (live results), or the choices, which a secret ballot never chains.
    pub fn ballot(ballot: &BallotRecord, news: BallotNews<'_>) -> NewEvent {
        let ballot_id = ballot.id;
        let data = match news {
            BallotNews::Opened | BallotNews::Closed => to_data(&BallotData { ballot: ballot.view_for(None) }),
            BallotNews::Participation => {
                to_data(&ParticipationData { ballot_id, participation: ballot.participation() })
            }
            BallotNews::Tally => to_data(&TallyData { ballot_id, tally: ballot.tally() }),
            BallotNews::Choices { casts } => {
                let (votes, casts) =
                    if ballot.secret { (Vec::new(), Vec::new()) } else { (ballot.votes.clone(), casts.to_vec()) };
                to_data(&ChoicesData { ballot_id, votes, casts })
            }
            BallotNews::Cancelled { reason } => to_data(&CancelledData { ballot_id, reason: reason.to_owned() }),
        };
        let mut event = NewEvent::raw(ballot.subject.topic(), news.change().into(), data);
        event.notices = match news {
            BallotNews::Opened => vec![Notice::of_ballot(ballot, NoticeKind::BallotOpened)],
            BallotNews::Closed => vec![Notice::of_ballot(ballot, NoticeKind::BallotClosed)],
            _ => Vec::new(),
        };
        event
    }
}

/// What a ballot event says, with what it needs beyond the ballot.
#[derive(Debug, Clone, Copy)]
pub enum BallotNews<'a> {
    Opened,
    Participation,
    Tally,
    Closed,
    Choices { casts: &'a [Vote] },
    Cancelled { reason: &'a str },
}

impl BallotNews<'_> {
    pub fn change(self) -> BallotChange {
        match self {
            BallotNews::Opened => BallotChange::Opened,
            BallotNews::Participation => BallotChange::Participation,
            BallotNews::Tally => BallotChange::Tally,
            BallotNews::Closed => BallotChange::Closed,
            BallotNews::Choices { .. } => BallotChange::Choices,
            BallotNews::Cancelled { .. } => BallotChange::Cancelled,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::account::{OrganizationKind, Role};
    use crate::domain::ballot::{Choice, Majority};
    use crate::domain::ballot_record::BallotStatus;
    use crate::domain::fixtures;
    use crate::domain::ids::ProposalId;

    fn closed_ballot(secret: bool) -> BallotRecord {
        let voter = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let vote = Vote {
            organization_id: voter.organization.id,
            choice: Some(Choice::Abstain),
            ranking: None,
            cast_by: (&voter).into(),
            cast_at: Utc::now(),
            by_hand: false,
        };
        BallotRecord {
            id: BallotId::new(),
            subject: crate::domain::ballot_subject::Subject::Proposal { proposal_id: ProposalId::new() },
            status: BallotStatus::Closed,
            majority: Majority::Simple,
            quorum: 0.0,
            secret,
            live_results: false,
            question: "¿Se aprueba?".into(),
            text: "Texto.".into(),
            text_sha256: String::new(),
            decision: None,
            revision: 1,
            opened_at: Utc::now(),
            opened_by: (&voter).into(),
            closes_at: None,
            closed_at: Some(Utc::now()),
            closed_by: None,
            cancelled_reason: None,
            eligible: Vec::new(),
            votes: vec![vote],
            result: None,
            alternatives: None,
            session: None,
        }
    }

    #[test]
    fn each_kind_is_made_from_its_own_payload_and_a_secret_ballot_chains_no_choice() {
        for secret in [false, true] {
            let ballot = closed_ballot(secret);
            let choices = NewEvent::ballot(&ballot, BallotNews::Choices { casts: &ballot.votes });
            assert_eq!(choices.kind, EventKind::BallotChoices);
            assert_eq!(choices.kind.shape(), Shape::Ballot(BallotChange::Choices));
            assert_eq!(choices.data.to_string().contains("abstain"), !secret, "secret {secret}: {}", choices.data);
            let closed = NewEvent::ballot(&ballot, BallotNews::Closed);
            assert_eq!(closed.kind, EventKind::BallotClosed);
            assert_eq!(Some(closed.topic), ballot.subject.proposal_id().map(Topic::Proposal));
        }
        let comment = fixtures::comment("hola", false, false);
        let made = NewEvent::comment(Topic::Proposal(comment.proposal_id), CommentChange::Hidden, &comment);
        assert_eq!(made.kind, EventKind::CommentHidden);
        assert_eq!(made.comment, Some((comment.id, (false, false))));
        let back: CommentData = serde_json::from_value(made.data).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.comment, comment, "a comment payload reads back as the comment");
    }
}
