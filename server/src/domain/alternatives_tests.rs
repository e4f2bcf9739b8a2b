use proptest::prelude::*;

use super::*;

const A: usize = 0;
const B: usize = 1;
const C: usize = 2;
const D: usize = 3;
const E: usize = 4;

/// `count` copies of the ranking spelled by `letters` (A is 0, B is 1...).
fn ballots(count: usize, letters: &str) -> Vec<Vec<usize>> {
    let ranking: Vec<usize> = letters.bytes().map(|letter| usize::from(letter - b'A')).collect();
    vec![ranking; count]
}

/// The example of the Wikipedia article "Schulze method", section "Example"
/// (https://en.wikipedia.org/wiki/Schulze_method#Example): 45 voters, five
/// options. The matrices below are the article's tables "d[*,*]" and
/// "p[*,*]", which the computation from the listed ballots reproduces.
#[test]
fn the_wikipedia_example() {
    let rankings: Vec<Vec<usize>> = [
        (5, "ACBED"),
        (5, "ADECB"),
        (8, "BEDAC"),
        (3, "CABED"),
        (7, "CAEBD"),
        (2, "CBADE"),
        (7, "DCEBA"),
        (8, "EBADC"),
    ]
    .iter()
    .flat_map(|&(count, letters)| ballots(count, letters))
    .collect();
    assert_eq!(rankings.len(), 45);
    for ranking in &rankings {
        assert_eq!(check_ranking(5, ranking), Ok(()));
    }
    let outcome = schulze(5, &rankings);
    assert_eq!(
        outcome.pairwise,
        vec![
            vec![0, 20, 26, 30, 22],
            vec![25, 0, 16, 33, 18],
            vec![19, 29, 0, 17, 24],
            vec![15, 12, 28, 0, 14],
            vec![23, 27, 21, 31, 0],
        ]
    );
    assert_eq!(
        outcome.strengths,
        vec![
            vec![0, 28, 28, 30, 24],
            vec![25, 0, 28, 33, 24],
            vec![25, 29, 0, 29, 24],
            vec![25, 28, 28, 0, 24],
            vec![25, 28, 28, 31, 0],
        ]
    );
    assert_eq!(outcome.order, vec![E, A, C, B, D]);
    assert_eq!(outcome.winner, Some(E));
    assert!(!outcome.tie_broken);
}

#[test]
fn check_ranking_refuses_empty_duplicate_and_unknown() {
    assert_eq!(check_ranking(3, &[]), Err(ChoiceError::Empty));
    assert_eq!(check_ranking(3, &[0, 2, 0]), Err(ChoiceError::Duplicate(0)));
    assert_eq!(check_ranking(3, &[1, 3]), Err(ChoiceError::UnknownOption(3)));
    assert_eq!(check_ranking(0, &[0]), Err(ChoiceError::UnknownOption(0)));
    assert_eq!(check_ranking(3, &[2]), Ok(()), "a partial ranking is fine");
    assert_eq!(check_ranking(3, &[2, 0, 1]), Ok(()));
}

#[test]
fn check_choice_refuses_unknown() {
    assert_eq!(check_choice(2, 1), Ok(()));
    assert_eq!(check_choice(2, 2), Err(ChoiceError::UnknownOption(2)));
}

#[test]
fn a_tie_goes_to_the_lowest_index() {
    let outcome = schulze(2, &[vec![1, 0], vec![0, 1]]);
    assert_eq!(outcome.pairwise, vec![vec![0, 1], vec![1, 0]]);
    assert_eq!(outcome.strengths, vec![vec![0, 0], vec![0, 0]]);
    assert_eq!(outcome.order, vec![0, 1]);
    assert_eq!(outcome.winner, Some(0));
    assert!(outcome.tie_broken);
}

#[test]
fn the_status_quo_preferred_by_a_majority_wins() {
    // A over B 4 to 3, A over C 4 to 3, B over C 6 to 1.
    let mut rankings = ballots(4, "ABC");
    rankings.extend(ballots(2, "BCA"));
    rankings.extend(ballots(1, "CBA"));
    let outcome = schulze(3, &rankings);
    assert_eq!(outcome.winner, Some(0));
    assert_eq!(outcome.order, vec![0, 1, 2]);
    assert!(!outcome.tie_broken);
    // A majority for a proposal over the status quo beats it.
    let outcome = schulze(3, &[vec![1, 0], vec![1], vec![0, 1]]);
    assert_eq!(outcome.winner, Some(1));
    assert_eq!(outcome.order, vec![1, 0, 2]);
}

#[test]
fn no_ballots_no_winner() {
    let outcome = schulze(3, &[]);
    assert_eq!(outcome.winner, None);
    assert_eq!(outcome.order, vec![0, 1, 2]);
    assert!(!outcome.tie_broken);
    assert_eq!(outcome.pairwise, vec![vec![0; 3]; 3]);
    let outcome = schulze(0, &[vec![0]]);
    assert_eq!((outcome.winner, outcome.order), (None, vec![]));
}

#[test]
fn bad_input_is_ignored_without_panicking() {
    let clean = schulze(3, &[vec![2, 0], vec![1, 2, 0]]);
    let dirty = schulze(3, &[vec![7, 2, 2, 0, 9, 2], vec![1, 1, 2, 5, 0, 0], vec![], vec![4]]);
    assert_eq!(clean, dirty);
}

