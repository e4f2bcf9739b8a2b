//! The inbox's storage (see `domain::notification`). Notices are recorded
//! by `append_events`, in the transaction of the change they are about.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::ids::{NoticeId, UserId};
use crate::domain::notification::Notification;

/// Which of a person's notifications to mark read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToMark {
    These(Vec<NoticeId>),
    All,
}

#[async_trait]
pub trait NotificationStore: Send + Sync + 'static {
    /// Newest first; only those older than `before` when given.
    async fn notifications(
        &self,
        user: UserId,
        unread_only: bool,
        before: Option<NoticeId>,
        limit: u32,
    ) -> StoreResult<Vec<Notification>>;
    async fn unread_count(&self, user: UserId) -> StoreResult<u64>;
    /// How many were unread and are now read; another person's ids mark nothing.
    async fn mark_read(&self, user: UserId, which: &ToMark, at: DateTime<Utc>) -> StoreResult<u64>;
    /// Sends the reminders due at `now` of the open ballots closing within
    /// a day, each once whichever node gets there first; how many were sent.
    async fn send_due_reminders(&self, now: DateTime<Utc>) -> StoreResult<u32>;
}
