//! Proposals to change the charter, and the rules of their life cycle.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::account::{Role, User};
use super::charter::{Section, SectionKind};
use super::ids::{DocumentId, ProposalId, SectionId, UserId};
use super::limits::Invalid;
use super::string_enum::string_enum;
use super::Refusal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalKind {
    Amend,
    Add,
    Delete,
    General,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    Open,
    Voting,
    Passed,
    Rejected,
    Adopted,
    Withdrawn,
    /// Replaced by a consolidated text (`superseded_by`).
    Superseded,
}

string_enum!(ProposalKind { Amend => "amend", Add => "add", Delete => "delete", General => "general" });
string_enum!(ProposalStatus {
    Open => "open", Voting => "voting", Passed => "passed", Rejected => "rejected",
    Adopted => "adopted", Withdrawn => "withdrawn", Superseded => "superseded",
});

/// A proposal's facts that the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalFacts {
    pub id: ProposalId,
    pub document_id: DocumentId,
    pub kind: ProposalKind,
    pub section_id: Option<SectionId>,
    pub organization_id: super::ids::OrganizationId,
    pub author_id: UserId,
    pub status: ProposalStatus,
    pub locked: bool,
    pub base_version: i64,
    /// The organizations that accepted to co-sign it.
    pub cosponsors: Vec<super::ids::OrganizationId>,
}

/// Delegates and the secretariat propose; observers never do.
pub fn may_propose(user: &User) -> bool {
    user.active && matches!(user.role, Role::Delegate | Role::Secretariat)
}

/// A delegate of the author organization, or the secretariat.
pub fn may_act_for_proposal(user: &User, proposal: &ProposalFacts) -> bool {
    user.active
        && match user.role {
            Role::Secretariat => true,
            Role::Delegate => user.organization.id == proposal.organization_id,
            Role::Observer => false,
        }
}

/// Revising: a delegate of the author organization or of a co-sponsor, or
/// the secretariat. Withdrawing stays with the author organization.
pub fn may_revise(user: &User, proposal: &ProposalFacts) -> bool {
    may_act_for_proposal(user, proposal)
        || (user.active && user.role == Role::Delegate && proposal.cosponsors.contains(&user.organization.id))
}

/// A new revision: who may revise, and only while the proposal is open.
pub fn check_revision(user: &User, proposal: &ProposalFacts) -> Result<(), Refusal> {
    if !may_revise(user, proposal) {
        return Err(Refusal::Forbidden(
            "only a delegate of the author or a co-sponsor organization, or the secretariat, may revise this proposal"
                .into(),
        ));
    }
    check_text_open(proposal)
}

/// Inviting a co-sponsor: a delegate of the author organization (or the
/// secretariat), inviting another active member organization.
pub fn check_cosponsor_invitation(
    user: &User,
    proposal: &ProposalFacts,
    invited: &super::account::Organization,
) -> Result<(), Refusal> {
    if !may_act_for_proposal(user, proposal) {
        return Err(Refusal::Forbidden("only a delegate of the author organization may invite co-sponsors".into()));
    }
    if invited.id == proposal.organization_id {
        return Err(Invalid::new("organization_id", "the author organization already signs the proposal").into());
    }
    if invited.kind != super::account::OrganizationKind::Member || !invited.active {
        return Err(Invalid::new("organization_id", "only an active member organization can co-sign").into());
    }
    check_text_open(proposal)
}

/// The text can change (revise, withdraw) only while the proposal is open.
pub fn check_text_open(proposal: &ProposalFacts) -> Result<(), Refusal> {
    if proposal.status != ProposalStatus::Open {
        return Err(Refusal::Conflict(format!(
            "the proposal is {}; its text can change only while it is open",
            proposal.status.as_str()
        )));
    }
    Ok(())
}

/// Revising or withdrawing: the author organization's delegates or the
/// secretariat, and only while the proposal is open.
pub fn check_text_change(user: &User, proposal: &ProposalFacts) -> Result<(), Refusal> {
    if !may_act_for_proposal(user, proposal) {
        return Err(Refusal::Forbidden(
            "only a delegate of the author organization, or the secretariat, may change this proposal".into(),
        ));
    }
    check_text_open(proposal)
}

