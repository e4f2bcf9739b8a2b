//! The objection map's stances, written once for both backends (see
//! `accounts_sql.rs`); the rules are `domain::stance`'s.

macro_rules! stance_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::User;
            use $crate::domain::ballot_record::EligibleOrganization;
            use $crate::domain::ids::{DocumentId, SectionId};
            use $crate::domain::phase::{self, Act};
            use $crate::domain::stance::{self, Said, SectionStances, Stance};
            use $crate::store::{StanceStore, StoreError, StoreResult};

            impl $store {
                /// Every stance said on this document's articles.
                pub(crate) async fn said_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: uuid::Uuid,
                ) -> StoreResult<Vec<Said>> {
                    let rows: Vec<(uuid::Uuid, uuid::Uuid, String, String, String)> = sqlx::query_as(
                        "SELECT s.section_id, s.organization_id, o.name, s.stance, s.reason FROM stances s \
                         JOIN organizations o ON o.id = s.organization_id WHERE s.document_id = $1 ORDER BY o.name",
                    )
                    .bind(document)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    rows.into_iter()
                        .map(|(section, organization, name, said, reason)| {
                            Ok(Said {
                                section_id: section.into(),
                                organization: EligibleOrganization { id: organization.into(), name },
                                stance: Stance::parse(&said)
                                    .ok_or_else(|| StoreError::Corrupt(format!("stance {said:?}")))?,
                                reason,
                            })
                        })
                        .collect()
                }
            }

            #[async_trait::async_trait]
            impl StanceStore for $store {
                async fn set_stance(
                    &self,
                    section: SectionId,
                    said: Stance,
                    reason: String,
                    actor: &User,
                ) -> StoreResult<()> {
                    let mut tx = self.begin_write().await?;
                    let document = Self::document_of_section_in(&mut tx, section).await?;
                    let charter = Self::charter_in(&mut tx, document, false).await?;
                    phase::check_act(charter.stage, Act::Revise, actor, chrono::Utc::now())
                        .or_else(|refusal| match charter.stage.phase {
                            // Organizations say where they stand while the votes are prepared.
                            phase::Phase::Voting => Ok(()),
                            _ => Err(refusal),
                        })?;
                    let target = charter.sections.iter().find(|s| s.id == section).ok_or(StoreError::NotFound("section"))?;
                    stance::check_stance(actor, target, said, &reason)?;
                    sqlx::query(
                        "INSERT INTO stances (section_id, document_id, organization_id, stance, reason, said_by, said_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (section_id, organization_id) \
                         DO UPDATE SET stance = $4, reason = $5, said_by = $6, said_at = $7",
                    )
                    .bind(section.0)
                    .bind(document)
                    .bind(actor.organization.id.0)
                    .bind(said.as_str())
                    .bind(&reason)
                    .bind(actor.id.0)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    tx.commit().await.map_err(Self::err)?;
                    Ok(())
                }

                async fn stance_map(&self, document: DocumentId) -> StoreResult<Vec<SectionStances>> {
                    let mut conn = self.begin_read().await?;
                    let charter = Self::charter_in(&mut conn, document.0, false).await?;
                    let members: Vec<(uuid::Uuid, String)> = sqlx::query_as(
                        "SELECT id, name FROM organizations WHERE kind = 'member' AND active = TRUE ORDER BY name",
                    )
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    let members: Vec<EligibleOrganization> =
                        members.into_iter().map(|(id, name)| EligibleOrganization { id: id.into(), name }).collect();
                    let said = Self::said_in(&mut conn, document.0).await?;
                    Ok(stance::stance_map(&charter.sections, &members, &said))
                }
            }
        };
    };
}

pub(crate) use stance_store;