#[test]
fn plurality_counts_and_breaks_ties_by_index() {
    let outcome = plurality(3, &[2, 1, 2, 0, 2, 1]);
    assert_eq!(outcome.counts, vec![1, 2, 3]);
    assert_eq!(outcome.order, vec![2, 1, 0]);
    assert_eq!(outcome.winner, Some(2));
    assert!(!outcome.tie_broken);

    let outcome = plurality(3, &[2, 1, 2, 1, 0, 7]);
    assert_eq!(outcome.counts, vec![1, 2, 2]);
    assert_eq!(outcome.order, vec![1, 2, 0]);
    assert_eq!(outcome.winner, Some(1));
    assert!(outcome.tie_broken);

    let outcome = plurality(3, &[]);
    assert_eq!(outcome.counts, vec![0, 0, 0]);
    assert_eq!(outcome.order, vec![0, 1, 2]);
    assert_eq!(outcome.winner, None);
    assert!(!outcome.tie_broken);
}

/// One ranking over `options`: a random ordering of a random non-empty subset.
fn ranking(options: usize) -> impl Strategy<Value = Vec<usize>> {
    (Just((0..options).collect::<Vec<usize>>()).prop_shuffle(), 1..=options)
        .prop_map(|(all, length)| all[..length].to_vec())
}

/// A number of options in 1..=6 and up to 40 rankings over them.
fn election() -> impl Strategy<Value = (usize, Vec<Vec<usize>>)> {
    (1usize..=6).prop_flat_map(|options| (Just(options), prop::collection::vec(ranking(options), 0..40)))
}

proptest! {
    #[test]
    fn a_condorcet_winner_wins((options, rankings) in election()) {
        let outcome = schulze(options, &rankings);
        let d = &outcome.pairwise;
        // With no ballots, the only option of a one-option ballot would be a
        // Condorcet winner vacuously; there is no winner without ballots.
        let condorcet = (0..options)
            .find(|&w| (0..options).all(|x| x == w || d[w][x] > d[x][w]))
            .filter(|_| !rankings.is_empty());
        if let Some(w) = condorcet {
            prop_assert_eq!(outcome.winner, Some(w));
            prop_assert!(!outcome.tie_broken);
        }
    }

    #[test]
    fn the_outcome_does_not_depend_on_ballot_order((options, rankings) in election(), seed in any::<u64>()) {
        let outcome = schulze(options, &rankings);
        let mut reversed = rankings.clone();
        reversed.reverse();
        prop_assert_eq!(&outcome, &schulze(options, &reversed));
        let mut shuffled = rankings.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            let j = (state % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        prop_assert_eq!(&outcome, &schulze(options, &shuffled));
    }

    #[test]
    fn unranked_options_tie_last(ranked in (1usize..=6).prop_flat_map(|options| (Just(options), ranking(options)))) {
        let (options, ranking) = ranked;
        let outcome = schulze(options, std::slice::from_ref(&ranking));
        let mut unranked: Vec<usize> = (0..options).filter(|option| !ranking.contains(option)).collect();
        unranked.sort_unstable();
        let expected: Vec<usize> = ranking.iter().copied().chain(unranked).collect();
        prop_assert_eq!(outcome.order, expected);
        prop_assert_eq!(outcome.winner, Some(ranking[0]));
    }

    #[test]
    fn the_order_is_a_permutation_of_the_options((options, rankings) in election()) {
        let outcome = schulze(options, &rankings);
        let mut sorted = outcome.order.clone();
        sorted.sort_unstable();
        prop_assert_eq!(sorted, (0..options).collect::<Vec<usize>>());
        prop_assert_eq!(outcome.winner, if rankings.is_empty() { None } else { Some(outcome.order[0]) });
    }

    #[test]
    fn the_winner_is_never_beaten((options, rankings) in election()) {
        let outcome = schulze(options, &rankings);
        if let Some(w) = outcome.winner {
            let p = &outcome.strengths;
            for x in 0..options {
                prop_assert!(p[x][w] <= p[w][x], "{} beats the winner {}: {:?}", x, w, p);
            }
            // And the order never puts an option after one it beats.
            for (place, &a) in outcome.order.iter().enumerate() {
                for &b in &outcome.order[place + 1..] {
                    prop_assert!(p[b][a] <= p[a][b], "{} ranked above {} which beats it", a, b);
                }
            }
        }
    }

    #[test]
    fn plurality_winner_has_the_most_votes(options in 1usize..=6, choices in prop::collection::vec(0usize..6, 0..40)) {
        let outcome = plurality(options, &choices);
        prop_assert_eq!(outcome.counts.iter().sum::<u32>() as usize, choices.iter().filter(|&&c| c < options).count());
        match outcome.winner {
            None => prop_assert!(outcome.counts.iter().all(|&count| count == 0)),
            Some(w) => {
                prop_assert!((0..w).all(|x| outcome.counts[x] < outcome.counts[w]));
                prop_assert!((w..options).all(|x| outcome.counts[x] <= outcome.counts[w]));
            }
        }
    }
}
