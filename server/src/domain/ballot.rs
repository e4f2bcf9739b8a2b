//! Votes by organization: the rules that decide a ballot, as pure functions.
//! One vote per eligible member organization; the last choice counts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Majority {
    /// More yes than no.
    Simple,
    /// More yes than half of the eligible organizations.
    Absolute,
    /// Yes at least two thirds of yes + no.
    TwoThirds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Yes,
    No,
    Abstain,
}

super::string_enum::string_enum!(Majority { Simple => "simple", Absolute => "absolute", TwoThirds => "two_thirds" });
super::string_enum::string_enum!(Choice { Yes => "yes", No => "no", Abstain => "abstain" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Tally {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

impl Tally {
    pub fn of(choices: impl IntoIterator<Item = Choice>) -> Tally {
        choices.into_iter().fold(Tally::default(), |mut tally, choice| {
            match choice {
                Choice::Yes => tally.yes += 1,
                Choice::No => tally.no += 1,
                Choice::Abstain => tally.abstain += 1,
            }
            tally
        })
    }

    /// Abstaining is taking part.
    pub fn participants(&self) -> u32 {
        self.yes + self.no + self.abstain
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Outcome {
    pub passed: bool,
    pub quorum_met: bool,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    pub eligible: u32,
}

/// The quorum is met when at least `quorum` (a fraction, 0..=1) of the
/// eligible organizations took part; exactly the fraction is enough. A
/// tolerance of one part in a billion absorbs binary rounding (0.7 × 10).
pub fn quorum_met(quorum: f64, participants: u32, eligible: u32) -> bool {
    f64::from(participants) + 1e-9 >= quorum * f64::from(eligible)
}

pub fn majority_met(majority: Majority, tally: Tally, eligible: u32) -> bool {
    let (yes, no) = (u64::from(tally.yes), u64::from(tally.no));
    match majority {
        Majority::Simple => yes > no,
        Majority::Absolute => 2 * yes > u64::from(eligible),
        // With nobody voting yes or no there is no two-thirds of anything.
        Majority::TwoThirds => yes + no > 0 && 3 * yes >= 2 * (yes + no),
    }
}

/// The result of a closed ballot.
pub fn outcome(majority: Majority, quorum: f64, tally: Tally, eligible: u32) -> Outcome {
    let quorum_met = quorum_met(quorum, tally.participants(), eligible);
    Outcome {
        passed: quorum_met && majority_met(majority, tally, eligible),
        quorum_met,
        yes: tally.yes,
        no: tally.no,
        abstain: tally.abstain,
        eligible,
    }
}

/// The SHA-256 of the exact text put to the vote, for the minutes.
pub fn text_digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A secret ballot cannot show live results: each change of the tally,
/// next to the participation that changed with it, would tell who chose what.
pub fn check_settings(
    quorum: f64,
    secret: bool,
    live_results: bool,
    closes_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), super::limits::Invalid> {
    if closes_at.is_some_and(|deadline| deadline <= now) {
        return Err(super::limits::Invalid::new("closes_at", "must be in the future"));
    }
    if !valid_quorum(quorum) {
        return Err(super::limits::Invalid::new("quorum", "must be a fraction between 0 and 1"));
    }
    if secret && live_results {
        return Err(super::limits::Invalid::new(
            "live_results",
            "a secret ballot cannot show live results: each change of the tally would reveal a vote",
        ));
    }
    Ok(())
}

/// A quorum must be a fraction between 0 and 1.
pub fn valid_quorum(quorum: f64) -> bool {
    quorum.is_finite() && (0.0..=1.0).contains(&quorum)
}

#[cfg(test)]
#[path = "ballot_tests.rs"]
mod tests;
