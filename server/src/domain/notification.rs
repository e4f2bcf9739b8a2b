//! Notifications: who hears of what. A change someone should hear of
//! carries its notices, made here from its typed payload with its event
//! (`NewEvent::notices`), and the store records them in the change's own
//! transaction, so nobody hears of a change that did not happen, nor misses
//! one that did. The inbox says each in its reader's language when read.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::ballot_record::BallotRecord;
use super::comment::{Comment, Flag};
use super::event_payload::PhaseData;
use super::ids::{CommentId, NoticeId, OrganizationId, UserId};
use super::proposal::Proposal;
use super::string_enum::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
pub enum NoticeKind {
    #[serde(rename = "ballot.opened")]
    BallotOpened,
    #[serde(rename = "ballot.reminder")]
    BallotReminder,
    #[serde(rename = "ballot.closed")]
    BallotClosed,
    #[serde(rename = "comment.reply")]
    CommentReply,
    #[serde(rename = "comment.mention")]
    CommentMention,
    #[serde(rename = "proposal.status")]
    ProposalStatus,
    #[serde(rename = "flag.created")]
    FlagCreated,
    #[serde(rename = "session.convened")]
    SessionConvened,
    #[serde(rename = "document.phase")]
    DocumentPhase,
}

string_enum!(NoticeKind {
    BallotOpened => "ballot.opened", BallotReminder => "ballot.reminder", BallotClosed => "ballot.closed",
    CommentReply => "comment.reply", CommentMention => "comment.mention", ProposalStatus => "proposal.status",
    FlagCreated => "flag.created", SessionConvened => "session.convened", DocumentPhase => "document.phase",
});

/// Who a notice is for, resolved against the people when it is recorded
/// (the actor never hears of their own act).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipients {
    /// The active people of these organizations.
    Organizations(Vec<OrganizationId>),
    /// The author of this comment.
    AuthorOf(CommentId),
    /// The people named after an `@` in this text (see `mentioned`).
    MentionedIn(String),
    /// The active secretariat.
    Secretariat,
    /// Every active person of every active organization.
    Everyone,
}

/// How long notices of one kind in one thread fold into the first unread
/// one (its `count` grows) instead of each making a new one: a lively
/// discussion gives a person one notification a minute, not one a comment.
pub const COALESCE_WITHIN: Duration = Duration::seconds(60);

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub id: NoticeId,
    pub kind: NoticeKind,
    pub recipients: Recipients,
    /// Notices with the same kind and thread coalesce; `None` never does.
    pub thread: Option<Uuid>,
    /// Where in the web client it is about.
    pub link: String,
    /// What the inbox needs to say it: names and titles, never a comment's
    /// body (a comment hidden later would stay readable here).
    pub data: Value,
}

impl Notice {
    pub(super) fn new(kind: NoticeKind, recipients: Recipients, link: String, data: Value) -> Notice {
        Notice { id: NoticeId::new(), kind, recipients, thread: None, link, data }
    }

    /// A new comment: its parent's author hears of the reply, the people it
    /// names of the mention; both coalesce per discussion.
    pub fn of_comment(comment: &Comment) -> Vec<Notice> {
        let link = format!("/propuestas/{}#comment-{}", comment.proposal_id, comment.id);
        let data = json!({
            "proposal_id": comment.proposal_id,
            "comment_id": comment.id,
            "author": comment.author.display_name,
        });
        let thread = Some(comment.proposal_id.0);
        let mut notices = Vec::new();
        if let Some(parent) = comment.parent_id {
            let mut reply =
                Notice::new(NoticeKind::CommentReply, Recipients::AuthorOf(parent), link.clone(), data.clone());
            reply.thread = thread;
            notices.push(reply);
        }
        if comment.body.contains('@') {
            let mut mention =
                Notice::new(NoticeKind::CommentMention, Recipients::MentionedIn(comment.body.clone()), link, data);
            mention.thread = thread;
            notices.push(mention);
        }
        notices
    }

    /// The author organization hears where its proposal now stands.
    pub fn of_proposal_status(proposal: &Proposal) -> Notice {
        Notice::new(
            NoticeKind::ProposalStatus,
            Recipients::Organizations(vec![proposal.organization.id]),
            format!("/propuestas/{}", proposal.id),
            json!({ "proposal_id": proposal.id, "title": proposal.title, "status": proposal.status.as_str() }),
        )
    }

    /// The author organization hears that its proposal no longer fits the
    /// text (its article was deleted), as a change of where it stands.
    pub fn of_outdated(proposal: &Proposal) -> Notice {
        let mut notice = Notice::of_proposal_status(proposal);
        notice.data["status"] = json!("outdated");
        notice
    }

    pub fn of_phase(phase: &PhaseData) -> Notice {
        Notice::new(
            NoticeKind::DocumentPhase,
            Recipients::Everyone,
            format!("/documentos/{}", phase.document_id),
            json!({
                "document_id": phase.document_id,
                "title": phase.title,
                "phase": phase.stage.phase.as_str(),
                "closes_at": phase.stage.amendments_close_at,
            }),
        )
    }

