//! The inbox's rows.

use chrono::{DateTime, Utc};

use super::error::{StoreError, StoreResult};
use crate::domain::ids::NoticeId;
use crate::domain::notification::{NoticeKind, Notification};

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
