//! Events: every change is recorded on one or more topics, each with its own
//! gap-free sequence. The log is the live stream, the replay source and the
//! audit trail; what a reader receives follows the secrecy rules here.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::account::{PersonRef, User};
use super::comment::{body_visible, may_moderate, Audience, Comment};
use super::event_kind::{Carried, EventKind};
use super::event_payload::{CommentData, FlagData};
use super::ids::{CommentId, DocumentId, ProposalId, SessionId};
use super::notification::Notice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Document(DocumentId),
    Proposal(ProposalId),
    Moderation,
    /// Who may decide: organizations, people, invitations (secretariat).
    Accounts,
    /// A session of the assembly, followed live by everyone.
    Session(SessionId),
}

impl Topic {
    /// `document:<uuid>`, `proposal:<uuid>`, `session:<uuid>`, `moderation` or `accounts`.
    pub fn parse(text: &str) -> Option<Topic> {
        match text {
            "moderation" => return Some(Topic::Moderation),
            "accounts" => return Some(Topic::Accounts),
            _ => {}
        }
        let (kind, id) = text.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "document" => Some(Topic::Document(DocumentId(id))),
            "proposal" => Some(Topic::Proposal(ProposalId(id))),
            "session" => Some(Topic::Session(SessionId(id))),
            _ => None,
        }
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Topic::Document(id) => write!(f, "document:{id}"),
            Topic::Proposal(id) => write!(f, "proposal:{id}"),
            Topic::Moderation => f.write_str("moderation"),
            Topic::Accounts => f.write_str("accounts"),
            Topic::Session(id) => write!(f, "session:{id}"),
        }
    }
}

/// Everyone signed in reads the charter and its discussion; the moderation
/// queue and the accounts record are the secretariat's.
pub fn may_read_topic(user: &User, topic: Topic) -> bool {
    match topic {
        Topic::Moderation | Topic::Accounts => may_moderate(user),
        Topic::Document(_) | Topic::Proposal(_) | Topic::Session(_) => user.active,
    }
}

/// An event about to be appended, in the transaction of its change.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub topic: Topic,
    pub kind: EventKind,
    pub data: Value,
    /// For events that carry a comment: its id (so replay can apply the
    /// comment's current visibility) and its (deleted, hidden) state now.
    pub comment: Option<(CommentId, (bool, bool))>,
    /// Who should hear of this change, recorded with it.
    pub notices: Vec<Notice>,
}

impl NewEvent {
    /// Only the typed constructors (`event_payload`, `account_events`) make
    /// events, each from its kind's payload type.
    pub(in crate::domain) fn raw(topic: Topic, kind: EventKind, data: Value) -> NewEvent {
        NewEvent { topic, kind, data, comment: None, notices: Vec::new() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub topic: String,
    pub seq: i64,
    pub kind: EventKind,
    /// One of the payloads, as `kind` says.
    #[schema(value_type = super::event_payload::EventData)]
    pub data: Value,
    pub actor: Option<PersonRef>,
    pub at: DateTime<Utc>,
    /// The current state of the comment this event carries, when it carries
    /// one: (deleted, hidden). Not sent; decides what each reader sees.
    #[serde(skip)]
    pub comment_state: Option<(bool, bool)>,
}

impl Event {
    /// The event as `audience` may see it: a comment's body is emptied when
    /// the comment is (now) deleted, or hidden from this reader.
    pub fn as_seen_by(&self, audience: Audience) -> Event {
        let mut event = self.clone();
        let Some((deleted, hidden)) = self.comment_state else { return event };
        if body_visible(deleted, hidden, audience) {
            return event;
        }
        // Where the comment sits follows from the kind's payload type, read
        // back as that type; a payload that is not (a corrupt row) shows nothing.
        let blank = |comment: &mut Comment| {
            comment.body.clear();
            comment.body_html.clear();
        };
        event.data = match self.kind.carries() {
            Carried::Nothing => return event,
            Carried::Comment => match serde_json::from_value::<CommentData>(event.data) {
                Ok(mut payload) => {
                    blank(&mut payload.comment);
                    serde_json::to_value(payload).unwrap_or_default()
                }
                Err(_) => Value::Null,
            },
            Carried::FlaggedComment => match serde_json::from_value::<FlagData>(event.data) {
                Ok(mut payload) => {
                    blank(&mut payload.flag.comment);
                    serde_json::to_value(payload).unwrap_or_default()
                }
                Err(_) => Value::Null,
            },
        };
        event
    }

    /// Whether what `audience` sees differs from the stored event, so a
    /// fan-out needs at most two serializations.
    pub fn differs_for(&self, audience: Audience) -> bool {
        matches!(self.comment_state, Some((deleted, hidden)) if !body_visible(deleted, hidden, audience))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(state: Option<(bool, bool)>) -> Event {
        Event {
            topic: "proposal:x".into(),
            seq: 1,
            kind: EventKind::CommentCreated,
            data: serde_json::to_value(CommentData {
                comment: crate::domain::fixtures::comment("secreto", false, false),
            })
            .unwrap_or_default(),
            actor: None,
            at: Utc::now(),
            comment_state: state,
        }
    }

    #[test]
    fn topics_parse_and_print() {
        let id = ProposalId::new();
        let text = format!("proposal:{id}");
        assert_eq!(Topic::parse(&text), Some(Topic::Proposal(id)));
        assert_eq!(Topic::parse(&text).map(|t| t.to_string()), Some(text));
        assert_eq!(Topic::parse("moderation"), Some(Topic::Moderation));
        assert_eq!(Topic::parse("accounts").map(|t| t.to_string()).as_deref(), Some("accounts"));
        for bad in ["", "proposal:", "proposal:nope", "ballot:00000000-0000-0000-0000-000000000000", "moderation:x"] {
            assert_eq!(Topic::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn hidden_comment_bodies_leave_events_only_for_the_secretariat() {
        let hidden = event(Some((false, true)));
        assert_eq!(hidden.as_seen_by(Audience::Everyone).data["comment"]["body"], "");
        assert_eq!(hidden.as_seen_by(Audience::Everyone).data["comment"]["body_html"], "");
        assert_eq!(hidden.as_seen_by(Audience::Secretariat).data["comment"]["body"], "secreto");
        assert!(hidden.differs_for(Audience::Everyone) && !hidden.differs_for(Audience::Secretariat));
        let deleted = event(Some((true, false)));
        assert_eq!(deleted.as_seen_by(Audience::Secretariat).data["comment"]["body"], "");
        let visible = event(Some((false, false)));
        assert_eq!(visible.as_seen_by(Audience::Everyone).data["comment"]["body"], "secreto");
        assert!(!event(None).differs_for(Audience::Everyone));
    }
}

#[cfg(test)]
#[path = "event_secrecy_tests.rs"]
mod secrecy_tests;
