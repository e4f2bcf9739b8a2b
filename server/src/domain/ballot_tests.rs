use proptest::prelude::*;

use super::*;
use Choice::{Abstain, No, Yes};
use Majority::{Absolute, Simple, TwoThirds};

/// The model the tests check the store's tally against: each organization's
/// last choice from its casts in order (a change replaces the earlier one).
fn last_choices<O: std::hash::Hash + Eq + Copy>(
    casts: impl IntoIterator<Item = (O, Choice)>,
) -> std::collections::HashMap<O, Choice> {
    casts.into_iter().collect()
}

fn tally(yes: u32, no: u32, abstain: u32) -> Tally {
    Tally { yes, no, abstain }
}

/// Every rule at its boundaries: (rule, quorum, tally, eligible) -> (passed, quorum met).
#[test]
fn the_rules_at_their_boundaries() {
    let table: &[(Majority, f64, Tally, u32, bool, bool, &str)] = &[
        (Simple, 0.0, tally(0, 0, 0), 21, false, true, "no votes: nothing passes"),
        (Simple, 0.5, tally(0, 0, 0), 21, false, false, "no votes: no quorum"),
        (Simple, 0.0, tally(1, 0, 0), 21, true, true, "one yes, no quorum needed"),
        (Simple, 0.5, tally(6, 5, 0), 21, true, true, "11 of 21 take part: over half"),
        (Simple, 0.5, tally(5, 5, 0), 20, false, true, "a tie does not pass"),
        (Simple, 0.5, tally(6, 4, 0), 20, true, true, "exactly the quorum (10 of 20) is enough"),
        (Simple, 0.5, tally(6, 3, 0), 20, false, false, "one short of the quorum"),
        (Simple, 0.5, tally(2, 1, 7), 20, true, true, "abstentions count for the quorum"),
        (Simple, 1.0, tally(0, 0, 21), 21, false, true, "all abstain: quorum met, not passed"),
        (Simple, 0.7, tally(7, 0, 0), 10, true, true, "0.7 of 10 is 7 despite rounding"),
        (Absolute, 0.0, tally(11, 0, 0), 21, true, true, "11 of 21 is more than half"),
        (Absolute, 0.0, tally(10, 0, 11), 21, false, true, "10 of 21 is not"),
        (Absolute, 0.0, tally(10, 0, 0), 20, false, true, "exactly half is not more than half"),
        (Absolute, 0.0, tally(11, 9, 0), 20, true, true, "11 of 20"),
        (TwoThirds, 0.0, tally(14, 7, 0), 21, true, true, "exactly two thirds of yes+no"),
        (TwoThirds, 0.0, tally(13, 7, 0), 21, false, true, "just under two thirds"),
        (TwoThirds, 0.0, tally(2, 1, 18), 21, true, true, "abstentions do not count in yes+no"),
        (TwoThirds, 0.0, tally(0, 0, 5), 21, false, true, "all abstain: no two thirds"),
        (TwoThirds, 0.0, tally(0, 0, 0), 21, false, true, "no votes"),
        (Simple, 1.0, tally(1, 0, 0), 1, true, true, "one organization votes yes"),
        (Simple, 1.0, tally(0, 1, 0), 1, false, true, "one organization votes no"),
        (Absolute, 1.0, tally(1, 0, 0), 1, true, true, "one of one is more than half"),
        (TwoThirds, 1.0, tally(1, 0, 0), 1, true, true, "one of one is two thirds"),
        (Simple, 1.0, tally(0, 0, 0), 1, false, false, "the only organization stays away"),
    ];
    for &(majority, quorum, tally, eligible, passed, quorum_ok, why) in table {
        let result = outcome(majority, quorum, tally, eligible);
        assert_eq!(
            (result.passed, result.quorum_met),
            (passed, quorum_ok),
            "{why}: {majority:?} {tally:?} of {eligible}"
        );
        assert_eq!(
            (result.yes, result.no, result.abstain, result.eligible),
            (tally.yes, tally.no, tally.abstain, eligible)
        );
    }
}

#[test]
fn secret_ballots_have_no_live_results() {
    let now = chrono::Utc::now();
    assert!(check_settings(0.5, true, false, None, now).is_ok());
    assert!(check_settings(0.5, false, true, Some(now + chrono::Duration::minutes(1)), now).is_ok());
    assert_eq!(
        check_settings(0.5, true, true, None, now).map_err(|e| e.field.into_owned()),
        Err(String::from("live_results"))
    );
    assert_eq!(
        check_settings(1.5, false, false, None, now).map_err(|e| e.field.into_owned()),
        Err(String::from("quorum"))
    );
    assert_eq!(
        check_settings(0.5, false, false, Some(now), now).map_err(|e| e.field.into_owned()),
        Err(String::from("closes_at"))
    );
}

#[test]
fn quorums_must_be_fractions() {
    assert!(valid_quorum(0.0) && valid_quorum(1.0) && valid_quorum(0.5));
    assert!(!valid_quorum(-0.1) && !valid_quorum(1.01) && !valid_quorum(f64::NAN) && !valid_quorum(f64::INFINITY));
}

#[test]
fn the_last_choice_counts() {
    let casts = [(1, Yes), (2, No), (1, No), (3, Abstain), (1, Abstain)];
    let last = last_choices(casts);
    assert_eq!(last[&1], Abstain);
    assert_eq!(Tally::of(last.values().copied()), tally(0, 1, 2));
}

fn choice() -> impl Strategy<Value = Choice> {
    prop_oneof![Just(Yes), Just(No), Just(Abstain)]
}

fn majority() -> impl Strategy<Value = Majority> {
    prop_oneof![Just(Simple), Just(Absolute), Just(TwoThirds)]
}

proptest! {
    #[test]
    fn the_result_does_not_depend_on_vote_order(
        votes in prop::collection::vec(choice(), 0..40),
        seed in any::<u64>(),
        rule in majority(),
        quorum in 0.0f64..=1.0,
    ) {
        let eligible = 40;
        let mut shuffled = votes.clone();
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            let j = (state % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        prop_assert_eq!(
            outcome(rule, quorum, Tally::of(votes), eligible),
            outcome(rule, quorum, Tally::of(shuffled), eligible)
        );
    }

    #[test]
    fn changes_equal_casting_only_the_last_choice(
        casts in prop::collection::vec((0u8..21, choice()), 0..80),
        rule in majority(),
        quorum in 0.0f64..=1.0,
    ) {
        let mut only_last: Vec<(u8, Choice)> = Vec::new();
        for &(org, choice) in &casts {
            only_last.retain(|(o, _)| *o != org);
            only_last.push((org, choice));
        }
        let from_changes = Tally::of(last_choices(casts).into_values());
        let from_last = Tally::of(only_last.iter().map(|(_, c)| *c));
        prop_assert_eq!(from_changes, from_last);
        prop_assert_eq!(outcome(rule, quorum, from_changes, 21), outcome(rule, quorum, from_last, 21));
        prop_assert!(from_changes.participants() <= 21);
    }
}
