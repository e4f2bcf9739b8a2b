//! The charter's queries, written once for both backends (see
//! `accounts_sql.rs`). Every change rewrites the current sections and keeps
//! the whole text as a new numbered version, in one transaction.

macro_rules! document_select {
    () => {
        "SELECT id, title, version, updated_at, phase, amendments_close_at, final_ballot_id, final_version, \
         final_sha256 FROM documents"
    };
}

macro_rules! document_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::{charter, references};
            use $crate::domain::account::User;
            use $crate::domain::charter::{Charter, DocumentSummary, Section, VersionInfo};
            use $crate::domain::event::NewEvent;
            use $crate::domain::event_payload::VersionData;
            use $crate::domain::ids::{DocumentId, SectionId};
            use $crate::domain::limits::Invalid;
            use $crate::store::{documents_sql, rows, rows_drafting, DocumentStore, NewSection, StoreError, StoreResult};
            use $crate::store::rows_drafting::{DocumentRow, SectionRow, VersionRow};

            impl $store {
                async fn document_row_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                    lock: bool,
                ) -> StoreResult<DocumentRow> {
                    let sql = if lock {
                        concat!(documents_sql::document_select!(), " WHERE id = $1", $for_update)
                    } else {
                        concat!(documents_sql::document_select!(), " WHERE id = $1")
                    };
                    let row: Option<DocumentRow> =
                        sqlx::query_as(sql).bind(id).fetch_optional(&mut *conn).await.map_err(Self::err)?;
                    row.ok_or(StoreError::NotFound("document"))
                }

                async fn sections_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: uuid::Uuid,
                ) -> StoreResult<Vec<Section>> {
                    let rows: Vec<SectionRow> = sqlx::query_as(
                        "SELECT id, kind, title, body FROM sections WHERE document_id = $1 ORDER BY position",
                    )
                    .bind(document)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    rows::convert_all(rows)
                }

                async fn charter_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: uuid::Uuid,
                    lock: bool,
                ) -> StoreResult<Charter> {
                    let row = Self::document_row_in(conn, id, lock).await?;
                    let sections = Self::sections_in(conn, id).await?;
                    Ok(Charter {
                        stage: row.stage()?,
                        approval: row.approval(),
                        id: row.id.into(),
                        title: row.title,
                        version: row.version,
                        updated_at: row.updated_at,
                        sections,
                    })
                }

                async fn charter_at_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    id: DocumentId,
                    version: i64,
                ) -> StoreResult<Charter> {
                    let row: Option<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                        "SELECT snapshot, created_at FROM document_versions WHERE document_id = $1 AND version = $2",
                    )
                    .bind(id.0)
                    .bind(version)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let (snapshot, created_at) = row.ok_or(StoreError::NotFound("document version"))?;
                    let mut charter = rows_drafting::charter_from_snapshot(id, version, created_at, &snapshot)?;
                    let row = Self::document_row_in(conn, id.0, false).await?;
                    charter.stage = row.stage()?;
                    charter.approval = row.approval();
                    Ok(charter)
                }

                /// Stores `charter` (already changed in memory) as the next
                /// version, and returns the event announcing it.
                async fn save_version(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    charter: &mut Charter,
                    summary: &str,
                    actor: &User,
                    proposal_id: Option<uuid::Uuid>,
                ) -> StoreResult<NewEvent> {
                    let now = chrono::Utc::now();
                    charter.version += 1;
                    charter.updated_at = now;
                    let id = charter.id.0;
                    sqlx::query("DELETE FROM sections WHERE document_id = $1")
                        .bind(id)
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    for (position, section) in charter.sections.iter().enumerate() {
                        sqlx::query(
                            "INSERT INTO sections (id, document_id, kind, title, body, position) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(section.id.0)
                        .bind(id)
                        .bind(section.kind.as_str())
                        .bind(&section.title)
                        .bind(&section.body)
                        .bind(i64::try_from(position).unwrap_or(i64::MAX))
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    }
                    sqlx::query("UPDATE documents SET title = $2, version = $3, updated_at = $4 WHERE id = $1")
                        .bind(id)
                        .bind(&charter.title)
                        .bind(charter.version)
                        .bind(now)
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    let snapshot = serde_json::json!({ "title": charter.title, "sections": charter.sections }).to_string();
                    sqlx::query(
                        "INSERT INTO document_versions (document_id, version, created_at, created_by, proposal_id, \
                         summary, snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(id)
                    .bind(charter.version)
                    .bind(now)
                    .bind(actor.id.0)
                    .bind(proposal_id)
                    .bind(summary)
                    .bind(snapshot)
                    .execute(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(NewEvent::version(VersionData {
                        document_id: charter.id,
                        version: charter.version,
                        summary: summary.to_owned(),
                        proposal_id,
                    }))
                }

                /// Saves a changed charter as a new version, commits, publishes.
                async fn finish_version(
                    &self,
                    mut tx: sqlx::Transaction<'static, $db>,
                    mut charter: Charter,
                    summary: &str,
                    actor: &User,
                ) -> StoreResult<Charter> {
                    let event = Self::save_version(&mut tx, &mut charter, summary, actor, None).await?;
                    let events = Self::append_events(&mut tx, Some(actor), vec![event]).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(charter)
                }
            }

            #[async_trait::async_trait]
            impl DocumentStore for $store {
                async fn list_documents(
                    &self,
                ) -> StoreResult<Vec<DocumentSummary>> {
                    let rows: Vec<DocumentRow> =
                        sqlx::query_as(concat!(documents_sql::document_select!(), " ORDER BY id"))
                            .fetch_all(&self.pool)
                            .await
                            .map_err(Self::err)?;
                    rows.into_iter()
                        .map(|row| {
                            Ok(DocumentSummary {
                                stage: row.stage()?,
                                id: row.id.into(),
                                title: row.title,
                                version: row.version,
                                updated_at: row.updated_at,
                            })
                        })
                        .collect()
                }

                async fn create_document(
                    &self,
                    title: String,
                    actor: &User,
                ) -> StoreResult<Charter> {
                    let mut tx = self.begin_write().await?;
                    let now = chrono::Utc::now();
                    let charter = Charter {
                        id: DocumentId::new(),
                        title,
                        version: 0,
                        updated_at: now,
                        stage: Default::default(),
                        approval: None,
                        sections: Vec::new(),
                    };
                    sqlx::query(
                        "INSERT INTO documents (id, title, version, created_at, updated_at) VALUES ($1, $2, 0, $3, $3)",
                    )
                    .bind(charter.id.0)
                    .bind(&charter.title)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    self.finish_version(tx, charter, "created", actor).await
                }

                async fn charter(
                    &self,
                    id: DocumentId,
                ) -> StoreResult<Charter> {
                    let mut conn = self.begin_read().await?;
                    Self::charter_in(&mut conn, id.0, false).await
                }

                async fn charter_at(
                    &self,
                    id: DocumentId,
                    version: i64,
                ) -> StoreResult<Charter> {
                    let mut conn = self.begin_read().await?;
                    Self::charter_at_in(&mut conn, id, version).await
                }

                async fn versions(
                    &self,
                    id: DocumentId,
                ) -> StoreResult<Vec<VersionInfo>> {
                    let mut conn = self.begin_read().await?;
                    Self::document_row_in(&mut conn, id.0, false).await?;
                    let rows: Vec<VersionRow> = sqlx::query_as(
                        "SELECT version, created_at, created_by, proposal_id, summary FROM document_versions \
                         WHERE document_id = $1 ORDER BY version",
                    )
                    .bind(id.0)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    Ok(rows.into_iter().map(Into::into).collect())
                }

                async fn insert_section(
                    &self,
                    id: DocumentId,
                    new: NewSection,
                    actor: &User,
                ) -> StoreResult<(Charter, SectionId)> {
                    let mut tx = self.begin_write().await?;
                    let mut charter = Self::charter_for_edit_in(&mut tx, id.0, actor).await?;
                    references::check_references("body", &new.body, &charter.sections).map_err(StoreError::Invalid)?;
                    let index = charter::insertion_index(&charter.sections, new.after).ok_or_else(|| {
                        StoreError::Invalid(Invalid::new(
                            "after_section_id",
                            "no such section in this document",
                        ))
                    })?;
                    let section_id = SectionId::new();
                    charter.sections.insert(
                        index,
                        Section { id: section_id, kind: new.kind, title: new.title, body: new.body },
                    );
                    let charter = self.finish_version(tx, charter, "section_added", actor).await?;
                    Ok((charter, section_id))
                }

                async fn update_section(
                    &self,
                    section: SectionId,
                    title: Option<String>,
                    body: Option<String>,
                    actor: &User,
                ) -> StoreResult<(Charter, SectionId)> {
                    let mut tx = self.begin_write().await?;
                    let document: Option<uuid::Uuid> =
                        sqlx::query_scalar("SELECT document_id FROM sections WHERE id = $1")
                            .bind(section.0)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                    let document = document.ok_or(StoreError::NotFound("section"))?;
                    let mut charter = Self::charter_for_edit_in(&mut tx, document, actor).await?;
                    if let Some(body) = &body {
                        references::check_references("body", body, &charter.sections).map_err(StoreError::Invalid)?;
                    }
                    let target = charter
                        .sections
                        .iter_mut()
                        .find(|candidate| candidate.id == section)
                        .ok_or(StoreError::NotFound("section"))?;
                    if let Some(title) = title {
                        target.title = title;
                    }
                    let body_changed = body.as_ref().is_some_and(|body| *body != target.body);
                    if let Some(body) = body {
                        target.body = body;
                    }
                    if body_changed {
                        // Proposals on this article were written against the old text.
                        sqlx::query(
                            "UPDATE proposals SET outdated = TRUE WHERE section_id = $1 AND status IN ('open', 'voting')",
                        )
                        .bind(section.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    }
                    let charter = self.finish_version(tx, charter, "section_edited", actor).await?;
                    Ok((charter, section))
                }

                async fn replace_sections(
                    &self,
                    id: DocumentId,
                    sections: Vec<NewSection>,
                    actor: &User,
                ) -> StoreResult<Charter> {
                    use $crate::domain::structure::{self, Imported};
                    let mut tx = self.begin_write().await?;
                    let mut charter = Self::charter_for_edit_in(&mut tx, id.0, actor).await?;
                    let before = std::mem::take(&mut charter.sections);
                    let imported =
                        sections.into_iter().map(|new| Imported { kind: new.kind, title: new.title, body: new.body });
                    charter.sections = structure::keep_identities(&before, imported.collect(), SectionId::new);
                    // Proposals on a kept article whose text changed were
                    // written against the old text; those on a removed one
                    // have nothing left to change.
                    for changed in structure::changed(&before, &charter.sections) {
                        sqlx::query(
                            "UPDATE proposals SET outdated = TRUE WHERE section_id = $1 AND status IN ('open', 'voting')",
                        )
                        .bind(changed.0)
                        .execute(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                    }
                    let removed = structure::removed(&before, &charter.sections);
                    let mut events = vec![Self::save_version(&mut tx, &mut charter, "imported", actor, None).await?];
                    events.extend(Self::orphan_proposals_in(&mut tx, &removed).await?);
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(charter)
                }
            }
        };
    };
}

pub(crate) use {document_select, document_store};
