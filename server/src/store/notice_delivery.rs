//! How notifications leave the inbox: each person's preferences, the live
//! feed of the websocket topic `me`, and the mails (at once, or in the
//! day's digest). A notification to mail is marked so in the transaction
//! that records it; `mail_notices` turns it into an outbox mail once,
//! whichever node gets there first, so nothing is mailed twice or lost.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::ids::{NoticeId, UserId};
use crate::domain::lang::Lang;
use crate::domain::mail::NewMail;
use crate::domain::notification::Notification;
use crate::domain::preferences::{Delivery, Preferences};

/// A notification with whom it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Addressed {
    pub user: UserId,
    pub lang: Lang,
    pub notification: Notification,
}

/// A notification waiting to be mailed.
#[derive(Debug, Clone, PartialEq)]
pub struct ToMail {
    pub user: UserId,
    pub email: String,
    pub lang: Lang,
    /// `Email` (at once) or `Digest`.
    pub via: Delivery,
    pub notification: Notification,
}

/// Someone who may be mentioned: an active person, with their organization.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Mentionable {
    #[schema(value_type = uuid::Uuid)]
    pub id: UserId,
    pub display_name: String,
    /// The organization's short name.
    pub organization: String,
}

#[async_trait]
pub trait NoticeDeliveryStore: Send + Sync + 'static {
    /// The defaults when the person never chose.
    async fn preferences(&self, user: UserId) -> StoreResult<Preferences>;
    async fn set_preferences(&self, user: UserId, preferences: &Preferences, at: DateTime<Utc>) -> StoreResult<()>;
    /// Notifications recorded at or after `since`, oldest first (a
    /// coalesced one is not new again).
    async fn notifications_since(&self, since: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Addressed>>;
    /// Unread notifications of active people to mail now: those by mail at
    /// once, and those for the digest recorded up to `digest_cutoff`.
    async fn notice_mails_due(&self, digest_cutoff: DateTime<Utc>, limit: u32) -> StoreResult<Vec<ToMail>>;
    /// Marks `these` mailed and writes `mail` (if any: `None` lets them go
    /// unmailed) to the outbox in one transaction; `false`, and nothing
    /// written, when another node had mailed any of them first.
    /// Every active person, by name (the `@` autocomplete picks among them).
    async fn mentionable(&self) -> StoreResult<Vec<Mentionable>>;
    async fn mail_notices(&self, these: &[(UserId, NoticeId)], mail: Option<&NewMail>) -> StoreResult<bool>;
}
