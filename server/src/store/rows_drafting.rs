//! Rows of the charter, proposals, comments and events, and their conversion
//! to domain values (Markdown rendered and sanitized on the way out).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::error::{StoreError, StoreResult};
use super::rows::OrganizationRow;
use crate::domain::account::PersonRef;
use crate::domain::charter::{Section, SectionKind, VersionInfo};
use crate::domain::comment::{Anchor, Comment};
use crate::domain::event::Event;
use crate::domain::markdown::render_html;
use crate::domain::proposal::{CurrentRevision, Proposal, ProposalKind, ProposalStatus, Revision};

fn corrupt(what: &str, text: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {text:?}"))
}

#[derive(sqlx::FromRow)]
pub(crate) struct SectionRow {
    id: Uuid,
    kind: String,
    title: String,
    body: String,
}

impl TryFrom<SectionRow> for Section {
    type Error = StoreError;

    fn try_from(row: SectionRow) -> StoreResult<Self> {
        Ok(Section {
            id: row.id.into(),
            kind: SectionKind::parse(&row.kind).ok_or_else(|| corrupt("section kind", &row.kind))?,
            title: row.title,
            body: row.body,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DocumentRow {
    pub id: Uuid,
    pub title: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    phase: String,
    amendments_close_at: Option<DateTime<Utc>>,
    final_ballot_id: Option<Uuid>,
    final_version: Option<i64>,
    final_sha256: Option<String>,
}

impl DocumentRow {
    pub(crate) fn stage(&self) -> StoreResult<crate::domain::phase::Stage> {
        let phase = crate::domain::phase::Phase::parse(&self.phase).ok_or_else(|| corrupt("phase", &self.phase))?;
        Ok(crate::domain::phase::Stage { phase, amendments_close_at: self.amendments_close_at })
    }

    pub(crate) fn approval(&self) -> Option<crate::domain::charter::Approval> {
        match (self.final_ballot_id, self.final_version, &self.final_sha256) {
            (Some(ballot), Some(version), Some(sha)) => {
                Some(crate::domain::charter::Approval { ballot_id: ballot.into(), version, text_sha256: sha.clone() })
            }
            _ => None,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    version: i64,
    created_at: DateTime<Utc>,
    created_by: Option<Uuid>,
    proposal_id: Option<Uuid>,
    summary: String,
}

impl From<VersionRow> for VersionInfo {
    fn from(row: VersionRow) -> Self {
        VersionInfo {
            version: row.version,
            created_at: row.created_at,
            created_by: row.created_by.map(Into::into),
            proposal_id: row.proposal_id.map(Into::into),
            summary: row.summary,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProposalRow {
    id: Uuid,
    document_id: Uuid,
    kind: String,
    section_id: Option<Uuid>,
    after_section_id: Option<Uuid>,
    title: String,
    rationale: String,
    status: String,
    base_version: i64,
    locked: bool,
    outdated: bool,
    ballot_id: Option<Uuid>,
    created_at: DateTime<Utc>,
    author_id: Uuid,
    author_name: String,
    rev_number: i64,
    rev_body: String,
    rev_section_title: Option<String>,
    supersedes: Option<String>,
    superseded_by: Option<Uuid>,
    rev_created_at: DateTime<Utc>,
    rev_author_id: Uuid,
    rev_author_name: String,
    comment_count: i64,
    #[sqlx(flatten)]
    organization: OrganizationRow,
}

impl TryFrom<ProposalRow> for Proposal {
    type Error = StoreError;

    fn try_from(row: ProposalRow) -> StoreResult<Self> {
        Ok(Proposal {
            id: row.id.into(),
            document_id: row.document_id.into(),
            kind: ProposalKind::parse(&row.kind).ok_or_else(|| corrupt("proposal kind", &row.kind))?,
            section_id: row.section_id.map(Into::into),
            after_section_id: row.after_section_id.map(Into::into),
            title: row.title,
            rationale: row.rationale,
            status: ProposalStatus::parse(&row.status).ok_or_else(|| corrupt("proposal status", &row.status))?,
            organization: row.organization.try_into()?,
            author: PersonRef { id: row.author_id.into(), display_name: row.author_name },
            base_version: row.base_version,
            revision: CurrentRevision {
                number: row.rev_number,
                body_html: render_html(&row.rev_body),
                body: row.rev_body,
                section_title: row.rev_section_title,
                created_at: row.rev_created_at,
                author: PersonRef { id: row.rev_author_id.into(), display_name: row.rev_author_name },
            },
            locked: row.locked,
            outdated: row.outdated,
            comment_count: row.comment_count,
            ballot_id: row.ballot_id,
            created_at: row.created_at,
            // Filled by the store from proposal_cosponsors.
            cosponsors: Vec::new(),
            invited_cosponsors: Vec::new(),
            supersedes: match row.supersedes.as_deref() {
                None => Vec::new(),
                Some(text) => serde_json::from_str(text).map_err(|_| corrupt("supersedes", text))?,
            },
            superseded_by: row.superseded_by.map(Into::into),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CosponsorRow {
    pub proposal_id: Uuid,
    pub accepted: bool,
    #[sqlx(flatten)]
    organization: OrganizationRow,
}

impl CosponsorRow {
    pub(crate) fn organization(self) -> StoreResult<crate::domain::account::Organization> {
        self.organization.try_into()
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RevisionRow {
    number: i64,
    title: String,
    body: String,
    section_title: Option<String>,
    note: String,
    created_at: DateTime<Utc>,
    author_id: Uuid,
    author_name: String,
}

impl From<RevisionRow> for Revision {
    fn from(row: RevisionRow) -> Self {
        Revision {
            number: row.number,
            title: row.title,
            body: row.body,
            section_title: row.section_title,
            note: row.note,
            created_at: row.created_at,
            author: PersonRef { id: row.author_id.into(), display_name: row.author_name },
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CommentRow {
    id: Uuid,
    proposal_id: Uuid,
    parent_id: Option<Uuid>,
    author_id: Uuid,
    author_name: String,
    body: String,
    anchor_revision: Option<i64>,
    anchor_quote: Option<String>,
    created_at: DateTime<Utc>,
    edited_at: Option<DateTime<Utc>>,
    deleted: bool,
    hidden: bool,
    hidden_reason: Option<String>,
    #[sqlx(flatten)]
    organization: OrganizationRow,
}

impl TryFrom<CommentRow> for Comment {
    type Error = StoreError;

    fn try_from(row: CommentRow) -> StoreResult<Self> {
        Ok(Comment {
            id: row.id.into(),
            proposal_id: row.proposal_id.into(),
            parent_id: row.parent_id.map(Into::into),
            author: PersonRef { id: row.author_id.into(), display_name: row.author_name },
            organization: row.organization.try_into()?,
            body_html: render_html(&row.body),
            body: row.body,
            anchor: match (row.anchor_revision, row.anchor_quote) {
                (Some(revision), Some(quote)) => Some(Anchor { revision, quote }),
                _ => None,
            },
            created_at: row.created_at,
            edited_at: row.edited_at,
            deleted: row.deleted,
            hidden: row.hidden,
            hidden_reason: row.hidden_reason,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    topic: String,
    seq: i64,
    kind: String,
    data: String,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    at: DateTime<Utc>,
    comment_deleted: Option<bool>,
    comment_hidden: Option<bool>,
}

impl TryFrom<EventRow> for Event {
    type Error = StoreError;

    fn try_from(row: EventRow) -> StoreResult<Self> {
        Ok(Event {
            data: serde_json::from_str(&row.data).map_err(|err| StoreError::Corrupt(format!("event data: {err}")))?,
            topic: row.topic,
            seq: row.seq,
            kind: crate::domain::event_kind::EventKind::parse(&row.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("event kind {:?}", row.kind)))?,
            actor: match (row.actor_id, row.actor_name) {
                (Some(id), Some(display_name)) => Some(PersonRef { id: id.into(), display_name }),
                _ => None,
            },
            at: row.at,
            comment_state: match (row.comment_deleted, row.comment_hidden) {
                (Some(deleted), Some(hidden)) => Some((deleted, hidden)),
                _ => None,
            },
        })
    }
}

/// An event as the chain covers it, for `verify`.
#[derive(sqlx::FromRow)]
pub(crate) struct ChainRow {
    seq: i64,
    kind: String,
    data: String,
    actor_id: Option<Uuid>,
    at: DateTime<Utc>,
    hash: String,
}

impl ChainRow {
    /// Feeds this event to `check`; the seq where the chain breaks if it does.
    pub(crate) fn check(&self, topic: &str, check: &mut crate::domain::chain::ChainCheck) -> Result<(), i64> {
        let at = self.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let link = crate::domain::chain::Link {
            topic,
            seq: self.seq,
            kind: &self.kind,
            data: &self.data,
            actor: self.actor_id,
            at: &at,
        };
        check.push(&link, &self.hash).map_err(|(seq, _)| seq)
    }
}

#[derive(serde::Deserialize)]
struct Snapshot {
    title: String,
    sections: Vec<Section>,
}

/// A stored version's snapshot (`{"title", "sections"}`) as a charter.
pub(crate) fn charter_from_snapshot(
    id: crate::domain::ids::DocumentId,
    version: i64,
    created_at: DateTime<Utc>,
    snapshot: &str,
) -> StoreResult<crate::domain::charter::Charter> {
    let snapshot: Snapshot =
        serde_json::from_str(snapshot).map_err(|err| StoreError::Corrupt(format!("version snapshot: {err}")))?;
    Ok(crate::domain::charter::Charter {
        id,
        title: snapshot.title,
        version,
        updated_at: created_at,
        stage: Default::default(),
        approval: None,
        sections: snapshot.sections,
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct FlagRow {
    id: Uuid,
    pub comment_id: Uuid,
    user_id: Uuid,
    user_name: String,
    reason: String,
    status: String,
    action: Option<String>,
    created_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
}

impl FlagRow {
    pub(crate) fn into_flag(self, comment: Comment) -> StoreResult<crate::domain::comment::Flag> {
        use crate::domain::comment::FlagAction;
        Ok(crate::domain::comment::Flag {
            id: self.id.into(),
            comment,
            flagged_by: PersonRef { id: self.user_id.into(), display_name: self.user_name },
            reason: self.reason,
            status: self.status,
            action: match self.action.as_deref() {
                None => None,
                Some("hide") => Some(FlagAction::Hide),
                Some("dismiss") => Some(FlagAction::Dismiss),
                Some(other) => return Err(corrupt("flag action", other)),
            },
            created_at: self.created_at,
            resolved_at: self.resolved_at,
        })
    }
}
