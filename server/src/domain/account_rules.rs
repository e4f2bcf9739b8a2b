//! Consistency rules for changes to organizations and people, checked by the
//! store inside the transaction that makes the change.

use super::account::{Organization, OrganizationKind, OrganizationPatch, Role, User, UserPatch};
use super::limits::Invalid;
use super::permissions::role_fits_organization;
use super::Refusal;

/// A user's new role must fit their organization, and the assembly must keep
/// at least one active secretariat account, or nobody could administer it.
pub fn check_user_patch(target: &User, patch: &UserPatch, active_secretariat: usize) -> Result<(), Refusal> {
    let role = patch.role.unwrap_or(target.role);
    let active = patch.active.unwrap_or(target.active);
    if !role_fits_organization(role, target.organization.kind) {
        return Err(Invalid::new(
            "role",
            format!(
                "a {} cannot belong to an organization of kind {}",
                role.as_str(),
                target.organization.kind.as_str()
            ),
        )
        .into());
    }
    let stays_secretariat = role == Role::Secretariat && active;
    let is_active_secretariat = target.role == Role::Secretariat && target.active;
    if is_active_secretariat && !stays_secretariat && active_secretariat <= 1 {
        return Err(Refusal::Conflict(
            "this is the last active secretariat account; invite or promote another one first".into(),
        ));
    }
    Ok(())
}

/// An invitation (and the account made from it) needs an active
/// organization of a kind that fits the role.
pub fn check_invitation(org: &Organization, role: Role) -> Result<(), Refusal> {
    if !role_fits_organization(role, org.kind) {
        return Err(Invalid::new(
            "role",
            format!("a {} cannot belong to an organization of kind {}", role.as_str(), org.kind.as_str()),
        )
        .into());
    }
    if !org.active {
        return Err(Refusal::Conflict("the organization is inactive".into()));
    }
    Ok(())
}

/// Changing an organization's kind must not leave delegates in an observer
/// organization or observers in a member organization.
pub fn check_organization_patch(
    org: &Organization,
    patch: &OrganizationPatch,
    member_roles: &[Role],
) -> Result<(), Refusal> {
    let kind: OrganizationKind = patch.kind.unwrap_or(org.kind);
    if let Some(role) = member_roles.iter().find(|role| !role_fits_organization(**role, kind)) {
        return Err(Refusal::Conflict(format!(
            "the organization still has people with the role {}; change their roles first",
            role.as_str()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::{organization as org, user};

    #[test]
    fn a_role_change_must_fit_the_organization() {
        let delegate = user(Role::Delegate, OrganizationKind::Member);
        let to_observer = UserPatch { role: Some(Role::Observer), active: None };
        assert!(matches!(check_user_patch(&delegate, &to_observer, 1), Err(Refusal::Invalid(_))));
        let to_secretariat = UserPatch { role: Some(Role::Secretariat), active: None };
        assert_eq!(check_user_patch(&delegate, &to_secretariat, 1), Ok(()));
    }

    #[test]
    fn the_last_active_secretariat_cannot_be_removed() {
        let sec = user(Role::Secretariat, OrganizationKind::Member);
        let deactivate = UserPatch { role: None, active: Some(false) };
        let demote = UserPatch { role: Some(Role::Delegate), active: None };
        assert!(matches!(check_user_patch(&sec, &deactivate, 1), Err(Refusal::Conflict(_))));
        assert!(matches!(check_user_patch(&sec, &demote, 1), Err(Refusal::Conflict(_))));
        assert_eq!(check_user_patch(&sec, &deactivate, 2), Ok(()));
        assert_eq!(check_user_patch(&sec, &demote, 2), Ok(()));
        let keep = UserPatch { role: Some(Role::Secretariat), active: Some(true) };
        assert_eq!(check_user_patch(&sec, &keep, 1), Ok(()));
    }

    #[test]
    fn invitations_need_an_active_organization_of_the_right_kind() {
        let member = org(OrganizationKind::Member);
        assert_eq!(check_invitation(&member, Role::Delegate), Ok(()));
        assert!(matches!(check_invitation(&member, Role::Observer), Err(Refusal::Invalid(_))));
        let inactive = Organization { active: false, ..member };
        assert!(matches!(check_invitation(&inactive, Role::Delegate), Err(Refusal::Conflict(_))));
    }

    #[test]
    fn an_organization_keeps_a_kind_that_fits_its_people() {
        let member = org(OrganizationKind::Member);
        let to_observer = OrganizationPatch { kind: Some(OrganizationKind::Observer), ..Default::default() };
        assert!(matches!(
            check_organization_patch(&member, &to_observer, &[Role::Delegate]),
            Err(Refusal::Conflict(_))
        ));
        assert_eq!(check_organization_patch(&member, &to_observer, &[Role::Secretariat]), Ok(()));
        assert_eq!(check_organization_patch(&member, &to_observer, &[]), Ok(()));
    }
}
