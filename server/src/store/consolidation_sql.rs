//! Consolidated texts: the secretariat's proposal that replaces open
//! proposals on its article, written once for both backends (see
//! `accounts_sql.rs`); the rule is `domain::consolidation`'s.

macro_rules! consolidation_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::User;
            use $crate::domain::event::NewEvent;
            use $crate::domain::event_payload::ProposalChange;
            use $crate::domain::ids::{DocumentId, ProposalId};
            use $crate::domain::proposal::Proposal;
            use $crate::store::{NewProposal, StoreError, StoreResult};

            impl $store {
                /// The proposals a consolidated text would replace, checked.
                pub(crate) async fn check_supersedes_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: DocumentId,
                    new: &NewProposal,
                    actor: &User,
                ) -> StoreResult<Vec<Proposal>> {
                    let mut replaced = Vec::new();
                    for id in &new.supersedes {
                        match Self::proposal_in(conn, id.0).await {
                            Ok(found) if found.document_id == document => replaced.push(found),
                            Ok(_) | Err(StoreError::NotFound(_)) => {}
                            Err(other) => return Err(other),
                        }
                    }
                    let facts: Vec<_> = replaced.iter().map(Proposal::facts).collect();
                    $crate::domain::consolidation::check_supersedes(actor, new.section_id, &new.supersedes, &facts)?;
                    Ok(replaced)
                }

                /// `replaced` become `superseded` by `by`, each linking to it and
                /// it listing them; their organizations are told.
                pub(crate) async fn supersede_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    by: ProposalId,
                    replaced: &[Proposal],
                ) -> StoreResult<Vec<NewEvent>> {
                    if replaced.is_empty() {
                        return Ok(Vec::new());
                    }
                    let ids: Vec<ProposalId> = replaced.iter().map(|p| p.id).collect();
                    let list = serde_json::to_string(&ids).map_err(|err| StoreError::Corrupt(err.to_string()))?;
                    sqlx::query("UPDATE proposals SET supersedes = $2 WHERE id = $1")
                        .bind(by.0)
                        .bind(list)
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                    let mut events = Vec::new();
                    for old in replaced {
                        sqlx::query(
                            "UPDATE proposals SET status = 'superseded', superseded_by = $2, updated_at = $3 WHERE id = $1",
                        )
                        .bind(old.id.0)
                        .bind(by.0)
                        .bind(chrono::Utc::now())
                        .execute(&mut *conn)
                        .await
                        .map_err(Self::err)?;
                        events.extend(Self::proposal_events(conn, old.id.0, ProposalChange::Status).await?.1);
                    }
                    Ok(events)
                }
            }
        };
    };
}

pub(crate) use consolidation_store;
