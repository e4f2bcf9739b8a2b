//! Preferences, the live feed and notification mail, written once for both
//! backends (see `store/notice_delivery.rs`).

/// A notification with its reader's language, address and how to mail it.
macro_rules! addressed_columns {
    () => {
        "SELECT n.user_id, COALESCE(p.lang, 'es') AS lang, u.email, n.mail, n.notice_id, x.kind, x.link, x.data, \
         n.count, n.created_at, n.read_at \
         FROM notifications n JOIN notices x ON x.id = n.notice_id JOIN users u ON u.id = n.user_id \
         LEFT JOIN preferences p ON p.user_id = n.user_id"
    };
}

macro_rules! notice_delivery_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use std::collections::HashMap;

            use chrono::{DateTime, Utc};
            use $crate::domain::ids::{NoticeId, UserId};
            use $crate::domain::mail::NewMail;
            use $crate::domain::preferences::Preferences;
            use $crate::store::notice_delivery::{Addressed, Mentionable, NoticeDeliveryStore, ToMail};
            use $crate::store::rows_notifications::AddressedRow;
            use $crate::store::{notice_delivery_sql, StoreResult};

            impl $store {
                /// Everyone's choices, read once for a batch of notices
                /// (the table holds a row per person who ever chose).
                async fn preferences_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                ) -> StoreResult<HashMap<UserId, Preferences>> {
                    let rows: Vec<(uuid::Uuid, String, String)> =
                        sqlx::query_as("SELECT user_id, lang, notifications FROM preferences")
                            .fetch_all(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                    Ok(rows
                        .into_iter()
                        .map(|(user, lang, chosen)| (UserId(user), Preferences::from_stored(&lang, &chosen)))
                        .collect())
                }
            }

            #[async_trait::async_trait]
            impl NoticeDeliveryStore for $store {
                async fn preferences(&self, user: UserId) -> StoreResult<Preferences> {
                    let row: Option<(String, String)> =
                        sqlx::query_as("SELECT lang, notifications FROM preferences WHERE user_id = $1")
                            .bind(user.0)
                            .fetch_optional(&self.pool)
                            .await
                            .map_err(Self::err)?;
                    Ok(row.map(|(lang, chosen)| Preferences::from_stored(&lang, &chosen)).unwrap_or_default())
                }

                async fn set_preferences(
                    &self,
                    user: UserId,
                    preferences: &Preferences,
                    at: DateTime<Utc>,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "INSERT INTO preferences (user_id, lang, notifications, updated_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang, \
                         notifications = excluded.notifications, updated_at = excluded.updated_at",
                    )
                    .bind(user.0)
                    .bind(preferences.lang.as_str())
                    .bind(preferences.chosen_json())
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    tx.commit().await.map_err(Self::err)?;
                    Ok(())
                }

                async fn notifications_since(&self, since: DateTime<Utc>, limit: u32) -> StoreResult<Vec<Addressed>> {
                    let rows: Vec<AddressedRow> = sqlx::query_as(concat!(
                        notice_delivery_sql::addressed_columns!(),
                        " WHERE n.created_at >= $1 ORDER BY n.created_at, n.notice_id LIMIT $2"
                    ))
                    .bind(since)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn notice_mails_due(&self, digest_cutoff: DateTime<Utc>, limit: u32) -> StoreResult<Vec<ToMail>> {
                    let rows: Vec<AddressedRow> = sqlx::query_as(concat!(
                        notice_delivery_sql::addressed_columns!(),
                        " WHERE n.mail IS NOT NULL AND n.mailed_at IS NULL AND n.read_at IS NULL AND u.active \
                          AND (n.mail = 'email' OR n.created_at <= $1) ORDER BY n.created_at, n.notice_id LIMIT $2"
                    ))
                    .bind(digest_cutoff)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn mentionable(&self) -> StoreResult<Vec<Mentionable>> {
                    let rows: Vec<(uuid::Uuid, String, String)> = sqlx::query_as(
                        "SELECT u.id, u.display_name, o.short_name FROM users u \
                         JOIN organizations o ON o.id = u.organization_id WHERE u.active ORDER BY u.display_name, u.id",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    Ok(rows
                        .into_iter()
                        .map(|(id, display_name, organization)| Mentionable { id: UserId(id), display_name, organization })
                        .collect())
                }

                async fn mail_notices(
                    &self,
                    these: &[(UserId, NoticeId)],
                    mail: Option<&NewMail>,
                ) -> StoreResult<bool> {
                    // In one order on every node, so two never wait on each other.
                    let mut these = these.to_vec();
                    these.sort();
                    let now = Utc::now();
                    let mut tx = self.begin_write().await?;
                    for (user, notice) in &these {
                        let marked = sqlx::query(
                            "UPDATE notifications SET mailed_at = $3 \
                             WHERE user_id = $1 AND notice_id = $2 AND mailed_at IS NULL",
                        )
                        .bind(user.0)
                        .bind(notice.0)
                        .bind(now)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                        if marked.rows_affected() != 1 {
                            // Another node mailed it; dropping the transaction undoes the rest.
                            return Ok(false);
                        }
                    }
                    if let Some(mail) = mail {
                        Self::enqueue_mail_in(&mut *tx, mail).await?;
                    }
                    tx.commit().await.map_err(Self::err)?;
                    Ok(true)
                }
            }
        };
    };
}

pub(crate) use {addressed_columns, notice_delivery_store};
