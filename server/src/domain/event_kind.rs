//! Every kind of event there is, and what each carries that some reader
//! may not see. The match in `carries` has no catch-all: a new kind does not
//! compile until it says what it carries, so it cannot leak by accident.

use serde::{Deserialize, Serialize};

use super::event_payload::{BallotChange, CommentChange, FlagChange, ProposalChange, Shape};
use super::string_enum::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    CommentCreated,
    CommentEdited,
    CommentDeleted,
    CommentHidden,
    CommentUnhidden,
    FlagCreated,
    FlagResolved,
    ProposalCreated,
    ProposalRevised,
    ProposalStatus,
    ProposalLocked,
    /// A co-sponsor was invited or accepted.
    ProposalCosponsors,
    DocumentVersion,
    /// The document moved to another phase, or its deadline changed.
    DocumentPhase,
    BallotOpened,
    BallotParticipation,
    BallotTally,
    BallotClosed,
    BallotChoices,
    BallotCancelled,
    OrganizationCreated,
    OrganizationUpdated,
    UserCreated,
    UserUpdated,
    /// The secretariat made a link for someone to set a new password.
    UserAccessLink,
    InvitationCreated,
    InvitationRenewed,
    InvitationRevoked,
    InvitationAccepted,
    /// An organization's representatives were proposed or confirmed.
    OrganizationRepresentatives,
    SessionConvened,
    /// Status, agenda, current item or details changed.
    SessionUpdated,
    SessionAttendance,
    SessionSpeakers,
}

string_enum!(EventKind {
    CommentCreated => "comment.created",
    CommentEdited => "comment.edited",
    CommentDeleted => "comment.deleted",
    CommentHidden => "comment.hidden",
    CommentUnhidden => "comment.unhidden",
    FlagCreated => "flag.created",
    FlagResolved => "flag.resolved",
    ProposalCreated => "proposal.created",
    ProposalRevised => "proposal.revised",
    ProposalStatus => "proposal.status",
    ProposalLocked => "proposal.locked",
    ProposalCosponsors => "proposal.cosponsors",
    DocumentVersion => "document.version",
    DocumentPhase => "document.phase",
    BallotOpened => "ballot.opened",
    BallotParticipation => "ballot.participation",
    BallotTally => "ballot.tally",
    BallotClosed => "ballot.closed",
    BallotChoices => "ballot.choices",
    BallotCancelled => "ballot.cancelled",
    OrganizationCreated => "organization.created",
    OrganizationUpdated => "organization.updated",
    UserCreated => "user.created",
    UserUpdated => "user.updated",
    UserAccessLink => "user.access_link",
    InvitationCreated => "invitation.created",
    InvitationRenewed => "invitation.renewed",
    InvitationRevoked => "invitation.revoked",
    InvitationAccepted => "invitation.accepted",
    OrganizationRepresentatives => "organization.representatives",
    SessionConvened => "session.convened",
    SessionUpdated => "session.updated",
    SessionAttendance => "session.attendance",
    SessionSpeakers => "session.speakers",
});

/// What an event carries that depends on who reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// The same for every reader of its topic (who may read the topic is
    /// `may_read_topic`'s rule: the accounts and moderation topics are the
    /// secretariat's).
    Nothing,
    /// A comment (`CommentData`): its body follows the comment's state now.
    Comment,
    /// A flag and in it the flagged comment (`FlagData`), whose body follows
    /// the comment's state now.
    FlaggedComment,
}

impl EventKind {
    /// The group the kind belongs to, which fixes its payload type (see
    /// `event_payload`); exhaustive, so a new kind must name one.
    pub fn shape(self) -> Shape {
        use EventKind::*;
        match self {
            CommentCreated => Shape::Comment(CommentChange::Created),
            CommentEdited => Shape::Comment(CommentChange::Edited),
            CommentDeleted => Shape::Comment(CommentChange::Deleted),
            CommentHidden => Shape::Comment(CommentChange::Hidden),
            CommentUnhidden => Shape::Comment(CommentChange::Unhidden),
            FlagCreated => Shape::Flag(FlagChange::Created),
            FlagResolved => Shape::Flag(FlagChange::Resolved),
            ProposalCreated => Shape::Proposal(ProposalChange::Created),
            ProposalRevised => Shape::Proposal(ProposalChange::Revised),
            ProposalStatus => Shape::Proposal(ProposalChange::Status),
            ProposalLocked => Shape::Proposal(ProposalChange::Locked),
            ProposalCosponsors => Shape::Proposal(ProposalChange::Cosponsors),
            DocumentVersion => Shape::DocumentVersion,
            DocumentPhase => Shape::DocumentPhase,
            BallotOpened => Shape::Ballot(BallotChange::Opened),
            BallotParticipation => Shape::Ballot(BallotChange::Participation),
            BallotTally => Shape::Ballot(BallotChange::Tally),
            BallotClosed => Shape::Ballot(BallotChange::Closed),
            BallotChoices => Shape::Ballot(BallotChange::Choices),
            BallotCancelled => Shape::Ballot(BallotChange::Cancelled),
            OrganizationCreated
            | OrganizationUpdated
            | UserCreated
            | UserUpdated
            | UserAccessLink
            | InvitationCreated
            | InvitationRenewed
            | InvitationRevoked
            | InvitationAccepted
            | OrganizationRepresentatives => Shape::Account,
            SessionConvened | SessionUpdated | SessionAttendance | SessionSpeakers => Shape::Session,
        }
    }

    /// What the kind's payload carries that depends on its reader, from its
    /// payload type. Tallies are published only when they may be (live
    /// results, or at the close); a secret ballot's choices are never chained.
    pub fn carries(self) -> Carried {
        match self.shape() {
            Shape::Comment(_) => Carried::Comment,
            Shape::Flag(_) => Carried::FlaggedComment,
            Shape::Proposal(_)
            | Shape::DocumentVersion
            | Shape::DocumentPhase
            | Shape::Ballot(_)
            | Shape::Account
            | Shape::Session => Carried::Nothing,
        }
    }
}

impl Serialize for EventKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        EventKind::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown event kind {text:?}")))
    }
}

/// The kinds, listed in the OpenAPI document as the values `kind` may take.
impl utoipa::PartialSchema for EventKind {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(EventKind::ALL.iter().map(|kind| kind.as_str())))
            .into()
    }
}

impl utoipa::ToSchema for EventKind {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_word_and_parses_back() {
        let mut words = std::collections::HashSet::new();
        for kind in EventKind::ALL {
            assert!(words.insert(kind.as_str()), "{kind:?} shares its word");
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::Value::from(kind.as_str())));
        }
        assert_eq!(EventKind::parse("comment.posted"), None);
    }
}
