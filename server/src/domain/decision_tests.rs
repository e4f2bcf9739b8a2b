use chrono::Utc;

use super::*;
use crate::domain::account::{OrganizationKind, Role};
use crate::domain::charter::Section;
use crate::domain::fixtures;
use crate::domain::ids::ProposalId;
use crate::domain::proposal::{CurrentRevision, ProposalStatus};

fn section(kind: SectionKind, title: &str, body: &str) -> Section {
    Section { id: SectionId::new(), kind, title: title.into(), body: body.into() }
}

fn charter() -> Charter {
    Charter {
        id: DocumentId::new(),
        title: "Estatuto del Foro".into(),
        version: 3,
        updated_at: Utc::now(),
        stage: Default::default(),
        approval: None,
        sections: vec![
            section(SectionKind::Chapter, "Disposiciones generales", ""),
            section(SectionKind::Article, "Objeto", "El Foro tiene por objeto..."),
            section(SectionKind::Article, "Sede", "La sede es Quito."),
            section(SectionKind::Article, "Duración", "Indefinida."),
        ],
    }
}

fn proposal(base: &Charter, kind: ProposalKind, section: Option<usize>, after: Option<usize>, body: &str) -> Proposal {
    let author = fixtures::user(Role::Delegate, OrganizationKind::Member);
    Proposal {
        id: ProposalId::new(),
        document_id: base.id,
        kind,
        section_id: section.map(|index| base.sections[index].id),
        after_section_id: after.map(|index| base.sections[index].id),
        title: "Una propuesta".into(),
        rationale: String::new(),
        status: ProposalStatus::Open,
        organization: author.organization.clone(),
        author: (&author).into(),
        base_version: base.version,
        revision: CurrentRevision {
            number: 2,
            body: body.into(),
            body_html: String::new(),
            section_title: None,
            created_at: Utc::now(),
            author: (&author).into(),
        },
        locked: false,
        outdated: false,
        comment_count: 0,
        ballot_id: None,
        created_at: Utc::now(),
        cosponsors: Vec::new(),
        invited_cosponsors: Vec::new(),
        supersedes: Vec::new(),
        superseded_by: None,
    }
}

#[test]
fn a_deletion_names_the_article_it_removes_and_its_text() {
    let base = charter();
    let decision = Decision::of(&proposal(&base, ProposalKind::Delete, Some(2), None, ""), &base);
    let target = decision.target.clone().expect("a deletion has a target");
    assert_eq!((target.kind, target.number, target.title.as_str()), (SectionKind::Article, 2, "Sede"));
    assert_eq!(decision.current_text, "La sede es Quito.");
    assert_eq!(decision.proposed_text, "");
    assert_eq!(decision.base_version, 3);
    assert_eq!(decision.document_title, "Estatuto del Foro");
}

#[test]
fn deletions_of_different_articles_have_different_digests() {
    let base = charter();
    let sede = Decision::of(&proposal(&base, ProposalKind::Delete, Some(2), None, ""), &base);
    let duracion = Decision::of(&proposal(&base, ProposalKind::Delete, Some(3), None, ""), &base);
    assert_ne!(sede.digest(), duracion.digest());
    assert_ne!(sede.digest(), crate::domain::ballot::text_digest(""), "not the digest of the empty text");
    assert_eq!(sede.digest(), Decision::of(&proposal(&base, ProposalKind::Delete, Some(2), None, ""), &base).digest());
}

#[test]
fn an_amendment_states_the_current_and_the_proposed_text() {
    let base = charter();
    let decision = Decision::of(&proposal(&base, ProposalKind::Amend, Some(1), None, "Nuevo objeto."), &base);
    assert_eq!(decision.target.map(|t| t.number), Some(1));
    assert_eq!(
        (decision.current_text.as_str(), decision.proposed_text.as_str()),
        ("El Foro tiene por objeto...", "Nuevo objeto.")
    );
    assert_eq!(decision.revision, 2);
}

#[test]
fn an_addition_says_where_it_goes_and_a_general_motion_touches_no_article() {
    let base = charter();
    let added = Decision::of(&proposal(&base, ProposalKind::Add, None, Some(3), "Artículo nuevo."), &base);
    assert_eq!(added.target, None);
    assert_eq!(added.insert_after.map(|s| (s.number, s.title)), Some((3, "Duración".to_owned())));
    assert_eq!(added.current_text, "");
    let motion = Decision::of(&proposal(&base, ProposalKind::General, None, None, "Que se convoque."), &base);
    assert_eq!((motion.target, motion.insert_after), (None, None));
    assert_eq!(motion.proposed_text, "Que se convoque.");
}

#[test]
fn the_canonical_form_is_compact_json_with_sorted_keys() {
    let base = charter();
    let decision = Decision::of(&proposal(&base, ProposalKind::General, None, None, "x"), &base);
    let canonical = decision.canonical();
    assert!(canonical.starts_with(r#"{"base_version":3,"current_text":"","document_id":""#), "{canonical}");
    let back: Decision = serde_json::from_str(&canonical).expect("reads back");
    assert_eq!(back, decision);
}
