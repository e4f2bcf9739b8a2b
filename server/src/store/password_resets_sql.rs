//! Links to set a new password, written once for both backends (see
//! `store/mod.rs`). The rule for whether a link works is
//! `domain::account::check_reset_link`.

macro_rules! password_reset_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use chrono::{DateTime, Utc};
            use $crate::domain::account::{check_reset_link, User};
            use $crate::domain::account_events::AccountEvent;
            use $crate::domain::ids::UserId;
            use $crate::domain::mail::NewMail;
            use $crate::store::{PasswordResetStore, StoreError, StoreResult};

            #[async_trait::async_trait]
            impl PasswordResetStore for $store {
                async fn create_password_reset(
                    &self,
                    user: UserId,
                    token_hash: &str,
                    expires_at: DateTime<Utc>,
                    mail: Option<NewMail>,
                    made_by: Option<&User>,
                ) -> StoreResult<()> {
                    let now = Utc::now();
                    let mut tx = self.begin_write().await?;
                    sqlx::query("UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
                        .bind(user.0)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    sqlx::query(
                        "INSERT INTO password_resets (id, user_id, token_hash, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(uuid::Uuid::now_v7())
                    .bind(user.0)
                    .bind(token_hash)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    if let Some(mail) = &mail {
                        Self::enqueue_mail_in(&mut tx, mail).await?;
                    }
                    match made_by {
                        Some(actor) => {
                            let target = Self::user_in(&mut tx, user.0).await?;
                            self.commit_accounts(tx, Some(actor), &[AccountEvent::UserAccessLink(&target)]).await
                        }
                        None => tx.commit().await.map_err(Self::err),
                    }
                }

                async fn set_password(&self, user: UserId, password_hash: &str) -> StoreResult<User> {
                    let mut tx = self.begin_write().await?;
                    let done = sqlx::query(
                        "UPDATE users SET password_hash = $2, token_version = token_version + 1 WHERE id = $1",
                    )
                    .bind(user.0)
                    .bind(password_hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound("user"));
                    }
                    // Links made before no longer set a password.
                    sqlx::query("UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
                        .bind(user.0)
                        .bind(Utc::now())
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    let user = Self::user_in(&mut tx, user.0).await?;
                    tx.commit().await.map_err(Self::err)?;
                    Ok(user)
                }

                async fn use_password_reset(
                    &self,
                    token_hash: &str,
                    password_hash: &str,
                    now: DateTime<Utc>,
                ) -> StoreResult<User> {
                    let mut tx = self.begin_write().await?;
                    let found: Option<(uuid::Uuid, Option<DateTime<Utc>>, DateTime<Utc>)> = sqlx::query_as(concat!(
                        "SELECT user_id, used_at, expires_at FROM password_resets WHERE token_hash = $1",
                        $for_update
                    ))
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let (user_id, used_at, expires_at) = found.ok_or(StoreError::NotFound("password link"))?;
                    let user = Self::user_in(&mut tx, user_id).await?;
                    check_reset_link(used_at, expires_at, user.active, now).map_err(StoreError::ResetUnusable)?;
                    sqlx::query("UPDATE users SET password_hash = $2, token_version = token_version + 1 WHERE id = $1")
                        .bind(user_id)
                        .bind(password_hash)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    sqlx::query("UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL")
                        .bind(user_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    let user = Self::user_in(&mut tx, user_id).await?;
                    tx.commit().await.map_err(Self::err)?;
                    Ok(user)
                }
            }
        };
    };
}

pub(crate) use password_reset_store;