    pub fn of_flag(flag: &Flag) -> Notice {
        Notice::new(
            NoticeKind::FlagCreated,
            Recipients::Secretariat,
            "/secretaria/moderacion".to_owned(),
            json!({ "flag_id": flag.id, "proposal_id": flag.comment.proposal_id, "reason": flag.reason }),
        )
    }

    /// Every eligible organization hears that a ballot opened, and of its
    /// result when it closes.
    pub fn of_ballot(ballot: &BallotRecord, kind: NoticeKind) -> Notice {
        let passed = ballot.view_for(None).result.map(|outcome| outcome.passed);
        let everyone = ballot.eligible.iter().map(|org| org.id).collect();
        Notice::about_ballot(ballot, kind, everyone, ("passed", json!(passed)))
    }

    /// `hours` before the close, to the organizations that have not voted.
    pub fn reminder(ballot: &BallotRecord, hours: i64) -> Notice {
        let voted: Vec<OrganizationId> = ballot.votes.iter().map(|vote| vote.organization_id).collect();
        let waiting = ballot.eligible.iter().map(|org| org.id).filter(|id| !voted.contains(id)).collect();
        Notice::about_ballot(ballot, NoticeKind::BallotReminder, waiting, ("hours", json!(hours)))
    }

    /// A ballot's notice: what every one says of it, and one fact more.
    fn about_ballot(
        ballot: &BallotRecord,
        kind: NoticeKind,
        organizations: Vec<OrganizationId>,
        (key, value): (&str, Value),
    ) -> Notice {
        let mut data = json!({
            "ballot_id": ballot.id,
            "proposal_id": ballot.subject.proposal_id(),
            "title": ballot.question,
            "closes_at": ballot.closes_at,
        });
        data[key] = value;
        let link = ballot.subject.link(ballot.id);
        Notice::new(kind, Recipients::Organizations(organizations), link, data)
    }
}

/// The reminders before a ballot's close, in hours, earliest first.
pub const REMINDER_HOURS: [i64; 2] = [24, 2];

/// What is due of a ballot's reminders at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DueReminders {
    /// The reminder to send now, in hours before the close.
    pub send: Option<i64>,
    /// Reminders whose moment has passed, to mark so they are never sent.
    pub passed: Vec<i64>,
}

/// The reminders due at `now` for a ballot opened at `opened_at` and
/// closing at `closes_at`. Each is due from its moment until the close, and
/// only the latest due is sent, so a server down for a day sends one
/// reminder, not two. One whose moment came before the ballot opened is
/// passed: the opening told everyone.
pub fn due_reminders(now: DateTime<Utc>, opened_at: DateTime<Utc>, closes_at: DateTime<Utc>) -> DueReminders {
    if now >= closes_at {
        return DueReminders::default();
    }
    let moment = |hours: i64| closes_at - Duration::hours(hours);
    let mut passed: Vec<i64> = REMINDER_HOURS.iter().copied().filter(|hours| now >= moment(*hours)).collect();
    let send = passed.pop().filter(|hours| moment(*hours) > opened_at);
    if send.is_none() {
        passed = REMINDER_HOURS.iter().copied().filter(|hours| now >= moment(*hours)).collect();
    }
    DueReminders { send, passed }
}

/// The people named in `text`: an `@` followed by a display name, matched
/// without regard to case, the longest name winning ("@Ana María" is Ana
/// María, not Ana), and ending where a word ends. Unknown names are text.
pub fn mentioned(text: &str, people: &[(UserId, String)]) -> Vec<UserId> {
    let folded = text.to_lowercase();
    let mut names: Vec<(UserId, String)> = people
        .iter()
        .map(|(id, name)| (*id, name.trim().to_lowercase()))
        .filter(|(_, name)| !name.is_empty())
        .collect();
    names.sort_by_key(|(_, name)| std::cmp::Reverse(name.chars().count()));
    let mut found = Vec::new();
    for (at, _) in folded.match_indices('@') {
        let rest = &folded[at + 1..];
        let hit = names.iter().find(|(_, name)| {
            rest.starts_with(name.as_str()) && !rest[name.len()..].chars().next().is_some_and(char::is_alphanumeric)
        });
        if let Some((id, _)) = hit {
            if !found.contains(id) {
                found.push(*id);
            }
        }
    }
    found
}

/// The people whose display name `typed` (after an `@`) could begin: a
/// word of the name starts with it, case aside; names that start with it
/// come first, then by name. At most `limit`.
pub fn mention_candidates<'a, P>(typed: &str, people: &'a [P], name: impl Fn(&P) -> &str, limit: usize) -> Vec<&'a P> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<(bool, String, &P)> = people
        .iter()
        .filter_map(|person| {
            let folded = name(person).trim().to_lowercase();
            let starts = folded.starts_with(&typed);
            let in_a_word = folded.split_whitespace().any(|word| word.starts_with(&typed));
            (starts || in_a_word).then_some((!starts, folded, person))
        })
        .collect();
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    found.into_iter().take(limit).map(|(_, _, person)| person).collect()
}

/// One person's notification, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub id: NoticeId,
    pub kind: NoticeKind,
    pub link: String,
    pub data: Value,
    /// How many notices folded into this one (see `COALESCE_WITHIN`).
    pub count: u32,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
#[path = "notification_tests.rs"]
mod tests;
