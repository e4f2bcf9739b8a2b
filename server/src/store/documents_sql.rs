//! The charter's queries, written once for both backends (see
//! `accounts_sql.rs`). Every change rewrites the current sections and keeps
//! the whole text as a new numbered version, in one transaction.

macro_rules! document_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        impl $store {
            async fn document_row_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
                lock: bool,
            ) -> $crate::store::StoreResult<$crate::store::rows_drafting::DocumentRow> {
                let sql = if lock {
                    concat!("SELECT id, title, version, updated_at FROM documents WHERE id = $1", $for_update)
                } else {
                    "SELECT id, title, version, updated_at FROM documents WHERE id = $1"
                };
                let row: Option<$crate::store::rows_drafting::DocumentRow> =
                    sqlx::query_as(sql).bind(id).fetch_optional(&mut *conn).await.map_err(Self::err)?;
                row.ok_or($crate::store::StoreError::NotFound("document"))
            }

            async fn sections_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                document: uuid::Uuid,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::charter::Section>> {
                let rows: Vec<$crate::store::rows_drafting::SectionRow> = sqlx::query_as(
                    "SELECT id, kind, title, body FROM sections WHERE document_id = $1 ORDER BY position",
                )
                .bind(document)
                .fetch_all(&mut *conn)
                .await
                .map_err(Self::err)?;
                $crate::store::rows::convert_all(rows)
            }

            async fn charter_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: uuid::Uuid,
                lock: bool,
            ) -> $crate::store::StoreResult<$crate::domain::charter::Charter> {
                let row = Self::document_row_in(conn, id, lock).await?;
                let sections = Self::sections_in(conn, id).await?;
                Ok($crate::domain::charter::Charter {
                    id: row.id.into(),
                    title: row.title,
                    version: row.version,
                    updated_at: row.updated_at,
                    sections,
                })
            }

            async fn charter_at_in(
                conn: &mut <$db as sqlx::Database>::Connection,
                id: $crate::domain::ids::DocumentId,
                version: i64,
            ) -> $crate::store::StoreResult<$crate::domain::charter::Charter> {
                let row: Option<(String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "SELECT snapshot, created_at FROM document_versions WHERE document_id = $1 AND version = $2",
                )
                .bind(id.0)
                .bind(version)
                .fetch_optional(&mut *conn)
                .await
                .map_err(Self::err)?;
                let (snapshot, created_at) = row.ok_or($crate::store::StoreError::NotFound("document version"))?;
                $crate::store::rows_drafting::charter_from_snapshot(id, version, created_at, &snapshot)
            }

            /// Stores `charter` (already changed in memory) as the next
            /// version, and returns the event announcing it.
            async fn save_version(
                conn: &mut <$db as sqlx::Database>::Connection,
                charter: &mut $crate::domain::charter::Charter,
                summary: &str,
                actor: &$crate::domain::account::User,
                proposal_id: Option<uuid::Uuid>,
            ) -> $crate::store::StoreResult<$crate::domain::event::NewEvent> {
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
                Ok($crate::domain::event::NewEvent::new(
                    $crate::domain::event::Topic::Document(charter.id),
                    "document.version",
                    serde_json::json!({
                        "document_id": charter.id, "version": charter.version,
                        "summary": summary, "proposal_id": proposal_id,
                    }),
                ))
            }

            /// Saves a changed charter as a new version, commits, publishes.
            async fn finish_version(
                &self,
                mut tx: sqlx::Transaction<'static, $db>,
                mut charter: $crate::domain::charter::Charter,
                summary: &str,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::charter::Charter> {
                let event = Self::save_version(&mut tx, &mut charter, summary, actor, None).await?;
                let events = Self::append_events(&mut tx, Some(actor), vec![event]).await?;
                self.commit_and_publish(tx, events).await?;
                Ok(charter)
            }
        }

        #[async_trait::async_trait]
        impl $crate::store::DocumentStore for $store {
            async fn list_documents(
                &self,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::charter::DocumentSummary>> {
                let rows: Vec<$crate::store::rows_drafting::DocumentRow> =
                    sqlx::query_as("SELECT id, title, version, updated_at FROM documents ORDER BY id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(Self::err)?;
                Ok(rows
                    .into_iter()
                    .map(|row| $crate::domain::charter::DocumentSummary {
                        id: row.id.into(),
                        title: row.title,
                        version: row.version,
                        updated_at: row.updated_at,
                    })
                    .collect())
            }

            async fn create_document(
                &self,
                title: String,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::charter::Charter> {
                let mut tx = self.begin_write().await?;
                let now = chrono::Utc::now();
                let charter = $crate::domain::charter::Charter {
                    id: $crate::domain::ids::DocumentId::new(),
                    title,
                    version: 0,
                    updated_at: now,
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
                id: $crate::domain::ids::DocumentId,
            ) -> $crate::store::StoreResult<$crate::domain::charter::Charter> {
                let mut conn = self.begin_read().await?;
                Self::charter_in(&mut conn, id.0, false).await
            }

            async fn charter_at(
                &self,
                id: $crate::domain::ids::DocumentId,
                version: i64,
            ) -> $crate::store::StoreResult<$crate::domain::charter::Charter> {
                let mut conn = self.begin_read().await?;
                Self::charter_at_in(&mut conn, id, version).await
            }

            async fn versions(
                &self,
                id: $crate::domain::ids::DocumentId,
            ) -> $crate::store::StoreResult<Vec<$crate::domain::charter::VersionInfo>> {
                let mut conn = self.begin_read().await?;
                Self::document_row_in(&mut conn, id.0, false).await?;
                let rows: Vec<$crate::store::rows_drafting::VersionRow> = sqlx::query_as(
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
                id: $crate::domain::ids::DocumentId,
                new: $crate::store::NewSection,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<($crate::domain::charter::Charter, $crate::domain::ids::SectionId)> {
                let mut tx = self.begin_write().await?;
                let mut charter = Self::charter_in(&mut tx, id.0, true).await?;
                let index = $crate::domain::charter::insertion_index(&charter.sections, new.after).ok_or_else(|| {
                    $crate::store::StoreError::Invalid($crate::domain::limits::Invalid::new(
                        "after_section_id",
                        "no such section in this document",
                    ))
                })?;
                let section_id = $crate::domain::ids::SectionId::new();
                charter.sections.insert(
                    index,
                    $crate::domain::charter::Section { id: section_id, kind: new.kind, title: new.title, body: new.body },
                );
                let charter = self.finish_version(tx, charter, "section_added", actor).await?;
                Ok((charter, section_id))
            }

            async fn update_section(
                &self,
                section: $crate::domain::ids::SectionId,
                title: Option<String>,
                body: Option<String>,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<($crate::domain::charter::Charter, $crate::domain::ids::SectionId)> {
                let mut tx = self.begin_write().await?;
                let document: Option<uuid::Uuid> =
                    sqlx::query_scalar("SELECT document_id FROM sections WHERE id = $1")
                        .bind(section.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(Self::err)?;
                let document = document.ok_or($crate::store::StoreError::NotFound("section"))?;
                let mut charter = Self::charter_in(&mut tx, document, true).await?;
                let target = charter
                    .sections
                    .iter_mut()
                    .find(|candidate| candidate.id == section)
                    .ok_or($crate::store::StoreError::NotFound("section"))?;
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
                id: $crate::domain::ids::DocumentId,
                sections: Vec<$crate::store::NewSection>,
                actor: &$crate::domain::account::User,
            ) -> $crate::store::StoreResult<$crate::domain::charter::Charter> {
                let mut tx = self.begin_write().await?;
                let mut charter = Self::charter_in(&mut tx, id.0, true).await?;
                charter.sections = sections
                    .into_iter()
                    .map(|new| $crate::domain::charter::Section {
                        id: $crate::domain::ids::SectionId::new(),
                        kind: new.kind,
                        title: new.title,
                        body: new.body,
                    })
                    .collect();
                self.finish_version(tx, charter, "imported", actor).await
            }
        }
    };
}

pub(crate) use document_store;
