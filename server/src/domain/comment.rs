//! Comments on proposals: who may write, edit, delete and hide them, and what
//! each reader may see of a hidden or deleted one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::account::{Organization, PersonRef, Role, User};
use super::ids::{CommentId, FlagId, ProposalId};
use super::limits::Invalid;
use super::Refusal;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Anchor {
    /// The revision number whose text is quoted.
    #[serde(deserialize_with = "whole_number")]
    pub revision: i64,
    pub quote: String,
}

/// JSON has one kind of number: to JSON Schema (and so to the OpenAPI
/// document) `3.0` is the whole number 3, so it is here too.
fn whole_number<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    let number = serde_json::Number::deserialize(deserializer)?;
    if let Some(whole) = number.as_i64() {
        return Ok(whole);
    }
    match number.as_f64() {
        // Beyond 2^53 a float no longer holds every whole number: refused.
        Some(float) if float.fract() == 0.0 && float.abs() <= 9_007_199_254_740_992.0 => Ok(float as i64),
        _ => Err(serde::de::Error::custom("expected a whole number")),
    }
}

/// A comment as stored, with its body. What a reader receives is
/// [`Comment::as_seen_by`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Comment {
    #[schema(value_type = uuid::Uuid)]
    pub id: CommentId,
    #[schema(value_type = uuid::Uuid)]
    pub proposal_id: ProposalId,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub parent_id: Option<CommentId>,
    pub author: PersonRef,
    pub organization: Organization,
    pub body: String,
    pub body_html: String,
    pub anchor: Option<Anchor>,
    pub created_at: DateTime<Utc>,
    pub edited_at: Option<DateTime<Utc>>,
    pub deleted: bool,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
}

/// Who is reading: the secretariat sees hidden bodies, nobody sees deleted ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    Secretariat,
    Everyone,
}

impl Audience {
    pub fn of(user: &User) -> Audience {
        if user.role == Role::Secretariat {
            Audience::Secretariat
        } else {
            Audience::Everyone
        }
    }
}

/// Whether `audience` may read the body of a comment in this state.
pub fn body_visible(deleted: bool, hidden: bool, audience: Audience) -> bool {
    !deleted && (!hidden || audience == Audience::Secretariat)
}

impl Comment {
    /// A comment as first written: by `author` for their organization, never
    /// edited, hidden or deleted. Built here rather than read back after the
    /// insert, which would cost the write a round trip to the database.
    /// `created_at` is kept to the microsecond, as both backends store it.
    pub fn first_written(
        id: CommentId,
        proposal_id: ProposalId,
        parent_id: Option<CommentId>,
        author: &User,
        body: String,
        anchor: Option<Anchor>,
        created_at: DateTime<Utc>,
    ) -> Comment {
        Comment {
            id,
            proposal_id,
            parent_id,
            author: PersonRef::from(author),
            organization: author.organization.clone(),
            body_html: super::markdown::render_html(&body),
            body,
            anchor,
            created_at: chrono::SubsecRound::trunc_subsecs(created_at, 6),
            edited_at: None,
            deleted: false,
            hidden: false,
            hidden_reason: None,
        }
    }

    /// The comment with its body emptied where this reader may not see it;
    /// it keeps its place in the thread either way.
    pub fn as_seen_by(mut self, audience: Audience) -> Comment {
        if !body_visible(self.deleted, self.hidden, audience) {
            self.body.clear();
            self.body_html.clear();
        }
        self
    }
}

/// Only the author edits or deletes a comment, and not once it is deleted.
pub fn check_author(user: &User, comment: &Comment) -> Result<(), Refusal> {
    if comment.author.id != user.id {
        return Err(Refusal::Forbidden("only the author may change this comment".into()));
    }
    if comment.deleted {
        return Err(Refusal::Conflict("the comment was deleted".into()));
    }
    Ok(())
}

/// A locked thread takes no new comments and no edits.
pub fn check_thread_open(locked: bool) -> Result<(), Refusal> {
    if locked {
        return Err(Refusal::Conflict("the discussion of this proposal is locked".into()));
    }
    Ok(())
}

