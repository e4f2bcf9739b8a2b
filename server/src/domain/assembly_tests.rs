use chrono::Utc;

use super::*;
use crate::domain::account::{OrganizationKind, Role};
use crate::domain::fixtures;

fn person(user: &User) -> PersonRef {
    user.into()
}

fn member(titular: &User, alternates: &[&User]) -> Member {
    Member {
        organization: EligibleOrganization { id: titular.organization.id, name: titular.organization.name.clone() },
        mandate: Some(Mandate {
            titular: person(titular),
            alternates: alternates.iter().map(|user| person(user)).collect(),
            proposed_by: person(titular),
            proposed_at: Utc::now(),
            confirmed_by: None,
            confirmed_at: None,
        }),
    }
}

fn here(user: &User, present: bool) -> Attendee {
    Attendee {
        person: person(user),
        organization: EligibleOrganization { id: user.organization.id, name: user.organization.name.clone() },
        present,
        mode: AttendanceMode::Online,
        marked_by: person(user),
        first_at: Utc::now(),
        at: Utc::now(),
        standing: None,
    }
}

fn colleague(of: &User) -> User {
    User { id: crate::domain::ids::UserId::new(), ..of.clone() }
}

#[test]
fn an_organization_is_present_when_its_titular_or_an_alternate_is() {
    let titular = fixtures::user(Role::Delegate, OrganizationKind::Member);
    let alternate = colleague(&titular);
    let other = colleague(&titular);
    let members = vec![member(&titular, &[&alternate])];
    assert!(present_organizations(&members, &[]).is_empty());
    assert!(present_organizations(&members, &[here(&other, true)]).is_empty(), "not a representative");
    assert!(present_organizations(&members, &[here(&alternate, false)]).is_empty(), "checked out");
    assert_eq!(present_organizations(&members, &[here(&alternate, true)]).len(), 1);
    assert_eq!(present_organizations(&members, &[here(&titular, true), here(&alternate, true)]).len(), 1);
    let unaccredited = Member { mandate: None, ..members[0].clone() };
    assert!(present_organizations(&[unaccredited], &[here(&titular, true)]).is_empty());
}

#[test]
fn a_representative_present_votes_and_an_alternate_only_without_the_titular() {
    let titular = fixtures::user(Role::Delegate, OrganizationKind::Member);
    let alternate = colleague(&titular);
    let outsider = colleague(&titular);
    let org = member(&titular, &[&alternate]);
    let both = [here(&titular, true), here(&alternate, true)];
    assert_eq!(check_session_voter(&titular, Some(&org), &both), Ok(()));
    assert!(matches!(check_session_voter(&alternate, Some(&org), &both), Err(Refusal::Conflict(_))));
    assert_eq!(check_session_voter(&alternate, Some(&org), &[here(&alternate, true)]), Ok(()));
    assert!(matches!(check_session_voter(&titular, Some(&org), &[here(&alternate, true)]), Err(Refusal::Conflict(_))));
    assert!(matches!(check_session_voter(&outsider, Some(&org), &[here(&outsider, true)]), Err(Refusal::Forbidden(_))));
    assert!(matches!(check_session_voter(&titular, None, &both), Err(Refusal::Forbidden(_))));
}

#[test]
fn a_session_moves_forward_one_step_at_a_time() {
    use SessionStatus::*;
    assert_eq!(Convened.check_move(Open), Ok(()));
    assert_eq!(Open.check_move(Closed), Ok(()));
    assert_eq!(Open.check_move(Open), Ok(()));
    for (from, to) in [(Convened, Closed), (Open, Convened), (Closed, Open), (Closed, Convened)] {
        assert!(matches!(from.check_move(to), Err(Refusal::Conflict(_))), "{from:?} -> {to:?}");
    }
    assert!(Closed.check_not_closed().is_err() && Open.check_not_closed().is_ok());
}

