//! The outbox's storage (see `domain::mail`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Page, StoreResult};
use crate::domain::ids::MailId;
use crate::domain::mail::{MailStatus, OutboxEntry, Outgoing};

#[async_trait]
pub trait OutboxStore: Send + Sync + 'static {
    /// Claims up to `limit` mails due at `now` for delivery until
    /// `lease_until`, counting the try: a mail another node holds is
    /// skipped, and one whose sender died is claimed again once its lease
    /// ends.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<Outgoing>>;
    async fn mail_sent(&self, id: MailId, at: DateTime<Utc>) -> StoreResult<()>;
    /// Records a failed try: tried again at `retry_at`, or failed for good when `None`.
    async fn mail_not_sent(&self, id: MailId, error: &str, retry_at: Option<DateTime<Utc>>) -> StoreResult<()>;
    /// A failed mail goes back to pending with its tries counted afresh;
    /// `false` when it was not failed.
    async fn retry_mail(&self, id: MailId, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Oldest first, after `page.after`; every status when `None`.
    async fn outbox(&self, status: Option<MailStatus>, page: Page) -> StoreResult<Vec<OutboxEntry>>;
}
