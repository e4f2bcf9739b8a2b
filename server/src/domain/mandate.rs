//! Accreditation: who represents a member organization in the assembly. The
//! organization proposes one titular and alternates among its own people;
//! the secretariat confirms. Sessions count only a confirmed mandate: an
//! organization is present when its titular or an alternate is, and only
//! they vote for it.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::account::{OrganizationKind, PersonRef, Role, User};
use super::ids::{OrganizationId, UserId};
use super::limits::Invalid;
use super::Refusal;

/// The most alternates an organization may name.
pub const MAX_ALTERNATES: usize = 5;

/// One set of representatives, proposed or confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Mandate {
    pub titular: PersonRef,
    pub alternates: Vec<PersonRef>,
    pub proposed_by: PersonRef,
    pub proposed_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_by: Option<PersonRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<DateTime<Utc>>,
}

impl Mandate {
    pub fn includes(&self, user: UserId) -> bool {
        self.titular.id == user || self.alternates.iter().any(|alternate| alternate.id == user)
    }
}

/// An organization's representatives: the confirmed mandate sessions use,
/// and a proposal waiting for the secretariat (the organization's newer one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Representatives {
    #[schema(value_type = uuid::Uuid)]
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub confirmed: Option<Mandate>,
    pub proposed: Option<Mandate>,
}

/// The people named, as checked against the organization's people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nomination {
    pub titular: UserId,
    pub alternates: Vec<UserId>,
}

/// Whether `actor` may propose representatives for `organization`: one of
/// its own delegates, or the secretariat.
pub fn may_nominate(actor: &User, organization: OrganizationId) -> bool {
    actor.active
        && match actor.role {
            Role::Secretariat => true,
            Role::Delegate => actor.organization.id == organization,
            Role::Observer => false,
        }
}

/// Who may be named for `organization`: its own active delegates (or
/// secretariat members); an observer speaks for no one.
pub fn may_represent(person: &User, organization: OrganizationId) -> bool {
    person.organization.id == organization && person.active && person.role != Role::Observer
}

/// Checks a nomination: the organization is a member; the titular is not
/// also an alternate, nobody is named twice, and everyone named is an
/// active delegate (or secretariat member) of that organization.
/// `people` are the users named, as found (a missing one is refused).
pub fn check_nomination(
    organization: (OrganizationId, OrganizationKind),
    nomination: &Nomination,
    people: &[User],
) -> Result<(), Refusal> {
    if organization.1 != OrganizationKind::Member {
        return Err(Refusal::Conflict("only a member organization names representatives".into()));
    }
    if nomination.alternates.len() > MAX_ALTERNATES {
        return Err(Invalid::new("alternates", format!("at most {MAX_ALTERNATES} alternates")).into());
    }
    if nomination.alternates.contains(&nomination.titular) {
        return Err(Invalid::new(
            "alternates",
            "the titular cannot also be an alternate; an organization has one titular",
        )
        .into());
    }
    let mut seen = std::collections::HashSet::new();
    if !nomination.alternates.iter().all(|id| seen.insert(*id)) {
        return Err(Invalid::new("alternates", "a person is named twice").into());
    }
    for id in std::iter::once(&nomination.titular).chain(&nomination.alternates) {
        let field = if *id == nomination.titular { "titular" } else { "alternates" };
        let Some(person) = people.iter().find(|user| user.id == *id) else {
            return Err(Invalid::new(field, format!("no person {id}")).into());
        };
        if !may_represent(person, organization.0) {
            return Err(Invalid::new(
                field,
                format!("{} is not an active delegate of this organization", person.display_name),
            )
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures;

    fn colleague(of: &User) -> User {
        let mut user = fixtures::user(Role::Delegate, OrganizationKind::Member);
        user.organization = of.organization.clone();
        user
    }

    #[test]
    fn a_nomination_names_active_delegates_of_the_organization_once_each() {
        let titular = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let alternate = colleague(&titular);
        let org = (titular.organization.id, OrganizationKind::Member);
        let people = vec![titular.clone(), alternate.clone()];
        let good = Nomination { titular: titular.id, alternates: vec![alternate.id] };
        assert_eq!(check_nomination(org, &good, &people), Ok(()));
        let twice = Nomination { titular: titular.id, alternates: vec![titular.id] };
        assert!(matches!(check_nomination(org, &twice, &people), Err(Refusal::Invalid(_))));
        let repeated = Nomination { titular: titular.id, alternates: vec![alternate.id, alternate.id] };
        assert!(matches!(check_nomination(org, &repeated, &people), Err(Refusal::Invalid(_))));
        let outsider = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let foreign = Nomination { titular: titular.id, alternates: vec![outsider.id] };
        let with_outsider = vec![titular.clone(), outsider];
        assert!(matches!(check_nomination(org, &foreign, &with_outsider), Err(Refusal::Invalid(_))));
        let observer = User { role: Role::Observer, ..colleague(&titular) };
        let watching = Nomination { titular: observer.id, alternates: vec![] };
        assert!(matches!(check_nomination(org, &watching, &[observer]), Err(Refusal::Invalid(_))));
        let observers = (titular.organization.id, OrganizationKind::Observer);
        assert!(matches!(check_nomination(observers, &good, &people), Err(Refusal::Conflict(_))));
    }

    #[test]
    fn an_organization_nominates_for_itself_and_the_secretariat_for_anyone() {
        let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
        assert!(may_nominate(&delegate, delegate.organization.id));
        let other = fixtures::user(Role::Delegate, OrganizationKind::Member);
        assert!(!may_nominate(&delegate, other.organization.id));
        let secretariat = User { role: Role::Secretariat, ..other.clone() };
        assert!(may_nominate(&secretariat, delegate.organization.id));
        let observer = User { role: Role::Observer, ..delegate.clone() };
        assert!(!may_nominate(&observer, delegate.organization.id));
    }
}
