//! The outbox, written once for both backends (see `store/mod.rs`).
//! PostgreSQL nodes claim mail with `FOR UPDATE SKIP LOCKED`, so two
//! senders never take the same mail; SQLite has one writer at a time.

macro_rules! outbox_columns {
    () => {
        "SELECT id, kind, recipient, subject, status, attempts, last_error, link, secret, message_id, created_at, \
         next_attempt_at, sent_at FROM outbox"
    };
}

macro_rules! outbox_store {
    ($store:ty, $db:ty, skip_locked = $skip_locked:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use chrono::{DateTime, Utc};
            use $crate::domain::ids::MailId;
            use $crate::domain::mail::{MailStatus, NewMail, OutboxEntry, Outgoing};
            use $crate::store::rows_outbox::{OutboxRow, OutgoingRow};
            use $crate::store::{outbox_sql, OutboxStore, Page, StoreResult};

            impl $store {
                /// Writes `mail` in the transaction of what caused it.
                async fn enqueue_mail_in(conn: &mut <$db as sqlx::Database>::Connection, mail: &NewMail) -> StoreResult<()> {
                    let now = Utc::now();
                    sqlx::query(
                        "INSERT INTO outbox (id, kind, recipient, subject, text_body, html_body, link, secret, \
                         message_id, unsubscribe, created_at, next_attempt_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                    )
                    .bind(mail.id.0)
                    .bind(mail.kind.as_str())
                    .bind(&mail.recipient)
                    .bind(&mail.subject)
                    .bind(&mail.text)
                    .bind(&mail.html)
                    .bind(&mail.link)
                    .bind(mail.secret)
                    .bind(&mail.message_id)
                    .bind(&mail.unsubscribe)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(())
                }
            }

            #[async_trait::async_trait]
            impl OutboxStore for $store {
                async fn claim_mail(
                    &self,
                    now: DateTime<Utc>,
                    lease_until: DateTime<Utc>,
                    limit: u32,
                ) -> StoreResult<Vec<Outgoing>> {
                    let mut tx = self.begin_write().await?;
                    let rows: Vec<OutgoingRow> = sqlx::query_as(concat!(
                        "UPDATE outbox SET lease_until = $2, attempts = attempts + 1 WHERE id IN \
                         (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
                          AND (lease_until IS NULL OR lease_until <= $1) ORDER BY next_attempt_at, id LIMIT $3",
                        $skip_locked,
                        ") RETURNING id, recipient, subject, text_body, html_body, message_id, unsubscribe, attempts"
                    ))
                    .bind(now)
                    .bind(lease_until)
                    .bind(i64::from(limit))
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    tx.commit().await.map_err(Self::err)?;
                    let mut mail: Vec<Outgoing> = rows.into_iter().map(Into::into).collect();
                    mail.sort_by_key(|m| m.id);
                    Ok(mail)
                }

                async fn mail_sent(&self, id: MailId, at: DateTime<Utc>) -> StoreResult<()> {
                    sqlx::query(
                        "UPDATE outbox SET status = 'sent', sent_at = $2, lease_until = NULL, last_error = NULL \
                         WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(at)
                    .execute(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    Ok(())
                }

                async fn mail_not_sent(
                    &self,
                    id: MailId,
                    error: &str,
                    retry_at: Option<DateTime<Utc>>,
                ) -> StoreResult<()> {
                    let status = if retry_at.is_some() { MailStatus::Pending } else { MailStatus::Failed };
                    sqlx::query(
                        "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at = COALESCE($4, next_attempt_at), \
                         lease_until = NULL WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(status.as_str())
                    .bind(error)
                    .bind(retry_at)
                    .execute(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    Ok(())
                }

                async fn retry_mail(&self, id: MailId, now: DateTime<Utc>) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL \
                         WHERE id = $1 AND status = 'failed'",
                    )
                    .bind(id.0)
                    .bind(now)
                    .execute(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    Ok(done.rows_affected() == 1)
                }

                async fn outbox(&self, status: Option<MailStatus>, page: Page) -> StoreResult<Vec<OutboxEntry>> {
                    let rows: Vec<OutboxRow> = sqlx::query_as(concat!(
                        outbox_sql::outbox_columns!(),
                        " WHERE ($1 IS NULL OR status = $1) AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3"
                    ))
                    .bind(status.map(MailStatus::as_str))
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }
            }
        };
    };
}

pub(crate) use {outbox_columns, outbox_store};
