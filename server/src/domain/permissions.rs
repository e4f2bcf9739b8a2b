//! Who may do what. Every decision about roles is a named function here so a
//! reader can find it, and tests can check each one both ways.

use super::account::{OrganizationKind, Role, User};

/// Managing organizations, people and invitations is the secretariat's job.
pub fn may_manage_accounts(actor: &User) -> bool {
    actor.active && actor.role == Role::Secretariat
}

/// A delegate speaks for a member organization and an observer for an
/// observer organization. The secretariat may come from either (it is a
/// role in the process, not a kind of organization).
pub fn role_fits_organization(role: Role, kind: OrganizationKind) -> bool {
    match role {
        Role::Secretariat => true,
        Role::Delegate => kind == OrganizationKind::Member,
        Role::Observer => kind == OrganizationKind::Observer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures;

    fn user(role: Role, active: bool) -> User {
        User { active, ..fixtures::user(role, OrganizationKind::Member) }
    }

    #[test]
    fn only_an_active_secretariat_manages_accounts() {
        assert!(may_manage_accounts(&user(Role::Secretariat, true)));
        assert!(!may_manage_accounts(&user(Role::Secretariat, false)));
        assert!(!may_manage_accounts(&user(Role::Delegate, true)));
        assert!(!may_manage_accounts(&user(Role::Observer, true)));
    }

    #[test]
    fn roles_fit_their_kind_of_organization() {
        use OrganizationKind::*;
        assert!(role_fits_organization(Role::Delegate, Member));
        assert!(!role_fits_organization(Role::Delegate, Observer));
        assert!(role_fits_organization(Role::Observer, Observer));
        assert!(!role_fits_organization(Role::Observer, Member));
        assert!(role_fits_organization(Role::Secretariat, Member));
        assert!(role_fits_organization(Role::Secretariat, Observer));
    }
}
