//! Comments, their history and flags, written once for both backends (see
//! `accounts_sql.rs`). The rules come from `domain::comment`.

macro_rules! flag_select {
    () => {
        "SELECT f.id, f.comment_id, f.user_id, u.display_name AS user_name, f.reason, f.status, \
         f.action, f.created_at, f.resolved_at FROM flags f JOIN users u ON u.id = f.user_id"
    };
}

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
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::comment;
            use $crate::domain::account::User;
            use $crate::domain::comment::{Comment, Flag, FlagAction};
            use $crate::domain::event::{NewEvent, Topic};
            use $crate::domain::event_payload::{CommentChange, FlagChange};
            use $crate::domain::ids::{CommentId, FlagId, ProposalId};
            use $crate::domain::limits::Invalid;
            use $crate::domain::proposal::Proposal;
            use $crate::store::{
                CommentEdit, DiscussionStore, NewComment, Page, StoreError, StoreResult, comments_sql, rows,
            };
            use $crate::store::rows_drafting::{CommentRow, FlagRow};

            impl $store {
                async fn comment_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Comment> {
                    let sql = concat!(comments_sql::comment_select!(), " WHERE c.id = $1");
                    Self::one_by_id::<CommentRow, _>(conn, sql, id, "comment").await
                }

                /// Locks the comment's proposal (the thread), then reads the comment.
                async fn lock_comment(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<(Proposal, Comment)>
                {
                    let proposal: Option<uuid::Uuid> = sqlx::query_scalar("SELECT proposal_id FROM comments WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    let proposal = proposal.ok_or(StoreError::NotFound("comment"))?;
                    let proposal = Self::lock_proposal(conn, proposal).await?;
                    Ok((proposal, Self::comment_in(conn, id).await?))
                }

                /// Re-reads the comment, announces it on its proposal's topic
                /// (and any extra events), commits and publishes.
                async fn finish_comment_change(
                    &self,
                    mut tx: sqlx::Transaction<'static, $db>,
                    id: uuid::Uuid,
                    change: CommentChange,
                    actor: &User,
                    mut extra: Vec<NewEvent>,
                ) -> StoreResult<Comment> {
                    use $crate::domain::event::{NewEvent, Topic};
                    let comment = Self::comment_in(&mut tx, id).await?;
                    extra.push(NewEvent::comment(Topic::Proposal(comment.proposal_id), change, &comment));
                    let events = Self::append_events(&mut tx, Some(actor), extra).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(comment)
                }

                async fn flag_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Flag> {
                    let row: Option<FlagRow> = sqlx::query_as(
                        concat!(comments_sql::flag_select!(), " WHERE f.id = $1"),
                    )
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let row = row.ok_or(StoreError::NotFound("flag"))?;
                    let comment = Self::comment_in(conn, row.comment_id).await?;
                    row.into_flag(comment)
                }

                async fn set_hidden_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                    reason: Option<&str>,
                ) -> StoreResult<()> {
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
            impl DiscussionStore for $store {
                async fn comments(
                    &self,
                    proposal: ProposalId,
                    page: Page,
                ) -> StoreResult<Vec<Comment>> {
                    let mut conn = self.begin_read().await?;
                    Self::proposal_in(&mut conn, proposal.0).await?;
                    let rows: Vec<CommentRow> = sqlx::query_as(concat!(
                        comments_sql::comment_select!(),
                        " WHERE c.proposal_id = $1 AND ($2 IS NULL OR c.id > $2) ORDER BY c.id LIMIT $3"
                    ))
                    .bind(proposal.0)
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    rows::convert_all(rows)
                }

                async fn comment(
                    &self,
                    id: CommentId,
                ) -> StoreResult<Comment> {
                    let mut conn = self.begin_read().await?;
                    Self::comment_in(&mut conn, id.0).await
                }

                async fn create_comment(
                    &self,
                    proposal: ProposalId,
                    new: NewComment,
                    actor: &User,
                ) -> StoreResult<Comment> {
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
                            return Err(StoreError::Invalid(Invalid::new(
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
                        CommentId::new(),
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
                    let event = NewEvent::comment(Topic::Proposal(proposal), CommentChange::Created, &comment);
                    let events = Self::append_events(&mut tx, Some(actor), vec![event]).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(comment)
                }

                async fn edit_comment(
                    &self,
                    id: CommentId,
                    body: String,
                    actor: &User,
                ) -> StoreResult<Comment> {
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
                    self.finish_comment_change(tx, id.0, CommentChange::Edited, actor, Vec::new()).await
                }

                async fn comment_history(
                    &self,
                    id: CommentId,
                ) -> StoreResult<Vec<CommentEdit>> {
                    let mut conn = self.begin_read().await?;
                    Self::comment_in(&mut conn, id.0).await?;
                    let rows: Vec<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                        "SELECT body, written_at FROM comment_edits WHERE comment_id = $1 ORDER BY id",
                    )
                    .bind(id.0)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(rows.into_iter().map(|(body, written_at)| CommentEdit { body, written_at }).collect())
                }

                async fn delete_comment(
                    &self,
                    id: CommentId,
                    actor: &User,
                ) -> StoreResult<Comment> {
                    let mut tx = self.begin_write().await?;
                    let (_, comment) = Self::lock_comment(&mut tx, id.0).await?;
                    comment::check_author(actor, &comment)?;
                    sqlx::query("UPDATE comments SET deleted = TRUE WHERE id = $1")
                        .bind(id.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    self.finish_comment_change(tx, id.0, CommentChange::Deleted, actor, Vec::new()).await
                }

                async fn set_hidden(
                    &self,
                    id: CommentId,
                    reason: Option<String>,
                    actor: &User,
                ) -> StoreResult<Comment> {
                    let mut tx = self.begin_write().await?;
                    Self::lock_comment(&mut tx, id.0).await?;
                    Self::set_hidden_in(&mut tx, id.0, reason.as_deref()).await?;
                    let change = if reason.is_some() { CommentChange::Hidden } else { CommentChange::Unhidden };
                    self.finish_comment_change(tx, id.0, change, actor, Vec::new()).await
                }

                async fn flag_comment(
                    &self,
                    id: CommentId,
                    reason: String,
                    actor: &User,
                ) -> StoreResult<Flag> {
                    use $crate::domain::event::NewEvent;
                    let mut tx = self.begin_write().await?;
                    let (_, comment) = Self::lock_comment(&mut tx, id.0).await?;
                    if comment.deleted {
                        return Err(StoreError::Conflict("this comment was deleted".into()));
                    }
                    let flag_id = FlagId::new();
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
                    let event = NewEvent::flag(FlagChange::Created, &flag);
                    let events = Self::append_events(&mut tx, Some(actor), vec![event]).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(flag)
                }

                /// Two queries however many flags: the flags, then their comments.
                async fn flags(&self, open_only: bool) -> StoreResult<Vec<Flag>> {
                    let mut tx = self.begin_read().await?;
                    let rows: Vec<FlagRow> = sqlx::query_as(
                        concat!(comments_sql::flag_select!(), " WHERE ($1 = FALSE OR f.status = 'open') ORDER BY f.id"),
                    )
                    .bind(open_only)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let comments: Vec<CommentRow> = sqlx::query_as(concat!(
                        comments_sql::comment_select!(),
                        " WHERE c.id IN (SELECT comment_id FROM flags WHERE ($1 = FALSE OR status = 'open'))"
                    ))
                    .bind(open_only)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let comments: Vec<Comment> = rows::convert_all(comments)?;
                    let by_id: std::collections::HashMap<_, _> =
                        comments.into_iter().map(|comment| (comment.id.0, comment)).collect();
                    rows.into_iter()
                        .map(|row| {
                            let comment = by_id.get(&row.comment_id).cloned().ok_or(StoreError::NotFound("comment"))?;
                            row.into_flag(comment)
                        })
                        .collect()
                }

                async fn resolve_flag(
                    &self,
                    id: FlagId,
                    action: FlagAction,
                    actor: &User,
                ) -> StoreResult<Flag> {
                    use $crate::domain::comment::FlagAction;
                    use $crate::domain::event::{NewEvent, Topic};
                    let mut tx = self.begin_write().await?;
                    let flag = Self::flag_in(&mut tx, id.0).await?;
                    let (_, comment) = Self::lock_comment(&mut tx, flag.comment.id.0).await?;
                    if flag.status != "open" {
                        return Err(StoreError::Conflict("this flag was already resolved".into()));
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
                        let topic = Topic::Proposal(hidden.proposal_id);
                        events.push(NewEvent::comment(topic, CommentChange::Hidden, &hidden));
                    }
                    let flag = Self::flag_in(&mut tx, id.0).await?;
                    events.push(NewEvent::flag(FlagChange::Resolved, &flag));
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(flag)
                }
            }
        };
    };
}

pub(crate) use {comment_select, comment_store, flag_select};
