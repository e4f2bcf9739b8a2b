//! A consolidated text: the secretariat's proposal that replaces several
//! proposals on the same article (they become `superseded`, and each side
//! links to the other).

use super::account::{Role, User};
use super::ids::{ProposalId, SectionId};
use super::limits::Invalid;
use super::proposal::{ProposalFacts, ProposalStatus};
use super::Refusal;

/// Whether a new proposal on `section` may replace `replaced` (each as
/// stored; `ids` as asked, to catch repeats and unknown ids).
pub fn check_supersedes(
    actor: &User,
    section: Option<SectionId>,
    ids: &[ProposalId],
    replaced: &[ProposalFacts],
) -> Result<(), Refusal> {
    if ids.is_empty() {
        return Ok(());
    }
    if actor.role != Role::Secretariat {
        return Err(Refusal::Forbidden("only the secretariat files a consolidated text".into()));
    }
    for (index, id) in ids.iter().enumerate() {
        if ids[..index].contains(id) {
            return Err(Invalid::new("supersedes", format!("{id} is listed twice")).into());
        }
        let Some(old) = replaced.iter().find(|old| old.id == *id) else {
            return Err(Invalid::new("supersedes", format!("{id} is not a proposal on this document")).into());
        };
        if section.is_none() || old.section_id != section {
            return Err(Invalid::new("supersedes", "a consolidated text replaces proposals on its own section").into());
        }
        if old.status != ProposalStatus::Open {
            return Err(Refusal::Conflict(format!(
                "proposal {id} is {}; only open proposals can be replaced",
                old.status.as_str()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::OrganizationKind;
    use crate::domain::fixtures;
    use crate::domain::ids::{DocumentId, UserId};
    use crate::domain::proposal::ProposalKind;

    fn facts(section: SectionId, status: ProposalStatus) -> ProposalFacts {
        ProposalFacts {
            id: ProposalId::new(),
            document_id: DocumentId::new(),
            kind: ProposalKind::Amend,
            section_id: Some(section),
            organization_id: fixtures::user(Role::Delegate, OrganizationKind::Member).organization.id,
            author_id: UserId::new(),
            status,
            locked: false,
            base_version: 1,
            cosponsors: Vec::new(),
        }
    }

    #[test]
    fn the_secretariat_replaces_open_proposals_on_its_section() {
        let secretariat = fixtures::user(Role::Secretariat, OrganizationKind::Member);
        let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let article = SectionId::new();
        let [a, b] = [facts(article, ProposalStatus::Open), facts(article, ProposalStatus::Open)];
        let both = [a.clone(), b.clone()];
        assert!(check_supersedes(&secretariat, Some(article), &[a.id, b.id], &both).is_ok());
        assert!(matches!(check_supersedes(&delegate, Some(article), &[a.id], &both), Err(Refusal::Forbidden(_))));
        assert!(matches!(
            check_supersedes(&secretariat, Some(article), &[a.id, a.id], &both),
            Err(Refusal::Invalid(_))
        ));
        let elsewhere = SectionId::new();
        assert!(matches!(check_supersedes(&secretariat, Some(elsewhere), &[a.id], &both), Err(Refusal::Invalid(_))));
        assert!(matches!(
            check_supersedes(&secretariat, Some(article), &[ProposalId::new()], &both),
            Err(Refusal::Invalid(_))
        ));
        let voting = facts(article, ProposalStatus::Voting);
        assert!(matches!(
            check_supersedes(&secretariat, Some(article), &[voting.id], std::slice::from_ref(&voting)),
            Err(Refusal::Conflict(_))
        ));
        assert!(check_supersedes(&delegate, Some(article), &[], &[]).is_ok(), "nothing replaced, nothing to check");
    }
}