#[test]
fn quorum_counts_present_organizations_against_members() {
    let q = Quorum::of(0.5, 10, 21);
    assert!(!q.met, "10 of 21 is under half");
    assert!(Quorum::of(0.5, 11, 21).met);
    assert!(!Quorum::of(0.5, 0, 0).met, "no members, no quorum");
}

#[test]
fn an_agenda_item_has_a_title_and_points_at_one_thing_at_most() {
    let item = |title: &str| AgendaItem {
        id: AgendaItemId::new(),
        title: title.into(),
        proposal_id: None,
        document_id: None,
        ballot_id: None,
    };
    let mut good = vec![item("  Apertura "), AgendaItem { document_id: Some(DocumentId::new()), ..item("Estatuto") }];
    assert_eq!(check_agenda(&mut good), Ok(()));
    assert_eq!(good[0].title, "Apertura", "titles are trimmed");
    let mut two =
        vec![AgendaItem { document_id: Some(DocumentId::new()), proposal_id: Some(ProposalId::new()), ..item("x") }];
    assert!(check_agenda(&mut two).is_err());
    assert!(check_agenda(&mut [item("")]).is_err());
    let repeated = item("a");
    assert!(check_agenda(&mut [repeated.clone(), repeated]).is_err());
    let mut many: Vec<AgendaItem> = (0..=MAX_AGENDA_ITEMS).map(|i| item(&format!("{i}"))).collect();
    assert!(check_agenda(&mut many).is_err());
}

#[test]
fn a_finished_turn_stays_finished() {
    let user = fixtures::user(Role::Delegate, OrganizationKind::Member);
    let speaker = Speaker {
        id: crate::domain::ids::SpeakerId::new(),
        person: person(&user),
        organization: EligibleOrganization { id: user.organization.id, name: "O".into() },
        position: 1,
        status: SpeakerStatus::Done,
        limit_seconds: 180,
        requested_by: person(&user),
        requested_at: Utc::now(),
        started_at: None,
        stopped_at: None,
    };
    assert!(speaker.check_move(SpeakerStatus::Speaking).is_err());
    let waiting = Speaker { status: SpeakerStatus::Waiting, ..speaker.clone() };
    assert!(waiting.check_move(SpeakerStatus::Speaking).is_ok() && waiting.check_move(SpeakerStatus::Done).is_ok());
    let speaking = Speaker { status: SpeakerStatus::Speaking, ..speaker };
    assert!(speaking.check_move(SpeakerStatus::Done).is_ok() && speaking.check_move(SpeakerStatus::Waiting).is_err());
}

#[test]
fn only_the_secretariat_acts_for_someone_else() {
    let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
    let other = colleague(&delegate);
    let secretariat = User { role: Role::Secretariat, ..colleague(&delegate) };
    assert_eq!(marking(&delegate, delegate.id), Ok(AttendanceMode::Online));
    assert!(matches!(marking(&delegate, other.id), Err(Refusal::Forbidden(_))));
    assert_eq!(marking(&secretariat, other.id), Ok(AttendanceMode::Room));
    assert_eq!(check_asks_for(&delegate, delegate.id), Ok(()));
    assert!(matches!(check_asks_for(&delegate, other.id), Err(Refusal::Forbidden(_))));
    assert_eq!(check_asks_for(&secretariat, other.id), Ok(()));
    let waiting = Speaker {
        id: crate::domain::ids::SpeakerId::new(),
        person: person(&other),
        organization: EligibleOrganization { id: other.organization.id, name: "O".into() },
        position: 1,
        status: SpeakerStatus::Waiting,
        limit_seconds: 180,
        requested_by: person(&other),
        requested_at: Utc::now(),
        started_at: None,
        stopped_at: None,
    };
    assert_eq!(check_takes_back(&other, &waiting), Ok(()));
    assert!(matches!(check_takes_back(&delegate, &waiting), Err(Refusal::Forbidden(_))));
    assert_eq!(check_takes_back(&secretariat, &waiting), Ok(()));
    let begun = Speaker { status: SpeakerStatus::Speaking, ..waiting };
    assert!(matches!(check_takes_back(&other, &begun), Err(Refusal::Conflict(_))));
}
