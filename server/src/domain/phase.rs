//! The phases of a drafting process, and what each allows. Every write that
//! touches the text asks `check_act` inside its own transaction, so a phase
//! change and a write that races it cannot both win.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::account::{Role, User};
use super::limits::Invalid;
use super::string_enum::string_enum;
use super::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Only the secretariat writes the text.
    Drafting,
    /// Organizations propose, until `amendments_close_at` when there is one.
    /// A new document starts here: it is how Minga worked before phases.
    #[default]
    Amendments,
    /// Existing proposals are discussed and revised; no new ones.
    Deliberation,
    Voting,
    /// Approved and frozen.
    Final,
}

string_enum!(Phase {
    Drafting => "drafting", Amendments => "amendments", Deliberation => "deliberation",
    Voting => "voting", Final => "final",
});

/// Where a document stands in its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, utoipa::ToSchema)]
pub struct Stage {
    pub phase: Phase,
    /// When the amendments period ends (proposals are refused from then on).
    pub amendments_close_at: Option<DateTime<Utc>>,
}

/// A write that the phase may refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// The secretariat changes the text itself: edit, add, delete, move, import.
    EditText,
    /// A new proposal.
    Propose,
    /// A new revision of an open proposal, or its withdrawal.
    Revise,
    /// Opening a ballot.
    OpenBallot,
    /// Adopting a passed proposal into the text.
    Adopt,
}

fn refused(stage: Stage, why: &str) -> Refusal {
    Refusal::Conflict(format!("the document is in the {} phase: {why}", stage.phase.as_str()))
}

/// Whether `actor` may do `act` on a document at `stage` at `now`. The
/// secretariat runs the process, so outside `final` it may always act (it
/// drafts alone, and files consolidated texts in deliberation); delegates
/// propose only in `amendments` before its close, and revise in
/// `amendments` and `deliberation`.
pub fn check_act(stage: Stage, act: Act, actor: &User, now: DateTime<Utc>) -> Result<(), Refusal> {
    if stage.phase == Phase::Final {
        return Err(refused(stage, "the text is approved and frozen"));
    }
    if actor.role == Role::Secretariat {
        return Ok(());
    }
    match act {
        Act::EditText | Act::OpenBallot | Act::Adopt => Ok(()),
        Act::Propose => match (stage.phase, stage.amendments_close_at) {
            (Phase::Amendments, Some(close)) if now >= close => {
                Err(refused(stage, &format!("the period for amendments closed at {}", close.to_rfc3339())))
            }
            (Phase::Amendments, _) => Ok(()),
            _ => Err(refused(stage, "new proposals are accepted only in the amendments phase")),
        },
        Act::Revise => match stage.phase {
            Phase::Amendments | Phase::Deliberation => Ok(()),
            _ => Err(refused(stage, "proposals are revised only in the amendments and deliberation phases")),
        },
    }
}

/// A change of phase by the secretariat. A final document stays final, and
/// only an approval ballot that passes makes one final (the approved text
/// and its digest are what `final` means). A deadline must lie ahead.
pub fn check_change(from: Stage, to: Stage, now: DateTime<Utc>) -> Result<(), Refusal> {
    if from.phase == Phase::Final {
        return Err(refused(from, "a final document cannot go back to an earlier phase"));
    }
    if to.phase == Phase::Final {
        return Err(refused(from, "a document becomes final only when an approval ballot on its text passes"));
    }
    if let Some(close) = to.amendments_close_at {
        if to.phase != Phase::Amendments {
            return Err(Invalid::new(
                "amendments_close_at",
                "a deadline for amendments belongs to the amendments phase",
            )
            .into());
        }
        if close <= now && from.amendments_close_at != Some(close) {
            return Err(Invalid::new("amendments_close_at", "the deadline must be in the future").into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::OrganizationKind;
    use crate::domain::fixtures;
    use chrono::Duration;

    fn stage(phase: Phase, close: Option<DateTime<Utc>>) -> Stage {
        Stage { phase, amendments_close_at: close }
    }

    #[test]
    fn delegates_propose_only_while_amendments_are_open() {
        let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let now = Utc::now();
        let later = Some(now + Duration::hours(1));
        let earlier = Some(now - Duration::seconds(1));
        assert!(check_act(stage(Phase::Amendments, None), Act::Propose, &delegate, now).is_ok());
        assert!(check_act(stage(Phase::Amendments, later), Act::Propose, &delegate, now).is_ok());
        assert!(check_act(stage(Phase::Amendments, earlier), Act::Propose, &delegate, now).is_err());
        for phase in [Phase::Drafting, Phase::Deliberation, Phase::Voting, Phase::Final] {
            let refusal = check_act(stage(phase, None), Act::Propose, &delegate, now);
            assert!(
                matches!(&refusal, Err(Refusal::Conflict(detail)) if detail.contains(phase.as_str())),
                "{phase:?}: {refusal:?}"
            );
        }
    }

    #[test]
    fn delegates_revise_in_amendments_and_deliberation() {
        let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let now = Utc::now();
        for (phase, allowed) in [
            (Phase::Drafting, false),
            (Phase::Amendments, true),
            (Phase::Deliberation, true),
            (Phase::Voting, false),
            (Phase::Final, false),
        ] {
            assert_eq!(check_act(stage(phase, None), Act::Revise, &delegate, now).is_ok(), allowed, "{phase:?}");
        }
    }

    #[test]
    fn the_secretariat_acts_in_every_phase_but_final() {
        let secretariat = fixtures::user(Role::Secretariat, OrganizationKind::Member);
        let now = Utc::now();
        let closed = Some(now - Duration::hours(1));
        for act in [Act::EditText, Act::Propose, Act::Revise, Act::OpenBallot, Act::Adopt] {
            for phase in [Phase::Drafting, Phase::Amendments, Phase::Deliberation, Phase::Voting] {
                assert!(check_act(stage(phase, closed), act, &secretariat, now).is_ok(), "{act:?} in {phase:?}");
            }
            assert!(check_act(stage(Phase::Final, None), act, &secretariat, now).is_err(), "{act:?} in final");
        }
    }

    #[test]
    fn final_is_reached_by_a_ballot_and_never_left() {
        let now = Utc::now();
        assert!(check_change(stage(Phase::Amendments, None), stage(Phase::Final, None), now).is_err());
        assert!(check_change(stage(Phase::Final, None), stage(Phase::Voting, None), now).is_err());
        assert!(check_change(stage(Phase::Voting, None), stage(Phase::Drafting, None), now).is_ok());
        assert!(check_change(stage(Phase::Drafting, None), stage(Phase::Deliberation, None), now).is_ok());
    }

    #[test]
    fn a_deadline_lies_ahead_and_belongs_to_amendments() {
        let now = Utc::now();
        let ahead = Some(now + Duration::days(3));
        let past = Some(now - Duration::days(1));
        let from = stage(Phase::Drafting, None);
        assert!(check_change(from, stage(Phase::Amendments, ahead), now).is_ok());
        assert!(matches!(check_change(from, stage(Phase::Amendments, past), now), Err(Refusal::Invalid(_))));
        assert!(matches!(check_change(from, stage(Phase::Deliberation, ahead), now), Err(Refusal::Invalid(_))));
        // Keeping a deadline that has passed (changing only the title) is no change to it.
        let passed = stage(Phase::Amendments, past);
        assert!(check_change(passed, passed, now).is_ok());
    }
}