/// What a new proposal targets, checked against the current charter:
/// `amend`/`delete` name an article, `add` names the section it follows (or
/// none, for the start), `general` names nothing.
pub fn check_target(
    kind: ProposalKind,
    section_id: Option<SectionId>,
    after_section_id: Option<SectionId>,
    sections: &[Section],
) -> Result<(), Invalid> {
    let find = |id: SectionId| sections.iter().find(|section| section.id == id);
    match kind {
        // An amendment may rename a chapter as well as change an article.
        ProposalKind::Amend => {
            if after_section_id.is_some() {
                return Err(Invalid::new("after_section_id", "only an `add` proposal names a section to follow"));
            }
            let id = section_id.ok_or_else(|| Invalid::new("section_id", "name the article or chapter to change"))?;
            find(id).map(|_| ()).ok_or_else(|| Invalid::new("section_id", "no such section in this document"))
        }
        ProposalKind::Delete => {
            if after_section_id.is_some() {
                return Err(Invalid::new("after_section_id", "only an `add` proposal names a section to follow"));
            }
            let id = section_id.ok_or_else(|| Invalid::new("section_id", "name the article to change"))?;
            match find(id) {
                Some(section) if section.kind == SectionKind::Article => Ok(()),
                Some(_) => Err(Invalid::new("section_id", "a proposal changes an article, not a chapter")),
                None => Err(Invalid::new("section_id", "no such section in this document")),
            }
        }
        ProposalKind::Add => {
            if section_id.is_some() {
                return Err(Invalid::new("section_id", "an `add` proposal names `after_section_id` instead"));
            }
            match after_section_id {
                Some(id) if find(id).is_none() => {
                    Err(Invalid::new("after_section_id", "no such section in this document"))
                }
                _ => Ok(()),
            }
        }
        ProposalKind::General => {
            if section_id.is_some() || after_section_id.is_some() {
                return Err(Invalid::new("section_id", "a general motion does not name a section"));
            }
            Ok(())
        }
    }
}

