//! A document's phase and shape, written once for both backends (see
//! `accounts_sql.rs`): the rules come from `domain::phase`,
//! `domain::structure` and `domain::references`, checked inside the
//! writing transaction with the document row locked.

macro_rules! structure_store {
    ($store:ty, $db:ty, for_update = $for_update:literal) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::User;
            use $crate::domain::charter::Charter;
            use $crate::domain::event::{NewEvent, Topic};
            use $crate::domain::event_payload::PhaseData;
            use $crate::domain::ids::{DocumentId, SectionId};
            use $crate::domain::phase::{self, Act, Stage};
            use $crate::domain::{references, structure};
            use $crate::store::{DocumentChange, StoreError, StoreResult, StructureStore};

            impl $store {
                /// The document a section belongs to, or `NotFound`.
                async fn document_of_section_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    section: SectionId,
                ) -> StoreResult<uuid::Uuid> {
                    let document: Option<uuid::Uuid> =
                        sqlx::query_scalar("SELECT document_id FROM sections WHERE id = $1")
                            .bind(section.0)
                            .fetch_optional(&mut *conn)
                            .await
                            .map_err(Self::err)?;
                    document.ok_or(StoreError::NotFound("section"))
                }

                /// The charter locked for a change by the secretariat, once
                /// the phase allows one.
                async fn charter_for_edit_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: uuid::Uuid,
                    actor: &User,
                ) -> StoreResult<Charter> {
                    let charter = Self::charter_in(conn, document, true).await?;
                    phase::check_act(charter.stage, Act::EditText, actor, chrono::Utc::now())?;
                    Self::check_no_open_approval_in(conn, document).await?;
                    Ok(charter)
                }

                /// The open proposals on sections that left the text become
                /// `outdated`, and each organization is told.
                pub(crate) async fn orphan_proposals_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    removed: &[SectionId],
                ) -> StoreResult<Vec<NewEvent>> {
                    let mut events = Vec::new();
                    for section in removed {
                        let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
                            "UPDATE proposals SET outdated = TRUE \
                             WHERE section_id = $1 AND status IN ('open', 'voting') RETURNING id",
                        )
                        .bind(section.0)
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                        for id in ids {
                            let proposal = Self::proposal_in(conn, id).await?;
                            events.push(NewEvent::proposal_orphaned(Topic::Document(proposal.document_id), &proposal));
                            events.push(NewEvent::proposal_orphaned(Topic::Proposal(proposal.id), &proposal));
                        }
                    }
                    Ok(events)
                }

                /// References to `removed` from open proposals' current texts.
                async fn proposal_breaks_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: uuid::Uuid,
                    removed: &[SectionId],
                ) -> StoreResult<Vec<references::Break>> {
                    let mut breaks = Vec::new();
                    for target in removed {
                        let rows: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                            "SELECT p.id, p.title FROM proposals p JOIN proposal_revisions r ON r.proposal_id = p.id \
                             AND r.number = (SELECT MAX(number) FROM proposal_revisions WHERE proposal_id = p.id) \
                             WHERE p.document_id = $1 AND p.status IN ('open', 'voting', 'passed') \
                             AND r.body LIKE $2 ORDER BY p.id",
                        )
                        .bind(document)
                        .bind(format!("%[[ref:{}]]%", target.0))
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                        breaks.extend(rows.into_iter().map(|(id, title)| references::Break {
                            target: *target,
                            from_kind: "proposal".into(),
                            from_id: id,
                            from_label: title,
                        }));
                    }
                    Ok(breaks)
                }
            }

            #[async_trait::async_trait]
            impl StructureStore for $store {
                async fn update_document(
                    &self,
                    id: DocumentId,
                    change: DocumentChange,
                    actor: &User,
                ) -> StoreResult<Charter> {
                    let mut tx = self.begin_write().await?;
                    let mut charter = Self::charter_in(&mut tx, id.0, true).await?;
                    let from = charter.stage;
                    use chrono::SubsecRound;
                    let to_phase = change.phase.unwrap_or(from.phase);
                    // Both engines keep microseconds: what is answered is what is stored.
                    let change = DocumentChange {
                        amendments_close_at: change.amendments_close_at.map(|at| at.trunc_subsecs(6)),
                        ..change
                    };
                    let to = Stage {
                        phase: to_phase,
                        amendments_close_at: match change.amendments_close_at {
                            Some(at) => Some(at),
                            None if to_phase == phase::Phase::Amendments && change.phase.is_none() => {
                                from.amendments_close_at
                            }
                            None => None,
                        },
                    };
                    if to != from || from.phase == phase::Phase::Final {
                        // Nothing changes a final document, not even its title.
                        phase::check_change(from, to, chrono::Utc::now())?;
                    }
                    let mut events = Vec::new();
                    if to != from {
                        sqlx::query("UPDATE documents SET phase = $2, amendments_close_at = $3 WHERE id = $1")
                            .bind(id.0)
                            .bind(to.phase.as_str())
                            .bind(to.amendments_close_at)
                            .execute(&mut *tx)
                            .await
                            .map_err(Self::err)?;
                        charter.stage = to;
                    }
                    if let Some(title) = change.title.filter(|title| *title != charter.title) {
                        charter.title = title;
                        events.push(Self::save_version(&mut tx, &mut charter, "renamed", actor, None).await?);
                    }
                    if to != from {
                        events.push(NewEvent::phase(PhaseData {
                            document_id: id,
                            title: charter.title.clone(),
                            stage: to,
                        }));
                    }
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(charter)
                }

                async fn delete_section(
                    &self,
                    section: SectionId,
                    force: bool,
                    actor: &User,
                ) -> StoreResult<Charter> {
                    let mut tx = self.begin_write().await?;
                    let document = Self::document_of_section_in(&mut tx, section).await?;
                    let mut charter = Self::charter_for_edit_in(&mut tx, document, actor).await?;
                    if !force {
                        let mut breaks = references::breaks_in_text(&[section], &charter.sections);
                        breaks.extend(Self::proposal_breaks_in(&mut tx, document, &[section]).await?);
                        if !breaks.is_empty() {
                            return Err(StoreError::WouldBreak(breaks));
                        }
                    }
                    charter.sections.retain(|candidate| candidate.id != section);
                    let mut events = vec![Self::save_version(&mut tx, &mut charter, "section_deleted", actor, None).await?];
                    events.extend(Self::orphan_proposals_in(&mut tx, &[section]).await?);
                    let events = Self::append_events(&mut tx, Some(actor), events).await?;
                    self.commit_and_publish(tx, events).await?;
                    Ok(charter)
                }

                async fn move_section(
                    &self,
                    section: SectionId,
                    after: Option<SectionId>,
                    actor: &User,
                ) -> StoreResult<Charter> {
                    let mut tx = self.begin_write().await?;
                    let document = Self::document_of_section_in(&mut tx, section).await?;
                    let mut charter = Self::charter_for_edit_in(&mut tx, document, actor).await?;
                    charter.sections = structure::moved(&charter.sections, section, after).map_err(StoreError::Invalid)?;
                    self.finish_version(tx, charter, "section_moved", actor).await
                }
            }
        };
    };
}

pub(crate) use structure_store;
