//! Proposals and their revisions, written once for both backends (see
//! `accounts_sql.rs`). The rules (who may, and when) come from
//! `domain::proposal` and are checked inside the writing transaction.

/// A `RevisionRow`: `r` is the revision, `u` its author.
macro_rules! revision_columns {
    () => {
        "SELECT r.number, r.title, r.body, r.section_title, r.note, r.created_at, r.author_id, u.display_name AS author_name"
    };
}

macro_rules! proposal_select {
    () => {
        "SELECT p.id, p.document_id, p.kind, p.section_id, p.after_section_id, p.title, p.rationale, \
         p.status, p.base_version, p.locked, p.outdated, p.ballot_id, p.created_at, p.supersedes, p.superseded_by, \
         p.author_id, a.display_name AS author_name, \
         r.number AS rev_number, r.body AS rev_body, r.section_title AS rev_section_title, \
         r.created_at AS rev_created_at, \
         r.author_id AS rev_author_id, ra.display_name AS rev_author_name, \
         (SELECT COUNT(*) FROM comments c WHERE c.proposal_id = p.id AND c.deleted = FALSE) AS comment_count, \
         o.id AS org_id, o.name AS org_name, o.short_name AS org_short_name, o.kind AS org_kind, \
         o.active AS org_active \
         FROM proposals p \
         JOIN organizations o ON o.id = p.organization_id \
         JOIN users a ON a.id = p.author_id \
         JOIN proposal_revisions r ON r.proposal_id = p.id \
           AND r.number = (SELECT MAX(number) FROM proposal_revisions WHERE proposal_id = p.id) \
         JOIN users ra ON ra.id = r.author_id"
    };
}

