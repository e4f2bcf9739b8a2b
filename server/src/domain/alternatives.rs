//! Ballots among rival options: ranked choice decided by the Schulze method,
//! and plain plurality. Pure functions over option indices.
//!
//! Options are identified by their index `0..options` in the ballot's option
//! list, which the caller fixes when the ballot opens. When "mantener el texto
//! vigente" (keep the current text, the status quo) is offered, the caller puts
//! it at index 0; the tie-break rule below relies on that.

use serde::Serialize;

/// Why a ranking or plurality choice is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceError {
    /// Nothing was ranked.
    Empty,
    /// The index is not one of the ballot's options.
    UnknownOption(usize),
    /// The option appears more than once in the ranking.
    Duplicate(usize),
}

/// Checks one organization's ranking over `options` options: most preferred
/// first, every index < `options`, none twice, not empty. Options left out
/// are ranked last, tied among themselves.
pub fn check_ranking(options: usize, ranking: &[usize]) -> Result<(), ChoiceError> {
    if ranking.is_empty() {
        return Err(ChoiceError::Empty);
    }
    let mut seen = vec![false; options];
    for &option in ranking {
        match seen.get_mut(option) {
            None => return Err(ChoiceError::UnknownOption(option)),
            Some(true) => return Err(ChoiceError::Duplicate(option)),
            Some(slot) => *slot = true,
        }
    }
    Ok(())
}

/// Checks one organization's plurality choice: one of the `options` options.
pub fn check_choice(options: usize, choice: usize) -> Result<(), ChoiceError> {
    if choice < options {
        Ok(())
    } else {
        Err(ChoiceError::UnknownOption(choice))
    }
}

/// The result of a ranked-choice ballot decided by the Schulze method.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchulzeOutcome {
    /// d[i][j]: how many ballots prefer option i to option j.
    pub pairwise: Vec<Vec<u32>>,
    /// p[i][j]: strength of the strongest path from i to j (0 when none),
    /// Schulze's widest path with "winning votes" (a link i->j exists when
    /// d[i][j] > d[j][i], with strength d[i][j]).
    pub strengths: Vec<Vec<u32>>,
    /// All options, best first (a total order after tie-breaking).
    pub order: Vec<usize>,
    /// The winner: order[0]. None only when there are no ballots at all.
    pub winner: Option<usize>,
    /// True when the winner was chosen by the tie-break rule (several
    /// options are Schulze winners).
    pub tie_broken: bool,
}

/// Decides a ranked-choice ballot by the Schulze method (winning votes).
///
/// Each ranking lists options most preferred first; options left out rank
/// last, tied among themselves. `rankings` should already have passed
/// [`check_ranking`], but this never panics on bad input: indices outside
/// `0..options` are ignored, and so is every repetition of an index after its
/// first appearance. A ranking with no valid index counts as no ballot.
///
/// From the pairwise counts `d`, the strengths `p` are the widest paths over
/// the links i->j with d[i][j] > d[j][i] (strength d[i][j]). Option a ranks
/// above option b when p[a][b] > p[b][a]; Schulze proved this relation
/// transitive, so every set of options has at least one option not beaten by
/// any other in the set. `order` is built by repeatedly taking, among the
/// remaining options, those not beaten by any remaining option, and of
/// those the one with the lowest index.
///
/// Tie-break rule: options the Schulze relation does not separate are
/// ordered by index, lowest first. The rule is deterministic and needs no
/// randomness, which a minutes record could not reproduce. It also has a
/// meaning: the status quo ("mantener el texto vigente"), which the caller
/// puts at index 0, wins any tie it is part of, so an assembly that cannot
/// decide keeps the current text; among proposals, the one listed first
/// (opened earliest) wins. `tie_broken` says when the winner needed the rule.
///
/// With no counted ballot, the winner is None, `order` is `0..options` and
/// `tie_broken` is false.
pub fn schulze(options: usize, rankings: &[Vec<usize>]) -> SchulzeOutcome {
    let n = options;
    let (pairwise, ballots) = pairwise_counts(n, rankings);
    let strengths = widest_paths(&pairwise);
    if ballots == 0 {
        return SchulzeOutcome { pairwise, strengths, order: (0..n).collect(), winner: None, tie_broken: false };
    }
    let beats = |a: usize, b: usize| strengths[a][b] > strengths[b][a];
    let unbeaten = |a: usize, among: &[usize]| among.iter().all(|&b| !beats(b, a));
    let all: Vec<usize> = (0..n).collect();
    let schulze_winners = all.iter().filter(|&&a| unbeaten(a, &all)).count();
    let mut remaining = all;
    let mut order = Vec::with_capacity(n);
    while !remaining.is_empty() {
        // `remaining` is kept in index order, so the first unbeaten option is
        // the lowest one. Transitivity guarantees there is one; falling back to
        // the first remaining option keeps this total even if there were not.
        let position = remaining.iter().position(|&a| unbeaten(a, &remaining)).unwrap_or(0);
        order.push(remaining.remove(position));
    }
    let winner = order.first().copied();
    SchulzeOutcome { pairwise, strengths, order, winner, tie_broken: schulze_winners > 1 }
}

