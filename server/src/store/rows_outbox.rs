//! The outbox's rows.

use chrono::{DateTime, Utc};

use super::error::{StoreError, StoreResult};
use crate::domain::ids::MailId;
use crate::domain::mail::{MailKind, MailStatus, OutboxEntry, Outgoing};

#[derive(sqlx::FromRow)]
pub(crate) struct OutboxRow {
    id: uuid::Uuid,
    kind: String,
    recipient: String,
    subject: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    link: Option<String>,
    secret: bool,
    message_id: String,
    created_at: DateTime<Utc>,
    next_attempt_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
}

impl TryFrom<OutboxRow> for OutboxEntry {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> StoreResult<Self> {
        let corrupt = |what: &str, value: &str| StoreError::Corrupt(format!("outbox {what}: {value:?}"));
        Ok(OutboxEntry {
            id: MailId(row.id),
            kind: MailKind::parse(&row.kind).ok_or_else(|| corrupt("kind", &row.kind))?,
            recipient: row.recipient,
            subject: row.subject,
            status: MailStatus::parse(&row.status).ok_or_else(|| corrupt("status", &row.status))?,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            last_error: row.last_error,
            link: if row.secret { None } else { row.link },
            message_id: row.message_id,
            created_at: row.created_at,
            next_attempt_at: row.next_attempt_at,
            sent_at: row.sent_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OutgoingRow {
    id: uuid::Uuid,
    recipient: String,
    subject: String,
    text_body: String,
    html_body: String,
    message_id: String,
    unsubscribe: Option<String>,
    attempts: i64,
}

impl From<OutgoingRow> for Outgoing {
    fn from(row: OutgoingRow) -> Self {
        Outgoing {
            id: MailId(row.id),
            recipient: row.recipient,
            subject: row.subject,
            text: row.text_body,
            html: row.html_body,
            message_id: row.message_id,
            unsubscribe: row.unsubscribe,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        }
    }
}