macro_rules! proposal_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::proposal;
            use $crate::domain::account::User;
            use $crate::domain::event::NewEvent;
            use $crate::domain::event_payload::ProposalChange;
            use $crate::domain::ids::{DocumentId, ProposalId};
            use $crate::domain::proposal::{Proposal, ProposalStatus, Revision};
            use $crate::store::{
                NewProposal, NewRevision, Page, ProposalStore, StoreError, StoreResult, proposals_sql, rows,
            };
            use $crate::store::rows_drafting::{ProposalRow, RevisionRow};

            impl $store {
                async fn proposal_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Proposal> {
                    let sql = concat!(proposals_sql::proposal_select!(), " WHERE p.id = $1");
                    let proposal: Proposal = Self::one_by_id::<ProposalRow, _>(conn, sql, id, "proposal").await?;
                    let mut one = [proposal];
                    Self::with_cosponsors_in(conn, one[0].document_id.0, Some(id), &mut one).await?;
                    let [proposal] = one;
                    Ok(proposal)
                }

                /// Locks the proposal row for the rest of the transaction and
                /// tells whether its discussion is locked: all a new comment needs.
                async fn lock_thread(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<bool> {
                    let locked: Option<bool> =
                        sqlx::query_scalar(concat!("SELECT locked FROM proposals WHERE id = $1", $for_update))
                            .bind(id)
                            .fetch_optional(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                    locked.ok_or(StoreError::NotFound("proposal"))
                }

                /// `NotFound` unless the proposal exists: an empty page of a known
                /// proposal is an answer, of an unknown one it is a 404.
                async fn proposal_exists(pool: &sqlx::Pool<$db>, id: uuid::Uuid) -> StoreResult<()> {
                    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposals WHERE id = $1")
                        .bind(id)
                        .fetch_one(pool)
                        .await
                        .map_err(Self::err)?;
                    (found > 0).then_some(()).ok_or(StoreError::NotFound("proposal"))
                }

                /// Locks the proposal row for the rest of the transaction.
                async fn lock_proposal(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                ) -> StoreResult<Proposal> {
                    Self::lock_thread(conn, id).await?;
                    Self::proposal_in(conn, id).await
                }

                async fn insert_revision(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    proposal: uuid::Uuid,
                    number: i64,
                    title: &str,
                    (body, section_title): (&str, Option<&str>),
                    note: &str,
                    author: uuid::Uuid,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO proposal_revisions (proposal_id, number, title, body, section_title, note, \
                         author_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(proposal)
                    .bind(number)
                    .bind(title)
                    .bind(body)
                    .bind(section_title)
                    .bind(note)
                    .bind(author)
                    .bind(chrono::Utc::now())
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(())
                }

                /// Re-reads the proposal and makes the events announcing it on
                /// its document's and its own topic.
                async fn proposal_events(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                    change: ProposalChange,
                ) -> StoreResult<(Proposal, Vec<NewEvent>)>
                {
                    use $crate::domain::event::{NewEvent, Topic};
                    let proposal = Self::proposal_in(conn, id).await?;
                    let events = vec![
                        NewEvent::proposal(Topic::Document(proposal.document_id), change, &proposal),
                        NewEvent::proposal(Topic::Proposal(proposal.id), change, &proposal),
                    ];
                    Ok((proposal, events))
                }

                /// Refuses `act` unless the document's phase allows it now.
                async fn check_phase_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: DocumentId,
                    act: $crate::domain::phase::Act,
                    actor: &User,
                ) -> StoreResult<()> {
                    let stage = Self::document_row_in(conn, document.0, false).await?.stage()?;
                    Ok($crate::domain::phase::check_act(stage, act, actor, chrono::Utc::now())?)
                }

                /// Announces the changed proposal, commits and publishes.
                async fn finish_proposal_change(
                    &self,
                    mut tx: sqlx::Transaction<'static, $db>,
                    id: uuid::Uuid,
                    change: ProposalChange,
                    actor: &User,
                ) -> StoreResult<Proposal> {
                    let (proposal, events) = Self::proposal_events(&mut tx, id, change).await?;
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(proposal)
                }
            }

            #[async_trait::async_trait]
            impl ProposalStore for $store {
                async fn create_proposal(
                    &self,
                    document: DocumentId,
                    new: NewProposal,
                    actor: &User,
                ) -> StoreResult<Proposal> {
                    use $crate::domain::phase::{self, Act};
                    let mut tx = self.begin_write().await?;
                    let charter = Self::charter_in(&mut tx, document.0, true).await?;
                    phase::check_act(charter.stage, Act::Propose, actor, chrono::Utc::now())?;
                    proposal::check_target(
                        new.kind,
                        new.section_id,
                        new.after_section_id,
                        &charter.sections,
                    )
                    .map_err(StoreError::Invalid)?;
                    $crate::domain::references::check_references("body", &new.body, &charter.sections)
                        .map_err(StoreError::Invalid)?;
                    let id = ProposalId::new();
                    let superseded = Self::check_supersedes_in(&mut tx, document, &new, actor).await?;
                    let now = chrono::Utc::now();
                    sqlx::query(
                        "INSERT INTO proposals (id, document_id, kind, section_id, after_section_id, title, rationale, \
                         status, organization_id, author_id, base_version, locked, outdated, created_at, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10, FALSE, FALSE, $11, $11)",
                    )
                    .bind(id.0)
                    .bind(document.0)
                    .bind(new.kind.as_str())
                    .bind(new.section_id.map(|s| s.0))
                    .bind(new.after_section_id.map(|s| s.0))
                    .bind(&new.title)
                    .bind(&new.rationale)
                    .bind(actor.organization.id.0)
                    .bind(actor.id.0)
                    .bind(charter.version)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    let revision = (new.body.as_str(), new.section_title.as_deref());
                    Self::insert_revision(&mut tx, id.0, 1, &new.title, revision, "", actor.id.0).await?;
                    let events = Self::supersede_in(&mut tx, id, &superseded).await?;
                    let (proposal, mut created) = Self::proposal_events(&mut tx, id.0, ProposalChange::Created).await?;
                    created.extend(events);
                    let events = Self::append_events(&mut tx, Some(actor), created).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(proposal)
                }

                async fn proposal(
                    &self,
                    id: ProposalId,
                ) -> StoreResult<Proposal> {
                    let mut conn = self.begin_read().await?;
                    Self::proposal_in(&mut conn, id.0).await
                }

                async fn list_proposals(
                    &self,
                    document: DocumentId,
                    status: Option<ProposalStatus>,
                    page: Page,
                ) -> StoreResult<Vec<Proposal>> {
                    let mut conn = self.begin_read().await?;
                    Self::document_row_in(&mut conn, document.0, false).await?;
                    let rows: Vec<ProposalRow> = sqlx::query_as(concat!(
                        proposals_sql::proposal_select!(),
                        " WHERE p.document_id = $1 AND ($2 IS NULL OR p.status = $2) AND ($3 IS NULL OR p.id > $3) \
                         ORDER BY p.id LIMIT $4"
                    ))
                    .bind(document.0)
                    .bind(status.map(|s| s.as_str()))
                    .bind(page.after)
                    .bind(i64::from(page.limit))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let mut proposals: Vec<Proposal> = rows::convert_all(rows)?;
                    Self::with_cosponsors_in(&mut conn, document.0, None, &mut proposals).await?;
                    Ok(proposals)
                }

                async fn revisions(
                    &self,
                    id: ProposalId,
                    after: i64,
                    limit: u32,
                    max_chars: i64,
                ) -> StoreResult<Vec<Revision>> {
                    // As events_within: cut by count first, then by the running
                    // size of the texts, so no more than `limit` rows are read.
                    let rows: Vec<RevisionRow> = sqlx::query_as(concat!(
                        proposals_sql::revision_columns!(),
                        " FROM (SELECT page.*, SUM(LENGTH(page.body) + LENGTH(page.note) + LENGTH(page.title)) \
                                 OVER (ORDER BY page.number) \
                                 - (LENGTH(page.body) + LENGTH(page.note) + LENGTH(page.title)) AS before \
                               FROM (SELECT * FROM proposal_revisions WHERE proposal_id = $1 AND number > $2 \
                                     ORDER BY number LIMIT $3) page) r \
                         JOIN users u ON u.id = r.author_id WHERE r.before < $4 ORDER BY r.number",
                    ))
                    .bind(id.0)
                    .bind(after)
                    .bind(i64::from(limit))
                    .bind(max_chars)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    if rows.is_empty() {
                        Self::proposal_exists(&self.pool, id.0).await?;
                    }
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn revision(
                    &self,
                    id: ProposalId,
                    number: Option<i64>,
                ) -> StoreResult<Option<Revision>> {
                    let row: Option<RevisionRow> = sqlx::query_as(concat!(
                        proposals_sql::revision_columns!(),
                        " FROM proposal_revisions r JOIN users u ON u.id = r.author_id \
                         WHERE r.proposal_id = $1 AND r.number = COALESCE($2, \
                           (SELECT MAX(number) FROM proposal_revisions WHERE proposal_id = $1))",
                    ))
                    .bind(id.0)
                    .bind(number)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(Self::err)?;
                    if row.is_none() {
                        Self::proposal_exists(&self.pool, id.0).await?;
                    }
                    Ok(row.map(Into::into))
                }

                async fn revise(
                    &self,
                    id: ProposalId,
                    new: NewRevision,
                    actor: &User,
                ) -> StoreResult<Proposal> {
                    use $crate::domain::proposal as rules;
                    let mut tx = self.begin_write().await?;
                    let proposal = Self::lock_proposal(&mut tx, id.0).await?;
                    rules::check_revision(actor, &proposal.facts())?;
                    Self::check_phase_in(&mut tx, proposal.document_id, $crate::domain::phase::Act::Revise, actor).await?;
                    let title = new.title.unwrap_or(proposal.title);
                    let number = proposal.revision.number + 1;
                    if new.section_title.is_some() && proposal.kind != $crate::domain::proposal::ProposalKind::Amend {
                        return Err(StoreError::Invalid($crate::domain::limits::Invalid::new(
                            "section_title",
                            "only an `amend` proposal renames a section",
                        )));
                    }
                    let section_title = new.section_title.or(proposal.revision.section_title);
                    let revision = (new.body.as_str(), section_title.as_deref());
                    Self::insert_revision(&mut tx, id.0, number, &title, revision, &new.note, actor.id.0).await?;
                    // Revising an outdated proposal is revising it against the
                    // current text: that becomes its base.
                    let base_version = if proposal.outdated {
                        Self::document_row_in(&mut tx, proposal.document_id.0, false).await?.version
                    } else {
                        proposal.base_version
                    };
                    sqlx::query(
                        "UPDATE proposals SET title = $2, outdated = FALSE, base_version = $3, updated_at = $4 WHERE id = $1",
                    )
                    .bind(id.0)
                    .bind(&title)
                    .bind(base_version)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    self.finish_proposal_change(tx, id.0, ProposalChange::Revised, actor).await
                }

                async fn withdraw(
                    &self,
                    id: ProposalId,
                    actor: &User,
                ) -> StoreResult<Proposal> {
                    use $crate::domain::proposal as rules;
                    let mut tx = self.begin_write().await?;
                    let proposal = Self::lock_proposal(&mut tx, id.0).await?;
                    rules::check_text_change(actor, &proposal.facts())?;
                    Self::check_phase_in(&mut tx, proposal.document_id, $crate::domain::phase::Act::Revise, actor).await?;
                    sqlx::query("UPDATE proposals SET status = 'withdrawn', updated_at = $2 WHERE id = $1")
                        .bind(id.0)
                        .bind(chrono::Utc::now())
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    self.finish_proposal_change(tx, id.0, ProposalChange::Status, actor).await
                }

                async fn set_locked(
                    &self,
                    id: ProposalId,
                    locked: bool,
                    actor: &User,
                ) -> StoreResult<Proposal> {
                    let mut tx = self.begin_write().await?;
                    Self::lock_proposal(&mut tx, id.0).await?;
                    sqlx::query("UPDATE proposals SET locked = $2, updated_at = $3 WHERE id = $1")
                        .bind(id.0)
                        .bind(locked)
                        .bind(chrono::Utc::now())
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    self.finish_proposal_change(tx, id.0, ProposalChange::Locked, actor).await
                }
            }
        };
    };
}

pub(crate) use {proposal_select, proposal_store, revision_columns};
