//! The inbox, written once for both backends (see `store/mod.rs`).
//! `record_notices_in` runs in the transaction of the change the notices
//! are about (`append_events` calls it), so they commit or vanish with it.

macro_rules! notification_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use chrono::{DateTime, Utc};
            use $crate::domain::ids::{NoticeId, UserId};
            use $crate::domain::notification::{self, Notice, Notification, Recipients, COALESCE_WITHIN};
            use $crate::domain::preferences::{default_delivery, Delivery};
            use $crate::store::rows_notifications::NotificationRow;
            use $crate::store::{NotificationStore, StoreError, StoreResult, ToMark};

            impl $store {
                /// Who `recipients` are now: active people, the actor left out.
                async fn recipients_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    recipients: &Recipients,
                    actor: Option<UserId>,
                ) -> StoreResult<Vec<UserId>> {
                    let ids: Vec<uuid::Uuid> = match recipients {
                        Recipients::Organizations(orgs) => {
                            let mut ids = Vec::new();
                            for org in orgs {
                                let mut of_org: Vec<uuid::Uuid> = sqlx::query_scalar(
                                    "SELECT id FROM users WHERE active AND organization_id = $1 ORDER BY id",
                                )
                                .bind(org.0)
                                .fetch_all(&mut *conn)
                                .await
                                .map_err(Self::err)?;
                                ids.append(&mut of_org);
                            }
                            ids
                        }
                        Recipients::AuthorOf(comment) => sqlx::query_scalar(
                            "SELECT u.id FROM comments c JOIN users u ON u.id = c.author_id WHERE c.id = $1 AND u.active",
                        )
                        .bind(comment.0)
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?,
                        Recipients::MentionedIn(text) => {
                            let people: Vec<(uuid::Uuid, String)> =
                                sqlx::query_as("SELECT id, display_name FROM users WHERE active")
                                    .fetch_all(&mut *conn)
                                    .await
                                    .map_err(Self::err)?;
                            let people: Vec<(UserId, String)> =
                                people.into_iter().map(|(id, name)| (UserId(id), name)).collect();
                            notification::mentioned(text, &people).into_iter().map(|id| id.0).collect()
                        }
                        Recipients::Everyone => sqlx::query_scalar(
                            "SELECT u.id FROM users u JOIN organizations o ON o.id = u.organization_id \
                             WHERE u.active AND o.active ORDER BY u.id",
                        )
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?,
                        Recipients::Secretariat => sqlx::query_scalar(
                            "SELECT id FROM users WHERE active AND role = 'secretariat' ORDER BY id",
                        )
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?,
                    };
                    let mut ids: Vec<UserId> = ids.into_iter().map(UserId).filter(|id| Some(*id) != actor).collect();
                    ids.dedup();
                    Ok(ids)
                }

                /// Records `notices` for their recipients; returns who got a
                /// new notification (a coalesced one only counts up).
                async fn record_notices_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    actor: Option<UserId>,
                    notices: &[Notice],
                ) -> StoreResult<Vec<(UserId, NoticeId)>> {
                    let now = Utc::now();
                    let mut told = Vec::new();
                    if notices.is_empty() {
                        return Ok(told);
                    }
                    let chosen = Self::preferences_in(conn).await?;
                    for notice in notices {
                        let mut recorded = false;
                        for user in Self::recipients_in(conn, &notice.recipients, actor).await? {
                            let delivery = chosen
                                .get(&user)
                                .map_or_else(|| default_delivery(notice.kind), |prefs| prefs.delivery(notice.kind));
                            let mail = match delivery {
                                Delivery::Off => continue,
                                Delivery::App => None,
                                Delivery::Email | Delivery::Digest => Some(delivery.as_str()),
                            };
                            if let Some(thread) = notice.thread {
                                let folded = sqlx::query(
                                    "UPDATE notifications SET count = count + 1 WHERE user_id = $1 AND read_at IS NULL \
                                     AND created_at > $2 AND notice_id IN \
                                     (SELECT id FROM notices WHERE kind = $3 AND thread = $4)",
                                )
                                .bind(user.0)
                                .bind(now - COALESCE_WITHIN)
                                .bind(notice.kind.as_str())
                                .bind(thread)
                                .execute(&mut *conn)
                                .await
                                .map_err(Self::err)?;
                                if folded.rows_affected() > 0 {
                                    continue;
                                }
                            }
                            if !recorded {
                                let data = serde_json::to_string(&notice.data)
                                    .map_err(|err| StoreError::Corrupt(format!("notice data: {err}")))?;
                                sqlx::query(
                                    "INSERT INTO notices (id, kind, thread, link, data, created_at) \
                                     VALUES ($1, $2, $3, $4, $5, $6)",
                                )
                                .bind(notice.id.0)
                                .bind(notice.kind.as_str())
                                .bind(notice.thread)
                                .bind(&notice.link)
                                .bind(data)
                                .bind(now)
                                .execute(&mut *conn)
                                .await
                                .map_err(Self::err)?;
                                recorded = true;
                            }
                            sqlx::query(
                                "INSERT INTO notifications (user_id, notice_id, created_at, mail) VALUES ($1, $2, $3, $4) \
                                 ON CONFLICT DO NOTHING",
                            )
                            .bind(user.0)
                            .bind(notice.id.0)
                            .bind(now)
                            .bind(mail)
                            .execute(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                            told.push((user, notice.id));
                        }
                    }
                    Ok(told)
                }
            }

            #[async_trait::async_trait]
            impl NotificationStore for $store {
                async fn notifications(
                    &self,
                    user: UserId,
                    unread_only: bool,
                    before: Option<NoticeId>,
                    limit: u32,
                ) -> StoreResult<Vec<Notification>> {
                    let rows: Vec<NotificationRow> = sqlx::query_as(
                        "SELECT n.notice_id, x.kind, x.link, x.data, n.count, n.created_at, n.read_at \
                         FROM notifications n JOIN notices x ON x.id = n.notice_id \
                         WHERE n.user_id = $1 AND (NOT $2 OR n.read_at IS NULL) AND ($3 IS NULL OR n.notice_id < $3) \
                         ORDER BY n.notice_id DESC LIMIT $4",
                    )
                    .bind(user.0)
                    .bind(unread_only)
                    .bind(before.map(|id| id.0))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter().map(TryInto::try_into).collect()
                }

                async fn unread_count(&self, user: UserId) -> StoreResult<u64> {
                    let count: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
                            .bind(user.0)
                            .fetch_one(&self.pool)
                            .await
                            .map_err(Self::err)?;
                    Ok(u64::try_from(count).unwrap_or(0))
                }

                async fn mark_read(&self, user: UserId, which: &ToMark, at: DateTime<Utc>) -> StoreResult<u64> {
                    let mut tx = self.begin_write().await?;
                    let mut marked = 0;
                    match which {
                        ToMark::All => {
                            marked = sqlx::query(
                                "UPDATE notifications SET read_at = $2, mailed_at = COALESCE(mailed_at, $2) \
                                 WHERE user_id = $1 AND read_at IS NULL",
                            )
                            .bind(user.0)
                            .bind(at)
                            .execute(&mut *tx)
                            .await
                            .map_err(Self::err)?
                            .rows_affected();
                        }
                        ToMark::These(ids) => {
                            for id in ids {
                                marked += sqlx::query(
                                    "UPDATE notifications SET read_at = $3, mailed_at = COALESCE(mailed_at, $3) \
                                     WHERE user_id = $1 AND notice_id = $2 AND read_at IS NULL",
                                )
                                .bind(user.0)
                                .bind(id.0)
                                .bind(at)
                                .execute(&mut *tx)
                                .await
                                .map_err(Self::err)?
                                .rows_affected();
                            }
                        }
                    }
                    tx.commit().await.map_err(Self::err)?;
                    Ok(marked)
                }

                async fn send_due_reminders(&self, now: DateTime<Utc>) -> StoreResult<u32> {
                    let horizon = now + chrono::Duration::hours(notification::REMINDER_HOURS[0]);
                    let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                        "SELECT id FROM ballots WHERE status = 'open' AND closes_at > $1 AND closes_at <= $2 \
                         ORDER BY closes_at",
                    )
                    .bind(now)
                    .bind(horizon)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    let mut sent = 0;
                    for id in ids {
                        let mut tx = self.begin_write().await?;
                        // Locked: a vote cast now is counted before the reminder
                        // picks who has not voted.
                        let ballot = Self::ballot_in(&mut *tx, id, true).await?;
                        let Some(closes_at) = ballot.closes_at.filter(|_| ballot.closed_at.is_none()) else {
                            continue;
                        };
                        let due = notification::due_reminders(now, ballot.opened_at, closes_at);
                        for hours in &due.passed {
                            Self::claim_reminder_in(&mut *tx, id, *hours, now).await?;
                        }
                        if let Some(hours) = due.send {
                            if Self::claim_reminder_in(&mut *tx, id, hours, now).await? {
                                let told =
                                    Self::record_notices_in(&mut *tx, None, &[Notice::reminder(&ballot, hours)]).await?;
                                // Everyone voted: claimed, but nobody to remind.
                                sent += u32::from(!told.is_empty());
                            }
                        }
                        tx.commit().await.map_err(Self::err)?;
                    }
                    Ok(sent)
                }
            }

            impl $store {
                /// Whether this node is the one to send the reminder: the
                /// row is made once, by whichever transaction gets there first.
                async fn claim_reminder_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    ballot: uuid::Uuid,
                    hours: i64,
                    now: DateTime<Utc>,
                ) -> StoreResult<bool> {
                    let made = sqlx::query(
                        "INSERT INTO ballot_reminders (ballot_id, hours, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(ballot)
                    .bind(hours)
                    .bind(now)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(made.rows_affected() == 1)
                }
            }
        };
    };
}

pub(crate) use notification_store;
