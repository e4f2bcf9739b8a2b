//! Opening a ballot on a whole document: which rivals may meet in one
//! alternatives ballot, which articles may go in one block, and which
//! version an approval is on.

use super::ballot_subject::BallotOption;
use super::charter::{Charter, SectionKind};
use super::ids::{ProposalId, SectionId};
use super::limits::Invalid;
use super::proposal::{Proposal, ProposalKind, ProposalStatus};
use super::Refusal;

/// The most options one alternatives ballot offers.
pub const MAX_OPTIONS: usize = 12;

/// Rival proposals on one article: each open, each changing (or deleting)
/// that same article of this document, none twice; with the status quo
/// there must be at least two options. Returns the article.
pub fn check_alternatives(
    charter: &Charter,
    ids: &[ProposalId],
    found: &[Proposal],
    status_quo: bool,
) -> Result<SectionId, Refusal> {
    if ids.len() + usize::from(status_quo) < 2 {
        return Err(Invalid::new("proposal_ids", "an alternatives ballot needs at least two options").into());
    }
    if ids.len() + usize::from(status_quo) > MAX_OPTIONS {
        return Err(Invalid::new("proposal_ids", format!("at most {MAX_OPTIONS} options")).into());
    }
    let mut section = None;
    for (index, id) in ids.iter().enumerate() {
        if ids[..index].contains(id) {
            return Err(Invalid::new("proposal_ids", format!("{id} is listed twice")).into());
        }
        let proposal = found
            .iter()
            .find(|p| p.id == *id && p.document_id == charter.id)
            .ok_or_else(|| Invalid::new("proposal_ids", format!("{id} is not a proposal on this document")))?;
        if !matches!(proposal.kind, ProposalKind::Amend | ProposalKind::Delete) {
            return Err(Invalid::new("proposal_ids", "rivals change or delete an existing article").into());
        }
        match (section, proposal.section_id) {
            (None, Some(target)) => section = Some(target),
            (Some(first), Some(target)) if first == target => {}
            _ => return Err(Invalid::new("proposal_ids", "the rival proposals must be on the same section").into()),
        }
        if proposal.status != ProposalStatus::Open {
            return Err(Refusal::Conflict(format!(
                "«{}» is {}; only open proposals can be put to the vote",
                proposal.title,
                proposal.status.as_str()
            )));
        }
    }
    let section = section.ok_or_else(|| Invalid::new("proposal_ids", "name the rival proposals"))?;
    if charter.sections.iter().all(|s| s.id != section) {
        return Err(Refusal::Conflict("the article the proposals change is no longer in the text".into()));
    }
    Ok(section)
}

/// The options in ballot order: the status quo first (it wins ties), then
/// the proposals in the order given. `ids` makes each option's id.
pub fn options(
    proposals: &[Proposal],
    status_quo: Option<String>,
    mut id: impl FnMut() -> uuid::Uuid,
) -> Vec<BallotOption> {
    let keep = status_quo.map(|label| BallotOption { id: id(), label, proposal_id: None });
    keep.into_iter()
        .chain(proposals.iter().map(|p| BallotOption {
            id: id(),
            label: format!("{} ({})", p.title, p.organization.short_name),
            proposal_id: Some(p.id),
        }))
        .collect()
}

/// A block: articles of the current text, none twice, none contested.
pub fn check_block(charter: &Charter, ids: &[SectionId], contested: &[SectionId]) -> Result<(), Refusal> {
    if ids.is_empty() {
        return Err(Invalid::new("section_ids", "name the articles to adopt").into());
    }
    for (index, id) in ids.iter().enumerate() {
        if ids[..index].contains(id) {
            return Err(Invalid::new("section_ids", format!("{id} is listed twice")).into());
        }
        match charter.sections.iter().find(|s| s.id == *id) {
            Some(section) if section.kind == SectionKind::Article => {}
            Some(_) => return Err(Invalid::new("section_ids", "a block adopts articles, not chapters").into()),
            None => return Err(Invalid::new("section_ids", format!("{id} is not an article of this document")).into()),
        }
    }
    if !contested.is_empty() {
        let list: Vec<String> = contested.iter().map(ToString::to_string).collect();
        return Err(Refusal::Conflict(format!(
            "an organization objects to {}; put contested articles to their own ballot",
            list.join(", ")
        )));
    }
    Ok(())
}

/// The whole text is approved as it stands now: the version named must be
/// the current one.
pub fn check_approval(charter: &Charter, version: i64) -> Result<(), Refusal> {
    if version != charter.version {
        return Err(Refusal::Conflict(format!(
            "version {version} is not the current text (version {}); approve the text as it stands",
            charter.version
        )));
    }
    if charter.sections.is_empty() {
        return Err(Refusal::Conflict("the document has no text to approve".into()));
    }
    Ok(())
}

#[cfg(test)]
#[path = "document_ballot_tests.rs"]
mod tests;
