//! What a ballot decides: one proposal (yes / no / abstain), rival
//! proposals on one article (ranked or plurality), the whole text at one
//! version, or a block of articles as they stand. The subject fixes the
//! topic its events go to, the page it links to, and the vote it takes.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::alternatives::{self, ChoiceError};
use super::ballot::Choice;
use super::event::Topic;
use super::ids::{BallotId, DocumentId, ProposalId, SectionId};
use super::limits::Invalid;
use super::string_enum::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BallotKind {
    Proposal,
    Alternatives,
    Approval,
    Block,
}
string_enum!(BallotKind { Proposal => "proposal", Alternatives => "alternatives", Approval => "approval", Block => "block" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Each organization orders the options; the Schulze method decides.
    Ranked,
    /// Each organization names one option; the most named wins.
    Plurality,
}

/// One of the rivals: a proposal, or keeping the current text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BallotOption {
    pub id: Uuid,
    pub label: String,
    /// `None` for "mantener el texto vigente".
    #[schema(value_type = Option<Uuid>)]
    pub proposal_id: Option<ProposalId>,
}

/// What a ballot decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    Proposal {
        proposal_id: ProposalId,
    },
    /// The status quo, when offered, is the first option (it wins ties:
    /// see `alternatives::schulze`).
    Alternatives {
        document_id: DocumentId,
        section_id: SectionId,
        method: Method,
        options: Vec<BallotOption>,
    },
    /// Passing makes the document final at exactly this version.
    Approval {
        document_id: DocumentId,
        version: i64,
    },
    Block {
        document_id: DocumentId,
        section_ids: Vec<SectionId>,
    },
}

impl Subject {
    pub fn kind(&self) -> BallotKind {
        match self {
            Subject::Proposal { .. } => BallotKind::Proposal,
            Subject::Alternatives { .. } => BallotKind::Alternatives,
            Subject::Approval { .. } => BallotKind::Approval,
            Subject::Block { .. } => BallotKind::Block,
        }
    }

    pub fn proposal_id(&self) -> Option<ProposalId> {
        match self {
            Subject::Proposal { proposal_id } => Some(*proposal_id),
            _ => None,
        }
    }

    /// The document, for the ballots on one; a proposal's ballot reaches
    /// its document through the proposal.
    pub fn document_id(&self) -> Option<DocumentId> {
        match self {
            Subject::Proposal { .. } => None,
            Subject::Alternatives { document_id, .. }
            | Subject::Approval { document_id, .. }
            | Subject::Block { document_id, .. } => Some(*document_id),
        }
    }

    /// The proposals put to the vote together (all of an alternatives ballot's).
    pub fn proposals(&self) -> Vec<ProposalId> {
        match self {
            Subject::Proposal { proposal_id } => vec![*proposal_id],
            Subject::Alternatives { options, .. } => options.iter().filter_map(|o| o.proposal_id).collect(),
            Subject::Approval { .. } | Subject::Block { .. } => Vec::new(),
        }
    }

    pub fn topic(&self) -> Topic {
        match (self.proposal_id(), self.document_id()) {
            (Some(proposal), _) => Topic::Proposal(proposal),
            (None, Some(document)) => Topic::Document(document),
            (None, None) => Topic::Moderation,
        }
    }

    /// Where the web client shows the ballot.
    pub fn link(&self, ballot: BallotId) -> String {
        match self.proposal_id() {
            Some(proposal) => format!("/propuestas/{proposal}"),
            None => format!("/votaciones/{ballot}"),
        }
    }

    /// The options of an alternatives ballot (none otherwise).
    pub fn options(&self) -> &[BallotOption] {
        match self {
            Subject::Alternatives { options, .. } => options,
            _ => &[],
        }
    }
}

/// A vote as sent: a choice, a ranking of option ids, or one option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cast {
    Choice(Choice),
    Ranking(Vec<Uuid>),
    Option(Uuid),
}

/// A vote as kept: a choice for yes/no ballots, or the option ids in order
/// (one of them for plurality).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    Choice(Choice),
    Ranking(Vec<Uuid>),
}

fn choice_error(options: &[BallotOption], error: ChoiceError) -> Invalid {
    let name = |index: usize| options.get(index).map(|o| o.id.to_string()).unwrap_or_default();
    match error {
        ChoiceError::Empty => Invalid::new("ranking", "rank at least one option"),
        ChoiceError::UnknownOption(_) => Invalid::new("ranking", "an option is not one of this ballot's"),
        ChoiceError::Duplicate(index) => Invalid::new("ranking", format!("option {} is ranked twice", name(index))),
    }
}