/// d[i][j] over the rankings, and how many rankings held a valid index.
fn pairwise_counts(n: usize, rankings: &[Vec<usize>]) -> (Vec<Vec<u32>>, usize) {
    let mut pairwise = vec![vec![0u32; n]; n];
    let mut ballots = 0;
    // The position of each option in the ranking at hand; unranked options
    // share the last position.
    let mut position = vec![usize::MAX; n];
    for ranking in rankings {
        position.iter_mut().for_each(|slot| *slot = usize::MAX);
        let mut next = 0;
        for &option in ranking {
            if let Some(slot) = position.get_mut(option) {
                if *slot == usize::MAX {
                    *slot = next;
                    next += 1;
                }
            }
        }
        if next == 0 {
            continue;
        }
        ballots += 1;
        for (i, row) in pairwise.iter_mut().enumerate() {
            for (j, count) in row.iter_mut().enumerate() {
                if position[i] < position[j] {
                    *count = count.saturating_add(1);
                }
            }
        }
    }
    (pairwise, ballots)
}

/// Schulze's strongest paths (Floyd–Warshall on the widest-path semiring).
fn widest_paths(pairwise: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let n = pairwise.len();
    let mut strengths = vec![vec![0u32; n]; n];
    for i in 0..n {
        for j in 0..n {
            if i != j && pairwise[i][j] > pairwise[j][i] {
                strengths[i][j] = pairwise[i][j];
            }
        }
    }
    for k in 0..n {
        for i in 0..n {
            if i == k {
                continue;
            }
            for j in 0..n {
                if j != i && j != k {
                    let through = strengths[i][k].min(strengths[k][j]);
                    if through > strengths[i][j] {
                        strengths[i][j] = through;
                    }
                }
            }
        }
    }
    strengths
}

/// The result of a plurality ballot among rival options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PluralityOutcome {
    /// counts[i]: how many organizations chose option i.
    pub counts: Vec<u32>,
    /// All options, most votes first; equal counts in index order.
    pub order: Vec<usize>,
    /// The option with the most votes; None when no choice was counted.
    pub winner: Option<usize>,
    /// True when several options share the most votes and the lowest index
    /// won (the same rule, and the same reasons, as in [`schulze`]).
    pub tie_broken: bool,
}

/// Decides a plurality ballot: one choice per organization, most votes wins,
/// a tie goes to the lowest index (the status quo at index 0 first). Choices
/// outside `0..options` are ignored; with no counted choice there is no winner.
pub fn plurality(options: usize, choices: &[usize]) -> PluralityOutcome {
    let mut counts = vec![0u32; options];
    for &choice in choices {
        if let Some(count) = counts.get_mut(choice) {
            *count = count.saturating_add(1);
        }
    }
    let mut order: Vec<usize> = (0..options).collect();
    // A stable sort keeps equal counts in index order.
    order.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
    let top = counts.iter().copied().max().unwrap_or(0);
    if top == 0 {
        return PluralityOutcome { counts, order, winner: None, tie_broken: false };
    }
    let tie_broken = counts.iter().filter(|&&count| count == top).count() > 1;
    let winner = order.first().copied();
    PluralityOutcome { counts, order, winner, tie_broken }
}

#[cfg(test)]
#[path = "alternatives_tests.rs"]
mod tests;
