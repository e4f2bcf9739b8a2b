//! Values for the unit tests of the rules.

use super::account::{Organization, OrganizationKind, Role, User};
use super::ids::{OrganizationId, UserId};

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
