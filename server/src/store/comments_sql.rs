//! Comments, their history and flags, written once for both backends (see
//! `accounts_sql.rs`). The rules come from `domain::comment`.

macro_rules! comment_select {
    () => {
        "SELECT c.id, c.proposal_id, c.parent_id, c.author_id, u.display_name AS author_name, c.body, \
         c.anchor_revision, c.anchor_quote, c.created_at, c.edited_at, c.deleted, c.hidden, c.hidden_reason, \
         o.id AS org_id, o.name AS org_name, o.short_name AS org_short_name, o.kind AS org_kind, \
         o.active AS org_active \
         FROM comments c JOIN users u ON u.id = c.author_id JOIN organizations o ON o.id = c.organization_id"
    };
}

macro_rules! comment_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        impl $store {
            async fn comment_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Comment> {
                let sql = concat!($crate::store::comments_sql::comment_select!(), " WHERE c.id = $1");
                Self::one_by_id::<$crate::store::rows_drafting::CommentRow, _>(conn, sql, id, "comment").await
            }

            /// Locks the comment's proposal (the thread), then reads the comment.
            async fn lock_comment(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
            ) -> $crate::store::StoreResult<($crate::domain::proposal::Proposal, $crate::domain::comment::Comment)>
            {
                let proposal: Option<uuid::Uuid> = sqlx::query_scalar("SELECT proposal_id FROM comments WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                let proposal = proposal.ok_or($crate::store::StoreError::NotFound("comment"))?;
                let proposal = Self::lock_proposal(conn, proposal).await?;
                Ok((proposal, Self::comment_in(conn, id).await?))
            }

            /// Re-reads the comment, announces it on its proposal's topic
            /// (and any extra events), commits and publishes.
            async fn finish_comment_change(
                &self,
                mut tx: sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                kind: &'static str,
                actor: &$crate::domain::account::User,
                mut extra: Vec<$crate::domain::event::NewEvent>,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Comment> {
                use $crate::domain::event::{NewEvent, Topic};
                let comment = Self::comment_in(&mut tx, id).await?;
                extra.push(NewEvent::about_comment(Topic::Proposal(comment.proposal_id), kind, &comment));
                let events = Self::append_events(&mut tx, Some(actor), extra).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(comment)
            }

            async fn flag_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Flag> {
                let row: Option<$crate::store::rows_drafting::FlagRow> = sqlx::query_as(
                    "SELECT f.id, f.comment_id, f.user_id, u.display_name AS user_name, f.reason, f.status, \
                     f.action, f.created_at, f.resolved_at FROM flags f JOIN users u ON u.id = f.user_id \
                     WHERE f.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(Self::err)?;
                let row = row.ok_or($crate::store::StoreError::NotFound("flag"))?;
                let comment = Self::comment_in(conn, row.comment_id).await?;
                row.into_flag(comment)
            }

            async fn set_hidden_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
                reason: Option<&str>,
            ) -> $crate::store::StoreResult<()> {
                sqlx::query("UPDATE comments SET hidden = $2, hidden_reason = $3 WHERE id = $1")
                    .bind(id)
                    .bind(reason.is_some())
                    .bind(reason)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::DiscussionStore for $store {
            async fn comments(
                &self,
                proposal: $crate::domain::ids::ProposalId,
                page: $crate::store::Page,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::comment::Comment>> {
                let mut conn = self.begin_read().await?;
                Self::proposal_in(&mut conn, proposal.0).await?;
                let rows: Vec<$crate::store::rows_drafting::CommentRow> = sqlx::query_as(concat!(
                    $crate::store::comments_sql::comment_select!(),
                    " WHERE c.proposal_id = $1 AND ($2 IS NULL OR c.id > $2) ORDER BY c.id LIMIT $3"
                ))
                .bind(proposal.0)
                .bind(page.after)
                .bind(i64::from(page.limit))
                .fetch_all(&mut *conn)
                .await
                .map_err(Self::err)?;
                $crate::store::rows::convert_all(rows)
            }

            async fn comment(
                &self,
                id: $crate::domain::ids::CommentId,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Comment> {
                let mut conn = self.begin_read().await?;
                Self::comment_in(&mut conn, id.0).await
            }

            async fn create_comment(
                &self,
                proposal: $crate::domain::ids::ProposalId,
                new: $crate::store::NewComment,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Comment> {
                use $crate::domain::comment as rules;
                use $crate::store::StoreError;
                let mut tx = self.begin_write().await?;
                rules::check_thread_open(Self::lock_thread(&mut tx, proposal.0).await?)?;
                if let Some(parent) = new.parent_id {
                    let parent_proposal: Option<uuid::Uuid> =
                        sqlx::query_scalar("SELECT proposal_id FROM comments WHERE id = $1")
                            .bind(parent.0)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                    if parent_proposal != Some(proposal.0) {
                        return Err(StoreError::Invalid($crate::domain::limits::Invalid::new(
                            "parent_id",
                            "the comment replied to is not in this proposal's discussion",
                        )));
                    }
                }
                if let Some(anchor) = &new.anchor {
                    let body: Option<String> =
                        sqlx::query_scalar("SELECT body FROM proposal_revisions WHERE proposal_id = $1 AND number = $2")
                            .bind(proposal.0)
                            .bind(anchor.revision)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                    rules::check_anchor(anchor, body.as_deref()).map_err(StoreError::Invalid)?;
                }
                let comment = rules::Comment::first_written(
                    $crate::domain::ids::CommentId::new(),
                    proposal,
                    new.parent_id,
                    actor,
                    new.body,
                    new.anchor,
                    chrono::Utc::now(),
                );
                sqlx::query(
                    "INSERT INTO comments (id, proposal_id, parent_id, author_id, organization_id, body, \
                     anchor_revision, anchor_quote, created_at, deleted, hidden) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, FALSE, FALSE)",
                )
                .bind(comment.id.0)
                .bind(proposal.0)
                .bind(comment.parent_id.map(|p| p.0))
                .bind(actor.id.0)
                .bind(actor.organization.id.0)
                .bind(&comment.body)
                .bind(comment.anchor.as_ref().map(|a| a.revision))
                .bind(comment.anchor.as_ref().map(|a| a.quote.as_str()))
                .bind(comment.created_at)
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                let event = $crate::domain::event::NewEvent::about_comment(
                    $crate::domain::event::Topic::Proposal(proposal),
                    "comment.created",
                    &comment,
                );
                let events = Self::append_events(&mut tx, Some(actor), vec![event]).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(comment)
            }

            async fn edit_comment(
                &self,
                id: $crate::domain::ids::CommentId,
                body: String,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Comment> {
                use $crate::domain::comment as rules;
                let mut tx = self.begin_write().await?;
                let (thread, comment) = Self::lock_comment(&mut tx, id.0).await?;
                rules::check_author(actor, &comment)?;
                rules::check_thread_open(thread.locked)?;
                let now = chrono::Utc::now();
                sqlx::query("INSERT INTO comment_edits (id, comment_id, body, written_at) VALUES ($1, $2, $3, $4)")
                    .bind(uuid::Uuid::now_v7())
                    .bind(id.0)
                    .bind(&comment.body)
                    .bind(comment.edited_at.unwrap_or(comment.created_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                sqlx::query("UPDATE comments SET body = $2, edited_at = $3 WHERE id = $1")
                    .bind(id.0)
                    .bind(&body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                self.finish_comment_change(tx, id.0, "comment.edited", actor, Vec::new()).await
            }

            async fn comment_history(
                &self,
                id: $crate::domain::ids::CommentId,
            ) -> $crate::store::StoreResult<Vec<$crate::store::CommentEdit>> {
                let mut conn = self.begin_read().await?;
                Self::comment_in(&mut conn, id.0).await?;
                let rows: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "SELECT body, written_at FROM comment_edits WHERE comment_id = $1 ORDER BY id",
                )
                .bind(id.0)
                .fetch_all(&mut *conn)
                .await
                .map_err(Self::err)?;
                Ok(rows.into_iter().map(|(body, written_at)| $crate::store::CommentEdit { body, written_at }).collect())
            }

            async fn delete_comment(
                &self,
                id: $crate::domain::ids::CommentId,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Comment> {
                let mut tx = self.begin_write().await?;
                let (_, comment) = Self::lock_comment(&mut tx, id.0).await?;
                $crate::domain::comment::check_author(actor, &comment)?;
                sqlx::query("UPDATE comments SET deleted = TRUE WHERE id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                self.finish_comment_change(tx, id.0, "comment.deleted", actor, Vec::new()).await
            }

            async fn set_hidden(
                &self,
                id: $crate::domain::ids::CommentId,
                reason: Option<String>,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Comment> {
                let mut tx = self.begin_write().await?;
                Self::lock_comment(&mut tx, id.0).await?;
                Self::set_hidden_in(&mut tx, id.0, reason.as_deref()).await?;
                let kind = if reason.is_some() { "comment.hidden" } else { "comment.unhidden" };
                self.finish_comment_change(tx, id.0, kind, actor, Vec::new()).await
            }

            async fn flag_comment(
                &self,
                id: $crate::domain::ids::CommentId,
                reason: String,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Flag> {
                use $crate::domain::event::NewEvent;
                let mut tx = self.begin_write().await?;
                let (_, comment) = Self::lock_comment(&mut tx, id.0).await?;
                if comment.deleted {
                    return Err($crate::store::StoreError::Conflict("this comment was deleted".into()));
                }
                let flag_id = $crate::domain::ids::FlagId::new();
                sqlx::query(
                    "INSERT INTO flags (id, comment_id, user_id, reason, status, created_at) \
                     VALUES ($1, $2, $3, $4, 'open', $5)",
                )
                .bind(flag_id.0)
                .bind(id.0)
                .bind(actor.id.0)
                .bind(&reason)
                .bind(chrono::Utc::now())
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                let flag = Self::flag_in(&mut tx, flag_id.0).await?;
                let event = NewEvent::about_flag("flag.created", &flag);
                let events = Self::append_events(&mut tx, Some(actor), vec![event]).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(flag)
            }

            /// Two queries however many flags: the flags, then their comments.
            async fn flags(&self, open_only: bool) -> $crate::store::StoreResult<Vec<$crate::domain::comment::Flag>> {
                let mut tx = self.begin_read().await?;
                let rows: Vec<$crate::store::rows_drafting::FlagRow> = sqlx::query_as(
                    "SELECT f.id, f.comment_id, f.user_id, u.display_name AS user_name, f.reason, f.status, \
                     f.action, f.created_at, f.resolved_at FROM flags f JOIN users u ON u.id = f.user_id \
                     WHERE ($1 = FALSE OR f.status = 'open') ORDER BY f.id",
                )
                .bind(open_only)
                .fetch_all(&mut *tx)
                .await
                .map_err(Self::err)?;
                let comments: Vec<$crate::store::rows_drafting::CommentRow> = sqlx::query_as(concat!(
                    $crate::store::comments_sql::comment_select!(),
                    " WHERE c.id IN (SELECT comment_id FROM flags WHERE ($1 = FALSE OR status = 'open'))"
                ))
                .bind(open_only)
                .fetch_all(&mut *tx)
                .await
                .map_err(Self::err)?;
                let comments: Vec<$crate::domain::comment::Comment> = $crate::store::rows::convert_all(comments)?;
                let by_id: std::collections::HashMap<_, _> =
                    comments.into_iter().map(|comment| (comment.id.0, comment)).collect();
                rows.into_iter()
                    .map(|row| {
                        let comment = by_id.get(&row.comment_id).cloned().ok_or($crate::store::StoreError::NotFound("comment"))?;
                        row.into_flag(comment)
                    })
                    .collect()
            }

            async fn resolve_flag(
                &self,
                id: $crate::domain::ids::FlagId,
                action: $crate::domain::comment::FlagAction,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::comment::Flag> {
                use $crate::domain::comment::FlagAction;
                use $crate::domain::event::{NewEvent, Topic};
                let mut tx = self.begin_write().await?;
                let flag = Self::flag_in(&mut tx, id.0).await?;
                let (_, comment) = Self::lock_comment(&mut tx, flag.comment.id.0).await?;
                if flag.status != "open" {
                    return Err($crate::store::StoreError::Conflict("this flag was already resolved".into()));
                }
                let action_text = match action {
                    FlagAction::Hide => "hide",
                    FlagAction::Dismiss => "dismiss",
                };
                // Hiding settles every open flag on the comment; dismissing only this one.
                let (scope, target) = match action {
                    FlagAction::Hide => ("comment_id = $1 AND status = 'open'", comment.id.0),
                    FlagAction::Dismiss => ("id = $1", id.0),
                };
                sqlx::query(&format!(
                    "UPDATE flags SET status = 'resolved', action = $2, resolved_by = $3, resolved_at = $4 WHERE {scope}"
                ))
                .bind(target)
                .bind(action_text)
                .bind(actor.id.0)
                .bind(chrono::Utc::now())
                .execute(&mut *tx)
                .await
                .map_err(Self::err)?;
                let mut events = Vec::new();
                if action == FlagAction::Hide && !comment.hidden {
                    Self::set_hidden_in(&mut tx, comment.id.0, Some(&flag.reason)).await?;
                    let hidden = Self::comment_in(&mut tx, comment.id.0).await?;
                    events.push(NewEvent::about_comment(Topic::Proposal(hidden.proposal_id), "comment.hidden", &hidden));
                }
                let flag = Self::flag_in(&mut tx, id.0).await?;
                events.push(NewEvent::about_flag("flag.resolved", &flag));
                let events = Self::append_events(&mut tx, Some(actor), events).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(flag)
            }
        }
    };
}

pub(crate) use {comment_select, comment_store};
