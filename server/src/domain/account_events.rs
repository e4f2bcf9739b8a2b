//! The `accounts` topic: every change of who may decide (organizations,
//! people's roles and whether they are active, invitations) is an event,
//! chained and verified like the others. The payloads are these types, so
//! what goes on the record is decided here: a `User` serializes without its
//! token version and a password hash is not part of it; an `Invitation`
//! carries no token (only its hash is stored, and never here).

use serde::Serialize;

use super::account::{Invitation, Organization, User};
use super::event::{NewEvent, Topic};
use super::event_kind::EventKind;
use super::mandate::Representatives;

#[derive(Debug, Clone, Copy)]
pub enum AccountEvent<'a> {
    OrganizationCreated(&'a Organization),
    OrganizationUpdated(&'a Organization),
    UserCreated(&'a User),
    UserUpdated(&'a User),
    /// A link to set a new password, made for this person (never the link).
    UserAccessLink(&'a User),
    InvitationCreated(&'a Invitation),
    /// A new link (the old one no longer works) and a new expiry.
    InvitationRenewed(&'a Invitation),
    InvitationRevoked(&'a Invitation),
    InvitationAccepted {
        invitation: &'a Invitation,
        user: &'a User,
    },
    Representatives(&'a Representatives),
}

#[derive(Serialize)]
struct OrganizationData<'a> {
    organization: &'a Organization,
}

#[derive(Serialize)]
struct UserData<'a> {
    user: &'a User,
}

#[derive(Serialize)]
struct InvitationData<'a> {
    invitation: InvitationRecord<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<&'a User>,
}

/// An invitation as the record keeps it: to whom, for what, until when.
#[derive(Serialize)]
struct InvitationRecord<'a> {
    id: super::ids::InvitationId,
    email: &'a str,
    role: super::account::Role,
    organization: &'a Organization,
    created_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
}

impl<'a> From<&'a Invitation> for InvitationRecord<'a> {
    fn from(invitation: &'a Invitation) -> Self {
        InvitationRecord {
            id: invitation.id,
            email: &invitation.email,
            role: invitation.role,
            organization: &invitation.organization,
            created_at: invitation.created_at,
            expires_at: invitation.expires_at,
        }
    }
}

impl AccountEvent<'_> {
    pub fn kind(&self) -> EventKind {
        match self {
            AccountEvent::OrganizationCreated(_) => EventKind::OrganizationCreated,
            AccountEvent::OrganizationUpdated(_) => EventKind::OrganizationUpdated,
            AccountEvent::UserCreated(_) => EventKind::UserCreated,
            AccountEvent::UserUpdated(_) => EventKind::UserUpdated,
            AccountEvent::UserAccessLink(_) => EventKind::UserAccessLink,
            AccountEvent::InvitationCreated(_) => EventKind::InvitationCreated,
            AccountEvent::InvitationRenewed(_) => EventKind::InvitationRenewed,
            AccountEvent::InvitationRevoked(_) => EventKind::InvitationRevoked,
            AccountEvent::InvitationAccepted { .. } => EventKind::InvitationAccepted,
            AccountEvent::Representatives(_) => EventKind::OrganizationRepresentatives,
        }
    }

    pub fn to_new_event(&self) -> NewEvent {
        let data = match *self {
            AccountEvent::OrganizationCreated(organization) | AccountEvent::OrganizationUpdated(organization) => {
                serde_json::to_value(OrganizationData { organization })
            }
            AccountEvent::UserCreated(user) | AccountEvent::UserUpdated(user) | AccountEvent::UserAccessLink(user) => {
                serde_json::to_value(UserData { user })
            }
            AccountEvent::InvitationCreated(invitation)
            | AccountEvent::InvitationRenewed(invitation)
            | AccountEvent::InvitationRevoked(invitation) => {
                serde_json::to_value(InvitationData { invitation: invitation.into(), user: None })
            }
            AccountEvent::InvitationAccepted { invitation, user } => {
                serde_json::to_value(InvitationData { invitation: invitation.into(), user: Some(user) })
            }
            AccountEvent::Representatives(representatives) => {
                serde_json::to_value(serde_json::json!({ "representatives": representatives }))
            }
        };
        NewEvent::raw(Topic::Accounts, self.kind(), data.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::{OrganizationKind, Role};
    use crate::domain::fixtures;

    #[test]
    fn no_account_event_carries_a_secret() {
        let mut user = fixtures::user(Role::Delegate, OrganizationKind::Member);
        user.token_version = 987_654_321;
        let invitation = Invitation {
            id: crate::domain::ids::InvitationId::new(),
            email: "ana@esperanza.ec".into(),
            role: Role::Delegate,
            organization: user.organization.clone(),
            created_at: chrono::Utc::now(),
            expires_at: chrono::Utc::now(),
            used_at: None,
            revoked_at: None,
        };
        for event in [
            AccountEvent::UserCreated(&user),
            AccountEvent::UserUpdated(&user),
            AccountEvent::UserAccessLink(&user),
            AccountEvent::InvitationCreated(&invitation),
            AccountEvent::InvitationRenewed(&invitation),
            AccountEvent::InvitationRevoked(&invitation),
            AccountEvent::InvitationAccepted { invitation: &invitation, user: &user },
            AccountEvent::OrganizationUpdated(&user.organization),
        ] {
            let new = event.to_new_event();
            assert_eq!(new.topic, Topic::Accounts);
            let text = new.data.to_string();
            for secret in ["token", "password", "987654321", "hash"] {
                assert!(!text.contains(secret), "{:?} carries {secret}: {text}", new.kind);
            }
        }
    }
}
