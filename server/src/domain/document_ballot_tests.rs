use chrono::Utc;

use super::*;
use crate::domain::account::{OrganizationKind, Role};
use crate::domain::charter::Section;
use crate::domain::fixtures;
use crate::domain::ids::DocumentId;
use crate::domain::proposal::CurrentRevision;

fn charter() -> Charter {
    let section = |kind, title: &str| Section { id: SectionId::new(), kind, title: title.into(), body: "t".into() };
    Charter {
        id: DocumentId::new(),
        title: "Estatuto".into(),
        version: 4,
        updated_at: Utc::now(),
        stage: Default::default(),
        approval: None,
        sections: vec![
            section(SectionKind::Chapter, "Generales"),
            section(SectionKind::Article, "Objeto"),
            section(SectionKind::Article, "Sede"),
        ],
    }
}

fn proposal(charter: &Charter, section: usize, status: ProposalStatus) -> Proposal {
    let author = fixtures::user(Role::Delegate, OrganizationKind::Member);
    Proposal {
        id: ProposalId::new(),
        document_id: charter.id,
        kind: ProposalKind::Amend,
        section_id: Some(charter.sections[section].id),
        after_section_id: None,
        title: "Otra redacción".into(),
        rationale: String::new(),
        status,
        organization: author.organization.clone(),
        author: (&author).into(),
        base_version: charter.version,
        revision: CurrentRevision {
            number: 1,
            body: "b".into(),
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
fn rivals_are_open_proposals_on_one_article() {
    let text = charter();
    let [a, b] = [proposal(&text, 1, ProposalStatus::Open), proposal(&text, 1, ProposalStatus::Open)];
    let other = proposal(&text, 2, ProposalStatus::Open);
    let found = vec![a.clone(), b.clone(), other.clone()];
    assert_eq!(check_alternatives(&text, &[a.id, b.id], &found, true), Ok(text.sections[1].id));
    assert_eq!(
        check_alternatives(&text, &[a.id], &found, true),
        Ok(text.sections[1].id),
        "one rival and the status quo"
    );
    let invalid = |ids: &[ProposalId], status_quo| {
        matches!(check_alternatives(&text, ids, &found, status_quo), Err(Refusal::Invalid(_)))
    };
    assert!(invalid(&[a.id], false), "one option is no choice");
    assert!(invalid(&[a.id, other.id], true), "different sections");
    assert!(invalid(&[a.id, a.id], true), "a duplicate");
    assert!(invalid(&[a.id, ProposalId::new()], true), "unknown");
    let voting = proposal(&text, 1, ProposalStatus::Voting);
    let with_voting = vec![a.clone(), voting.clone()];
    assert!(matches!(check_alternatives(&text, &[a.id, voting.id], &with_voting, false), Err(Refusal::Conflict(_))));
}

#[test]
fn the_status_quo_is_the_first_option() {
    let text = charter();
    let a = proposal(&text, 1, ProposalStatus::Open);
    let options = options(std::slice::from_ref(&a), Some("Mantener el texto vigente".into()), uuid::Uuid::now_v7);
    assert_eq!((options[0].proposal_id, options[1].proposal_id), (None, Some(a.id)));
    assert_ne!(options[0].id, options[1].id);
}

#[test]
fn a_block_takes_uncontested_articles_and_an_approval_the_current_version() {
    let text = charter();
    let [chapter, one, two] = [text.sections[0].id, text.sections[1].id, text.sections[2].id];
    assert!(check_block(&text, &[one, two], &[]).is_ok());
    assert!(matches!(check_block(&text, &[one, two], &[two]), Err(Refusal::Conflict(_))));
    assert!(matches!(check_block(&text, &[chapter], &[]), Err(Refusal::Invalid(_))));
    assert!(matches!(check_block(&text, &[one, one], &[]), Err(Refusal::Invalid(_))));
    assert!(matches!(check_block(&text, &[], &[]), Err(Refusal::Invalid(_))));
    assert!(check_approval(&text, 4).is_ok());
    assert!(matches!(check_approval(&text, 3), Err(Refusal::Conflict(_))));
}
