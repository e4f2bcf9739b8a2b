//! Links to set a new password (see `password_resets_sql.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use crate::domain::account::User;
use crate::domain::ids::UserId;
use crate::domain::mail::NewMail;

#[async_trait]
pub trait PasswordResetStore: Send + Sync + 'static {
    /// Keeps a link (its token's hash) for `user`, its mail written with it;
    /// the person's older links end. Made by the secretariat (`made_by`),
    /// it is an `accounts` event.
    async fn create_password_reset(
        &self,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        mail: Option<NewMail>,
        made_by: Option<&User>,
    ) -> StoreResult<()>;
    /// Sets `user`'s password hash and ends every session of theirs.
    async fn set_password(&self, user: UserId, password_hash: &str) -> StoreResult<User>;
    /// Sets the password the link was for, if it still works: every link of
    /// that person ends, and so do their sessions. NotFound for a link that
    /// never was, ResetUnusable for one that no longer works.
    async fn use_password_reset(&self, token_hash: &str, password_hash: &str, now: DateTime<Utc>) -> StoreResult<User>;
}
