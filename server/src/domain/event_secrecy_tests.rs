//! Every kind of event, built as the store builds it, with hostile contents:
//! no audience ever receives a comment body it may not see, and
//! `differs_for` says exactly when an audience's copy differs.

use chrono::Utc;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::domain::account::{OrganizationKind, Role};
use crate::domain::comment::Flag;
use crate::domain::event_kind::{Carried, EventKind};
use crate::domain::event_payload::Shape;
use crate::domain::fixtures;
use crate::domain::ids::{FlagId, ProposalId};

/// The event of `kind` as the store makes it, then as it is read back.
fn made(kind: EventKind, body: &str, deleted: bool, hidden: bool) -> Event {
    let topic = Topic::Proposal(ProposalId::new());
    let new = match kind.shape() {
        Shape::Comment(change) => NewEvent::comment(topic, change, &fixtures::comment(body, deleted, hidden)),
        Shape::Flag(change) => {
            let flagger = fixtures::user(Role::Delegate, OrganizationKind::Member);
            let flag = Flag {
                id: FlagId::new(),
                comment: fixtures::comment(body, deleted, hidden),
                flagged_by: (&flagger).into(),
                reason: "spam".into(),
                status: "open".into(),
                action: None,
                created_at: Utc::now(),
                resolved_at: None,
            };
            NewEvent::flag(change, &flag)
        }
        // Their payloads carry no comment: what they say is the same for
        // every reader of their topic.
        Shape::Proposal(_)
        | Shape::DocumentVersion
        | Shape::DocumentPhase
        | Shape::Ballot(_)
        | Shape::Account
        | Shape::Session => NewEvent::raw(topic, kind, json!({ "note": "nothing secret" })),
    };
    Event {
        topic: new.topic.to_string(),
        seq: 1,
        kind: new.kind,
        data: new.data,
        actor: None,
        at: Utc::now(),
        comment_state: new.comment.map(|(_, state)| state),
    }
}

proptest! {
    #[test]
    fn no_audience_sees_a_body_it_may_not(
        body in "[a-zA-Z0-9 <>&\"'ñáé]{0,24}",
        deleted: bool,
        hidden: bool,
    ) {
        // A marker no other field contains, wrapped around hostile text.
        let body = format!("SECRETO-{body}-SECRETO");
        for kind in EventKind::ALL.iter().copied() {
            let event = made(kind, &body, deleted, hidden);
            for audience in [Audience::Everyone, Audience::Secretariat] {
                let seen = event.as_seen_by(audience);
                let text = serde_json::to_string(&seen).unwrap_or_default();
                let carries_comment = kind.carries() != Carried::Nothing;
                let may_see = carries_comment && crate::domain::comment::body_visible(deleted, hidden, audience);
                prop_assert_eq!(text.contains("SECRETO"), may_see, "{:?} to {:?}: {}", kind, audience, text);
                prop_assert_eq!(event.differs_for(audience), seen != event, "{:?} to {:?}", kind, audience);
            }
        }
    }
}
