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
use super::ids::{CommentId, DocumentId, ProposalId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    Document(DocumentId),
    Proposal(ProposalId),
    Moderation,
}

impl Topic {
    /// `document:<uuid>`, `proposal:<uuid>` or `moderation`.
    pub fn parse(text: &str) -> Option<Topic> {
        if text == "moderation" {
            return Some(Topic::Moderation);
        }
        let (kind, id) = text.split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "document" => Some(Topic::Document(DocumentId(id))),
            "proposal" => Some(Topic::Proposal(ProposalId(id))),
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
        }
    }
}

/// Everyone signed in reads the charter and its discussion; the moderation
/// queue is the secretariat's.
pub fn may_read_topic(user: &User, topic: Topic) -> bool {
    match topic {
        Topic::Moderation => may_moderate(user),
        Topic::Document(_) | Topic::Proposal(_) => user.active,
    }
}

/// An event about to be appended, in the transaction of its change.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub topic: Topic,
    pub kind: &'static str,
    pub data: Value,
    /// For events that carry a comment: its id (so replay can apply the
    /// comment's current visibility) and its (deleted, hidden) state now.
    pub comment: Option<(CommentId, (bool, bool))>,
}

impl NewEvent {
    pub fn new(topic: Topic, kind: &'static str, data: Value) -> NewEvent {
        NewEvent { topic, kind, data, comment: None }
    }

    /// A moderation event carrying a flag, and in it the flagged comment
    /// (`flag.comment`), whose body follows the comment's state as in
    /// [`NewEvent::about_comment`].
    pub fn about_flag(kind: &'static str, flag: &super::comment::Flag) -> NewEvent {
        let comment = &flag.comment;
        NewEvent {
            topic: Topic::Moderation,
            kind,
            data: serde_json::json!({ "flag": flag }),
            comment: Some((comment.id, (comment.deleted, comment.hidden))),
        }
    }

    /// An event carrying a comment, under the key `comment`.
    pub fn about_comment(topic: Topic, kind: &'static str, comment: &Comment) -> NewEvent {
        NewEvent {
            topic,
            kind,
            data: serde_json::json!({ "comment": comment }),
            comment: Some((comment.id, (comment.deleted, comment.hidden))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Event {
    pub topic: String,
    pub seq: i64,
    pub kind: String,
    #[schema(value_type = Object)]
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
        if let Some((deleted, hidden)) = self.comment_state {
            if !body_visible(deleted, hidden, audience) {
                let carried = match event.data.get("flag") {
                    Some(_) => event.data.get_mut("flag").and_then(|flag| flag.get_mut("comment")),
                    None => event.data.get_mut("comment"),
                };
                if let Some(comment) = carried.and_then(Value::as_object_mut) {
                    comment.insert("body".into(), Value::String(String::new()));
                    comment.insert("body_html".into(), Value::String(String::new()));
                }
            }
        }
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
    use serde_json::json;

    fn event(state: Option<(bool, bool)>) -> Event {
        Event {
            topic: "proposal:x".into(),
            seq: 1,
            kind: "comment.created".into(),
            data: json!({"comment": {"id": "c", "body": "secreto", "body_html": "<p>secreto</p>"}}),
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