/// The vote `cast` must fit the ballot: a choice for a proposal, an
/// approval or a block; a ranking of this ballot's options (none twice) for
/// a ranked one; one of its options for plurality.
pub fn check_cast(subject: &Subject, cast: Cast) -> Result<Kept, Invalid> {
    match (subject, cast) {
        (Subject::Alternatives { method, options, .. }, cast) => {
            let index = |id: Uuid| options.iter().position(|o| o.id == id);
            match (method, cast) {
                (Method::Ranked, Cast::Ranking(ids)) => {
                    // An unknown id is refused before any index is taken.
                    if ids.iter().any(|id| index(*id).is_none()) {
                        return Err(Invalid::new("ranking", "an option is not one of this ballot's"));
                    }
                    let indices: Vec<usize> = ids.iter().filter_map(|id| index(*id)).collect();
                    alternatives::check_ranking(options.len(), &indices).map_err(|e| choice_error(options, e))?;
                    Ok(Kept::Ranking(ids))
                }
                (Method::Plurality, Cast::Option(id)) => match index(id) {
                    Some(_) => Ok(Kept::Ranking(vec![id])),
                    None => Err(Invalid::new("option", "not one of this ballot's options")),
                },
                (Method::Ranked, _) => Err(Invalid::new("ranking", "this ballot takes a ranking of its options")),
                (Method::Plurality, _) => Err(Invalid::new("option", "this ballot takes one of its options")),
            }
        }
        (_, Cast::Choice(choice)) => Ok(Kept::Choice(choice)),
        (_, _) => Err(Invalid::new("choice", "this ballot takes yes, no or abstain")),
    }
}

/// What an alternatives ballot decided, stored at the close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AlternativesResult {
    pub method: Method,
    /// The options in order, winner first (option ids).
    pub order: Vec<Uuid>,
    /// `None` without votes, or without quorum.
    pub winner: Option<Uuid>,
    /// Whether the deterministic tie-break chose the winner.
    pub tie_broken: bool,
    /// Ranked: d[i][j], ballots preferring option i to j (in option order).
    pub pairwise: Vec<Vec<u32>>,
    /// Ranked: strongest path strength from i to j.
    pub strengths: Vec<Vec<u32>>,
    /// Plurality: votes for each option (in option order).
    pub counts: Vec<u32>,
}

/// The result of an alternatives ballot from the organizations' rankings
/// (option ids, checked when cast); no winner without quorum.
pub fn decide(
    method: Method,
    options: &[BallotOption],
    rankings: &[Vec<Uuid>],
    quorum_met: bool,
) -> AlternativesResult {
    let indices: Vec<Vec<usize>> = rankings
        .iter()
        .map(|ranking| ranking.iter().filter_map(|id| options.iter().position(|o| o.id == *id)).collect())
        .collect();
    let ids = |order: &[usize]| order.iter().filter_map(|&i| options.get(i).map(|o| o.id)).collect::<Vec<_>>();
    let mut result = match method {
        Method::Ranked => {
            let outcome = alternatives::schulze(options.len(), &indices);
            AlternativesResult {
                method,
                order: ids(&outcome.order),
                winner: outcome.winner.and_then(|i| options.get(i).map(|o| o.id)),
                tie_broken: outcome.tie_broken,
                pairwise: outcome.pairwise,
                strengths: outcome.strengths,
                counts: Vec::new(),
            }
        }
        Method::Plurality => {
            let firsts: Vec<usize> = indices.iter().filter_map(|ranking| ranking.first().copied()).collect();
            let outcome = alternatives::plurality(options.len(), &firsts);
            AlternativesResult {
                method,
                order: ids(&outcome.order),
                winner: outcome.winner.and_then(|i| options.get(i).map(|o| o.id)),
                tie_broken: outcome.tie_broken,
                pairwise: Vec::new(),
                strengths: Vec::new(),
                counts: outcome.counts,
            }
        }
    };
    if !quorum_met {
        result.winner = None;
        result.tie_broken = false;
    }
    result
}

#[cfg(test)]
#[path = "ballot_subject_tests.rs"]
mod tests;
