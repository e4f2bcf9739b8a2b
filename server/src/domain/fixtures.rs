//! Values for the unit tests of the rules.

use chrono::Utc;

use super::account::{Organization, OrganizationKind, Role, User};
use super::comment::Comment;
use super::ids::{CommentId, OrganizationId, ProposalId, UserId};

pub fn organization(kind: OrganizationKind) -> Organization {
    Organization { id: OrganizationId::new(), name: "Org".into(), short_name: "O".into(), kind, active: true }
}

pub fn user(role: Role, kind: OrganizationKind) -> User {
    User {
        id: UserId::new(),
        email: "u@example.org".into(),
        display_name: "U".into(),
        role,
        organization: organization(kind),
        active: true,
        token_version: 0,
    }
}

/// A delegate's comment saying `body`, in the given state.
pub fn comment(body: &str, deleted: bool, hidden: bool) -> Comment {
    let author = user(Role::Delegate, OrganizationKind::Member);
    Comment {
        id: CommentId::new(),
        proposal_id: ProposalId::new(),
        parent_id: None,
        author: (&author).into(),
        organization: author.organization.clone(),
        body: body.to_owned(),
        body_html: format!("<p>{body}</p>"),
        anchor: None,
        created_at: Utc::now(),
        edited_at: None,
        deleted,
        hidden,
        hidden_reason: hidden.then(|| "ofensivo".to_owned()),
    }
}
