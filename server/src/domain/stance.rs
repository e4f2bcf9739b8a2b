//! The objection map: before the votes, each member organization says of
//! each article "de acuerdo", "puedo vivir con ello" or "objeción" (with a
//! reason). Articles nobody objects to can be adopted in one block ballot.

use serde::{Deserialize, Serialize};

use super::account::{OrganizationKind, Role, User};
use super::ballot_record::EligibleOrganization;
use super::charter::{section_numbers, Section, SectionKind};
use super::ids::SectionId;
use super::limits::Invalid;
use super::string_enum::string_enum;
use super::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stance {
    Agree,
    CanLive,
    Object,
}
string_enum!(Stance { Agree => "agree", CanLive => "can_live", Object => "object" });

/// One organization's stance on one article, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub section_id: SectionId,
    pub organization: EligibleOrganization,
    pub stance: Stance,
    pub reason: String,
}

/// A delegate speaks for a member organization, on an article, with a
/// reason when objecting.
pub fn check_stance(actor: &User, section: &Section, stance: Stance, reason: &str) -> Result<(), Refusal> {
    if !(actor.active && actor.role == Role::Delegate && actor.organization.kind == OrganizationKind::Member) {
        return Err(Refusal::Forbidden("a delegate of a member organization says its organization's stance".into()));
    }
    if section.kind != SectionKind::Article {
        return Err(Invalid::new("id", "stances are on articles, not chapters").into());
    }
    if stance == Stance::Object && reason.trim().is_empty() {
        return Err(Invalid::new("reason", "say why your organization objects").into());
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Objection {
    pub organization: EligibleOrganization,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SectionStances {
    #[schema(value_type = uuid::Uuid)]
    pub section_id: SectionId,
    pub number: u32,
    pub title: String,
    pub agree: u32,
    pub can_live: u32,
    pub object: u32,
    /// The member organizations that have not said.
    pub silent: Vec<EligibleOrganization>,
    pub objections: Vec<Objection>,
    /// Each organization's stance (organization id -> stance), for the map.
    #[schema(value_type = Object)]
    pub by_organization: std::collections::BTreeMap<uuid::Uuid, Stance>,
}

/// The map over the current articles, in reading order.
pub fn stance_map(sections: &[Section], members: &[EligibleOrganization], said: &[Said]) -> Vec<SectionStances> {
    let numbers = section_numbers(sections.iter().map(|s| s.kind));
    sections
        .iter()
        .zip(numbers)
        .filter(|(section, _)| section.kind == SectionKind::Article)
        .map(|(section, number)| {
            let here: Vec<&Said> = said
                .iter()
                .filter(|s| s.section_id == section.id && members.iter().any(|m| m.id == s.organization.id))
                .collect();
            let count = |stance| u32::try_from(here.iter().filter(|s| s.stance == stance).count()).unwrap_or(u32::MAX);
            SectionStances {
                section_id: section.id,
                number,
                title: section.title.clone(),
                agree: count(Stance::Agree),
                can_live: count(Stance::CanLive),
                object: count(Stance::Object),
                silent: members.iter().filter(|m| here.iter().all(|s| s.organization.id != m.id)).cloned().collect(),
                objections: here
                    .iter()
                    .filter(|s| s.stance == Stance::Object)
                    .map(|s| Objection { organization: s.organization.clone(), reason: s.reason.clone() })
                    .collect(),
                by_organization: here.iter().map(|s| (s.organization.id.0, s.stance)).collect(),
            }
        })
        .collect()
}

/// The articles of `wanted` someone objects to: a block ballot takes only
/// uncontested articles.
pub fn contested(wanted: &[SectionId], said: &[Said]) -> Vec<SectionId> {
    wanted.iter().copied().filter(|id| said.iter().any(|s| s.section_id == *id && s.stance == Stance::Object)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures;
    use crate::domain::ids::OrganizationId;

    fn org(name: &str) -> EligibleOrganization {
        EligibleOrganization { id: OrganizationId::new(), name: name.into() }
    }

    fn article(title: &str) -> Section {
        Section { id: SectionId::new(), kind: SectionKind::Article, title: title.into(), body: String::new() }
    }

    #[test]
    fn the_map_counts_each_stance_and_names_the_silent() {
        let [a, b, c] = [org("A"), org("B"), org("C")];
        let chapter = Section { kind: SectionKind::Chapter, ..article("Capítulo") };
        let [one, two] = [article("Objeto"), article("Sede")];
        let said = vec![
            Said { section_id: one.id, organization: a.clone(), stance: Stance::Agree, reason: String::new() },
            Said { section_id: one.id, organization: b.clone(), stance: Stance::CanLive, reason: String::new() },
            Said {
                section_id: two.id,
                organization: a.clone(),
                stance: Stance::Object,
                reason: "Falta Guayaquil".into(),
            },
        ];
        let map = stance_map(&[chapter, one.clone(), two.clone()], &[a.clone(), b.clone(), c.clone()], &said);
        assert_eq!(map.len(), 2, "articles only");
        assert_eq!((map[0].agree, map[0].can_live, map[0].object), (1, 1, 0));
        assert_eq!(map[0].silent, vec![c.clone()]);
        assert_eq!((map[1].number, map[1].object, map[1].objections[0].reason.as_str()), (2, 1, "Falta Guayaquil"));
        assert_eq!(map[1].silent, vec![b, c]);
        assert_eq!(contested(&[one.id, two.id], &said), vec![two.id]);
    }

    #[test]
    fn an_objection_needs_a_reason_and_a_delegate() {
        let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let section = article("Objeto");
        assert!(check_stance(&delegate, &section, Stance::Agree, "").is_ok());
        assert!(matches!(check_stance(&delegate, &section, Stance::Object, " "), Err(Refusal::Invalid(_))));
        assert!(check_stance(&delegate, &section, Stance::Object, "Es ambiguo").is_ok());
        let observer = fixtures::user(Role::Observer, OrganizationKind::Observer);
        assert!(matches!(check_stance(&observer, &section, Stance::Agree, ""), Err(Refusal::Forbidden(_))));
        let chapter = Section { kind: SectionKind::Chapter, ..section };
        assert!(matches!(check_stance(&delegate, &chapter, Stance::Agree, ""), Err(Refusal::Invalid(_))));
    }
}
