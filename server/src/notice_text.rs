//! What a notification says, in its reader's language: the inbox and the
//! mails say it the same way. A notice stores only its kind and facts
//! (`domain::notification`), so the words follow the reader, not the writer.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::domain::local_time::in_ecuador;
use crate::domain::notification::{NoticeKind, Notification};
use crate::i18n::{fill, t, Lang};

/// The title and the line under it.
pub fn say(notification: &Notification, lang: Lang) -> (String, String) {
    let data = &notification.data;
    let text = |key: &str| data.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let closes_at =
        data.get("closes_at").and_then(Value::as_str).and_then(|at| at.parse::<DateTime<Utc>>().ok()).map(in_ecuador);
    let title = text("title");
    let author = text("author");
    let (headline, body) = match notification.kind {
        NoticeKind::BallotOpened => (
            fill(lang, "notice.ballot.opened", &[("title", &title)]),
            match &closes_at {
                Some(at) => fill(lang, "notice.ballot.opened.body", &[("closes_at", at)]),
                None => t(lang, "notice.ballot.opened.body_open"),
            },
        ),
        NoticeKind::BallotReminder => {
            let hours = data.get("hours").and_then(Value::as_i64).unwrap_or_default().to_string();
            let at = closes_at.unwrap_or_default();
            (
                fill(lang, "notice.ballot.reminder", &[("title", &title)]),
                fill(lang, "notice.ballot.reminder.body", &[("hours", &hours), ("closes_at", &at)]),
            )
        }
        NoticeKind::BallotClosed => {
            let outcome = match data.get("passed").and_then(Value::as_bool) {
                Some(true) => "notice.ballot.closed.passed",
                Some(false) => "notice.ballot.closed.rejected",
                None => "notice.ballot.closed.cancelled",
            };
            (fill(lang, "notice.ballot.closed", &[("title", &title)]), t(lang, outcome))
        }
        NoticeKind::CommentReply | NoticeKind::CommentMention => {
            let key = if notification.kind == NoticeKind::CommentReply {
                "notice.comment.reply"
            } else {
                "notice.comment.mention"
            };
            let more = notification.count.saturating_sub(1);
            let body = if more > 0 {
                fill(lang, "notice.comment.more", &[("count", &more.to_string())])
            } else {
                String::new()
            };
            (fill(lang, key, &[("author", &author)]), body)
        }
        NoticeKind::ProposalStatus => {
            let status = t(lang, &format!("notice.status.{}", text("status")));
            (fill(lang, "notice.proposal.status", &[("title", &title), ("status", &status)]), String::new())
        }
        NoticeKind::FlagCreated => (t(lang, "notice.flag.created"), text("reason")),
        NoticeKind::SessionConvened => {
            let starts_at = data
                .get("starts_at")
                .and_then(Value::as_str)
                .and_then(|at| at.parse::<DateTime<Utc>>().ok())
                .map(in_ecuador)
                .unwrap_or_default();
            let place = text("place");
            (
                fill(lang, "notice.session.convened.title", &[("title", &title)]),
                fill(lang, "notice.session.convened.body", &[("starts_at", &starts_at), ("place", &place)]),
            )
        }
        NoticeKind::DocumentPhase => {
            let phase = t(lang, &format!("phase.{}", text("phase")));
            let body = match &closes_at {
                Some(at) => fill(lang, "notice.document.phase.closes", &[("closes_at", at)]),
                None => String::new(),
            };
            (fill(lang, "notice.document.phase", &[("title", &title), ("phase", &phase)]), body)
        }
    };
    (headline, body)
}