/// An anchor must quote text that is really in that revision.
pub fn check_anchor(anchor: &Anchor, revision_body: Option<&str>) -> Result<(), Invalid> {
    let Some(body) = revision_body else {
        return Err(Invalid::new("anchor.revision", format!("the proposal has no revision {}", anchor.revision)));
    };
    if anchor.quote.trim().is_empty() {
        return Err(Invalid::new("anchor.quote", "quote some text of the revision"));
    }
    if !body.contains(&anchor.quote) {
        return Err(Invalid::new("anchor.quote", "the quoted text is not in that revision"));
    }
    Ok(())
}

pub fn may_moderate(user: &User) -> bool {
    user.active && user.role == Role::Secretariat
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FlagAction {
    Hide,
    Dismiss,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Flag {
    #[schema(value_type = uuid::Uuid)]
    pub id: FlagId,
    pub comment: Comment,
    pub flagged_by: PersonRef,
    pub reason: String,
    pub status: String,
    pub action: Option<FlagAction>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::OrganizationKind;
    use crate::domain::fixtures;

    #[test]
    fn an_anchor_revision_is_a_whole_number_however_it_is_written() {
        let anchor = |json: &str| serde_json::from_str::<Anchor>(json).map(|anchor| anchor.revision);
        assert_eq!(anchor(r#"{"revision": 3, "quote": "x"}"#).ok(), Some(3));
        assert_eq!(anchor(r#"{"revision": 3.0, "quote": "x"}"#).ok(), Some(3));
        assert!(anchor(r#"{"revision": 3.5, "quote": "x"}"#).is_err());
        assert!(anchor(r#"{"revision": 1e300, "quote": "x"}"#).is_err());
        assert!(anchor(r#"{"revision": "3", "quote": "x"}"#).is_err());
    }

    fn comment(author: &User) -> Comment {
        Comment {
            id: CommentId::new(),
            proposal_id: ProposalId::new(),
            parent_id: None,
            author: author.into(),
            organization: author.organization.clone(),
            body: "texto".into(),
            body_html: "<p>texto</p>".into(),
            anchor: None,
            created_at: Utc::now(),
            edited_at: None,
            deleted: false,
            hidden: false,
            hidden_reason: None,
        }
    }

    #[test]
    fn hidden_bodies_are_for_the_secretariat_and_deleted_ones_for_nobody() {
        assert!(body_visible(false, false, Audience::Everyone));
        assert!(!body_visible(false, true, Audience::Everyone));
        assert!(body_visible(false, true, Audience::Secretariat));
        assert!(!body_visible(true, false, Audience::Secretariat));
        let author = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let hidden = Comment { hidden: true, ..comment(&author) };
        assert_eq!(hidden.clone().as_seen_by(Audience::Everyone).body, "");
        assert_eq!(hidden.clone().as_seen_by(Audience::Everyone).body_html, "");
        assert_eq!(hidden.as_seen_by(Audience::Secretariat).body, "texto");
    }

    #[test]
    fn only_the_author_changes_a_live_comment() {
        let author = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let other = fixtures::user(Role::Secretariat, OrganizationKind::Member);
        let c = comment(&author);
        assert!(check_author(&author, &c).is_ok());
        assert!(matches!(check_author(&other, &c), Err(Refusal::Forbidden(_))));
        let deleted = Comment { deleted: true, ..c };
        assert!(matches!(check_author(&author, &deleted), Err(Refusal::Conflict(_))));
    }

    #[test]
    fn anchors_must_quote_the_revision() {
        let anchor = Anchor { revision: 1, quote: "cada año".into() };
        assert!(check_anchor(&anchor, Some("se reúne cada año")).is_ok());
        assert!(check_anchor(&anchor, Some("se reúne cada mes")).is_err());
        assert!(check_anchor(&anchor, None).is_err());
        assert!(check_anchor(&Anchor { revision: 1, quote: " ".into() }, Some("x")).is_err());
    }

    #[test]
    fn locked_threads_refuse() {
        assert!(check_thread_open(false).is_ok());
        assert!(matches!(check_thread_open(true), Err(Refusal::Conflict(_))));
    }
}
