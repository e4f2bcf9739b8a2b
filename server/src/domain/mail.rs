//! Mail as the outbox keeps it: what kinds there are, where each stands, and
//! when a failed delivery is tried again. Written to the outbox in the
//! transaction of what caused it and sent after commit, a mail is never lost
//! to a crash or a mail server that is down; its `Message-ID` is made once,
//! so a retry is recognisably the same mail.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::ids::MailId;
use super::string_enum::string_enum;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    Invitation,
    PasswordReset,
    /// One notification, mailed at once.
    Notification,
    /// The day's unread notifications of the kinds a person reads in a digest.
    Digest,
}
string_enum!(MailKind {
    Invitation => "invitation", PasswordReset => "password_reset", Notification => "notification", Digest => "digest",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Not yet delivered: waiting for its first try, or for the next one.
    Pending,
    Sent,
    /// Given up after `MAX_ATTEMPTS`; the secretariat may try it again.
    Failed,
}
string_enum!(MailStatus { Pending => "pending", Sent => "sent", Failed => "failed" });

/// Tries before a mail counts as failed: with the default `retry_delay`,
/// about a day and a half of a mail server being down.
pub const MAX_ATTEMPTS: u32 = 10;

/// The first wait after a failed try, by default (`MINGA_MAIL_RETRY_SECS`).
pub const FIRST_RETRY: Duration = Duration::from_secs(30);

/// The wait after the `attempts`-th failed try: `first`, doubling, at most 6 h.
pub fn retry_delay(first: Duration, attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(16);
    first.saturating_mul(1 << doublings).min(Duration::from_secs(6 * 3600))
}

/// When a mail is tried again after its `attempts`-th failed try; `None`
/// when that was the last.
pub fn after_failure(first: Duration, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (attempts < MAX_ATTEMPTS)
        .then(|| now + chrono::Duration::from_std(retry_delay(first, attempts)).unwrap_or(chrono::Duration::hours(6)))
}

/// A mail to write to the outbox, rendered whole.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub id: MailId,
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link the mail carries. Shown to the secretariat in the outbox (so
    /// that without a mail server it can be handed over) unless `secret`.
    pub link: Option<String>,
    /// The link is the recipient's alone (a password reset).
    pub secret: bool,
    /// `<id@host>`: unique, and the same on every try.
    pub message_id: String,
    /// The one-click unsubscribe link (RFC 8058) of a notification mail.
    pub unsubscribe: Option<String>,
}

/// What a mail says, before it has an id.
#[derive(Debug, Clone)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl NewMail {
    /// A new mail of `kind` to `recipient`; `host` names the deployment in
    /// its `Message-ID`.
    pub fn new(kind: MailKind, recipient: &str, composed: Composed, link: Option<String>, host: &str) -> NewMail {
        let id = MailId::new();
        NewMail {
            id,
            kind,
            recipient: recipient.to_owned(),
            subject: composed.subject,
            text: composed.text,
            html: composed.html,
            link,
            secret: false,
            message_id: format!("<{id}@{host}>"),
            unsubscribe: None,
        }
    }
}

/// A mail as the secretariat sees it in the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OutboxEntry {
    #[schema(value_type = uuid::Uuid)]
    pub id: MailId,
    pub kind: MailKind,
    pub recipient: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// None for a mail whose link is its recipient's alone.
    pub link: Option<String>,
    pub message_id: String,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// A mail claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: MailId,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub unsubscribe: Option<String>,
    /// Tries so far, this one included.
    pub attempts: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_then_give_up() {
        assert_eq!(retry_delay(FIRST_RETRY, 1), Duration::from_secs(30));
        assert_eq!(retry_delay(FIRST_RETRY, 2), Duration::from_secs(60));
        assert_eq!(retry_delay(FIRST_RETRY, 5), Duration::from_secs(480));
        assert_eq!(retry_delay(FIRST_RETRY, 40), Duration::from_secs(6 * 3600), "capped");
        let now = Utc::now();
        assert_eq!(after_failure(FIRST_RETRY, 1, now), Some(now + chrono::Duration::seconds(30)));
        assert!(after_failure(FIRST_RETRY, MAX_ATTEMPTS - 1, now).is_some());
        assert_eq!(after_failure(FIRST_RETRY, MAX_ATTEMPTS, now), None, "the last try failed: given up");
    }
}
