use super::*;

fn option(label: &str, proposal: bool) -> BallotOption {
    BallotOption { id: Uuid::now_v7(), label: label.into(), proposal_id: proposal.then(ProposalId::new) }
}

fn rivals(method: Method) -> (Subject, Vec<BallotOption>) {
    let options = vec![option("Mantener el texto vigente", false), option("A", true), option("B", true)];
    let subject = Subject::Alternatives {
        document_id: DocumentId::new(),
        section_id: SectionId::new(),
        method,
        options: options.clone(),
    };
    (subject, options)
}

#[test]
fn a_ranked_ballot_takes_a_ranking_of_its_own_options_only() {
    let (subject, options) = rivals(Method::Ranked);
    let [keep, a, b] = [options[0].id, options[1].id, options[2].id];
    assert_eq!(check_cast(&subject, Cast::Ranking(vec![b, keep])), Ok(Kept::Ranking(vec![b, keep])));
    let field = |cast| check_cast(&subject, cast).map_err(|invalid| invalid.field.into_owned());
    assert_eq!(field(Cast::Ranking(vec![a, a])), Err("ranking".into()), "a duplicate");
    assert_eq!(field(Cast::Ranking(vec![a, Uuid::now_v7()])), Err("ranking".into()), "an unknown option");
    assert_eq!(field(Cast::Ranking(vec![])), Err("ranking".into()), "nothing ranked");
    assert_eq!(field(Cast::Choice(Choice::Yes)), Err("ranking".into()));
    assert_eq!(field(Cast::Option(a)), Err("ranking".into()));
}

#[test]
fn plurality_takes_one_option_and_yes_no_ballots_a_choice() {
    let (subject, options) = rivals(Method::Plurality);
    assert_eq!(check_cast(&subject, Cast::Option(options[1].id)), Ok(Kept::Ranking(vec![options[1].id])));
    assert!(check_cast(&subject, Cast::Option(Uuid::now_v7())).is_err());
    assert!(check_cast(&subject, Cast::Ranking(vec![options[1].id])).is_err());
    let approval = Subject::Approval { document_id: DocumentId::new(), version: 3 };
    assert_eq!(check_cast(&approval, Cast::Choice(Choice::No)), Ok(Kept::Choice(Choice::No)));
    assert!(check_cast(&approval, Cast::Option(options[1].id)).is_err());
}

#[test]
fn the_result_names_options_by_id_and_needs_the_quorum() {
    let (_, options) = rivals(Method::Ranked);
    let [keep, a, b] = [options[0].id, options[1].id, options[2].id];
    let rankings = vec![vec![a, b], vec![a, keep], vec![b, a, keep]];
    let result = decide(Method::Ranked, &options, &rankings, true);
    assert_eq!(result.winner, Some(a));
    assert_eq!(result.order, vec![a, b, keep]);
    assert_eq!(result.pairwise[1][2], 2, "A over B on two ballots");
    let without = decide(Method::Ranked, &options, &rankings, false);
    assert_eq!((without.winner, &without.order), (None, &result.order), "the order is kept, no winner");
    let plurality = decide(Method::Plurality, &options, &[vec![b], vec![b], vec![a]], true);
    assert_eq!((plurality.winner, plurality.counts.clone()), (Some(b), vec![0, 1, 2]));
}

#[test]
fn each_subject_has_its_topic_and_page() {
    let proposal = ProposalId::new();
    let one = Subject::Proposal { proposal_id: proposal };
    assert_eq!(one.topic(), Topic::Proposal(proposal));
    let document = DocumentId::new();
    let whole = Subject::Approval { document_id: document, version: 2 };
    assert_eq!(whole.topic(), Topic::Document(document));
    let ballot = BallotId::new();
    assert_eq!(whole.link(ballot), format!("/votaciones/{ballot}"));
    assert_eq!(one.link(ballot), format!("/propuestas/{proposal}"));
}
