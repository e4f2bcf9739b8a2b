//! The inbox's rows.

use chrono::{DateTime, Utc};

use super::error::{StoreError, StoreResult};
use super::notice_delivery::{Addressed, ToMail};
use crate::domain::ids::{NoticeId, UserId};
use crate::domain::lang::Lang;
use crate::domain::notification::{NoticeKind, Notification};
use crate::domain::preferences::Delivery;

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    notice_id: uuid::Uuid,
    kind: String,
    link: String,
    data: String,
    count: i64,
    created_at: DateTime<Utc>,
    read_at: Option<DateTime<Utc>>,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = StoreError;

    fn try_from(row: NotificationRow) -> StoreResult<Self> {
        Ok(Notification {
            id: NoticeId(row.notice_id),
            kind: NoticeKind::parse(&row.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("notice kind: {:?}", row.kind)))?,
            link: row.link,
            data: serde_json::from_str(&row.data).map_err(|err| StoreError::Corrupt(format!("notice data: {err}")))?,
            count: u32::try_from(row.count).unwrap_or(u32::MAX),
            created_at: row.created_at,
            read_at: row.read_at,
        })
    }
}

/// A notification with its reader (the live feed, the mails).
#[derive(sqlx::FromRow)]
pub(crate) struct AddressedRow {
    user_id: uuid::Uuid,
    lang: String,
    email: String,
    mail: Option<String>,
    #[sqlx(flatten)]
    notification: NotificationRow,
}

impl TryFrom<AddressedRow> for Addressed {
    type Error = StoreError;

    fn try_from(row: AddressedRow) -> StoreResult<Self> {
        Ok(Addressed {
            user: UserId(row.user_id),
            lang: Lang::parse(&row.lang).unwrap_or_default(),
            notification: row.notification.try_into()?,
        })
    }
}

impl TryFrom<AddressedRow> for ToMail {
    type Error = StoreError;

    fn try_from(row: AddressedRow) -> StoreResult<Self> {
        let via = row
            .mail
            .as_deref()
            .and_then(Delivery::parse)
            .ok_or_else(|| StoreError::Corrupt(format!("notification mail: {:?}", row.mail)))?;
        let email = row.email.clone();
        let Addressed { user, lang, notification } = row.try_into()?;
        Ok(ToMail { user, email, lang, via, notification })
    }
}