/// The article text a proposal starts from at its base version (empty for
/// `add` and `general`, which change no existing text).
pub fn base_text(kind: ProposalKind, section_id: Option<SectionId>, base: &[Section]) -> String {
    match (kind, section_id) {
        (ProposalKind::Amend | ProposalKind::Delete, Some(id)) => {
            base.iter().find(|section| section.id == id).map(|section| section.body.clone()).unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// A proposal as the API and the events show it, with its latest revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Proposal {
    #[schema(value_type = uuid::Uuid)]
    pub id: ProposalId,
    #[schema(value_type = uuid::Uuid)]
    pub document_id: DocumentId,
    pub kind: ProposalKind,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub section_id: Option<SectionId>,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub after_section_id: Option<SectionId>,
    pub title: String,
    pub rationale: String,
    pub status: ProposalStatus,
    pub organization: super::account::Organization,
    pub author: super::account::PersonRef,
    pub base_version: i64,
    pub revision: CurrentRevision,
    pub locked: bool,
    /// The article changed since the base version (another proposal was
    /// adopted): the authors should revise against the new text.
    pub outdated: bool,
    pub comment_count: i64,
    pub ballot_id: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    /// Organizations that co-sign it (accepted), and those invited.
    pub cosponsors: Vec<super::account::Organization>,
    pub invited_cosponsors: Vec<super::account::Organization>,
    /// The proposals this consolidated text replaces.
    #[schema(value_type = Vec<uuid::Uuid>)]
    pub supersedes: Vec<ProposalId>,
    /// The consolidated text that replaced this one.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub superseded_by: Option<ProposalId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CurrentRevision {
    pub number: i64,
    pub body: String,
    pub body_html: String,
    /// The new title it gives the section (`None`: the title stays).
    pub section_title: Option<String>,
    pub created_at: DateTime<Utc>,
    pub author: super::account::PersonRef,
}

impl Proposal {
    pub fn facts(&self) -> ProposalFacts {
        ProposalFacts {
            id: self.id,
            document_id: self.document_id,
            kind: self.kind,
            section_id: self.section_id,
            organization_id: self.organization.id,
            author_id: self.author.id,
            status: self.status,
            locked: self.locked,
            base_version: self.base_version,
            cosponsors: self.cosponsors.iter().map(|org| org.id).collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Revision {
    pub number: i64,
    pub title: String,
    pub body: String,
    pub section_title: Option<String>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub author: super::account::PersonRef,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::account::OrganizationKind;
    use crate::domain::fixtures;
    use crate::domain::ids::OrganizationId;

    fn proposal(status: ProposalStatus, organization_id: OrganizationId) -> ProposalFacts {
        ProposalFacts {
            id: ProposalId::new(),
            document_id: DocumentId::new(),
            kind: ProposalKind::Amend,
            section_id: None,
            organization_id,
            author_id: UserId::new(),
            status,
            locked: false,
            base_version: 1,
            cosponsors: Vec::new(),
        }
    }

    #[test]
    fn who_may_propose() {
        assert!(may_propose(&fixtures::user(Role::Delegate, OrganizationKind::Member)));
        assert!(may_propose(&fixtures::user(Role::Secretariat, OrganizationKind::Member)));
        assert!(!may_propose(&fixtures::user(Role::Observer, OrganizationKind::Observer)));
    }

    #[test]
    fn only_the_author_organization_or_the_secretariat_acts_for_a_proposal() {
        let delegate = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let other = fixtures::user(Role::Delegate, OrganizationKind::Member);
        let secretariat = fixtures::user(Role::Secretariat, OrganizationKind::Member);
        let observer = fixtures::user(Role::Observer, OrganizationKind::Observer);
        let mine = proposal(ProposalStatus::Open, delegate.organization.id);
        assert!(may_act_for_proposal(&delegate, &mine));
        assert!(!may_act_for_proposal(&other, &mine));
        assert!(may_act_for_proposal(&secretariat, &mine));
        assert!(!may_act_for_proposal(&observer, &mine));
    }

    #[test]
    fn text_is_frozen_unless_open() {
        let org = OrganizationId::new();
        assert!(check_text_open(&proposal(ProposalStatus::Open, org)).is_ok());
        for status in
            [ProposalStatus::Voting, ProposalStatus::Passed, ProposalStatus::Withdrawn, ProposalStatus::Adopted]
        {
            assert!(matches!(check_text_open(&proposal(status, org)), Err(Refusal::Conflict(_))));
        }
    }

    #[test]
    fn targets_must_fit_the_kind() {
        let chapter =
            Section { id: SectionId::new(), kind: SectionKind::Chapter, title: "C".into(), body: String::new() };
        let article = Section { id: SectionId::new(), kind: SectionKind::Article, title: "A".into(), body: "x".into() };
        let sections = vec![chapter.clone(), article.clone()];
        use ProposalKind::*;
        assert!(check_target(Amend, Some(article.id), None, &sections).is_ok());
        assert!(check_target(Delete, Some(article.id), None, &sections).is_ok());
        assert!(check_target(Amend, Some(chapter.id), None, &sections).is_ok(), "an amendment may rename a chapter");
        assert!(check_target(Delete, Some(chapter.id), None, &sections).is_err(), "but not delete one");
        assert!(check_target(Amend, None, None, &sections).is_err());
        assert!(check_target(Amend, Some(SectionId::new()), None, &sections).is_err());
        assert!(check_target(Add, None, Some(chapter.id), &sections).is_ok());
        assert!(check_target(Add, None, None, &sections).is_ok());
        assert!(check_target(Add, None, Some(SectionId::new()), &sections).is_err());
        assert!(check_target(General, None, None, &sections).is_ok());
        assert!(check_target(General, Some(article.id), None, &sections).is_err());
        assert_eq!(base_text(Amend, Some(article.id), &sections), "x");
        assert_eq!(base_text(Add, None, &sections), "");
    }
}
