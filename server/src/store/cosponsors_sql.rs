//! Co-sponsors of proposals, written once for both backends (see
//! `accounts_sql.rs`): the author organization invites, a delegate of the
//! invited one accepts; the rules are `domain::proposal`'s.

/// A co-sponsorship row: the organization's columns and whether it accepted.
macro_rules! cosponsor_select {
    () => {
        "SELECT c.proposal_id, c.accepted_at IS NOT NULL AS accepted, \
         o.id AS org_id, o.name AS org_name, o.short_name AS org_short_name, \
         o.kind AS org_kind, o.active AS org_active \
         FROM proposal_cosponsors c JOIN organizations o ON o.id = c.organization_id"
    };
}

macro_rules! cosponsor_store {
    ($store:ty, $db:ty) => {
        // The block scopes these imports to this expansion.
        const _: () = {
            use $crate::domain::account::User;
            use $crate::domain::event_payload::ProposalChange;
            use $crate::domain::ids::{OrganizationId, ProposalId};
            use $crate::domain::proposal::{self as rules, Proposal};
            use $crate::store::rows_drafting::CosponsorRow;
            use $crate::store::{cosponsors_sql, CosponsorStore, StoreError, StoreResult};

            impl $store {
                /// Fills each proposal's co-sponsors (accepted and invited),
                /// in one query for the lot.
                pub(crate) async fn with_cosponsors_in(
                    conn: &mut <$db as sqlx::Database>::Connection,
                    document: uuid::Uuid,
                    only: Option<uuid::Uuid>,
                    proposals: &mut [Proposal],
                ) -> StoreResult<()> {
                    let rows: Vec<CosponsorRow> = sqlx::query_as(concat!(
                        cosponsors_sql::cosponsor_select!(),
                        " JOIN proposals p ON p.id = c.proposal_id \
                         WHERE p.document_id = $1 AND ($2 IS NULL OR c.proposal_id = $2) ORDER BY o.name"
                    ))
                    .bind(document)
                    .bind(only)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(Self::err)?;
                    for row in rows {
                        let proposal_id = row.proposal_id;
                        let accepted = row.accepted;
                        let organization = row.organization()?;
                        if let Some(proposal) = proposals.iter_mut().find(|p| p.id.0 == proposal_id) {
                            if accepted {
                                proposal.cosponsors.push(organization);
                            } else {
                                proposal.invited_cosponsors.push(organization);
                            }
                        }
                    }
                    Ok(())
                }
            }

            #[async_trait::async_trait]
            impl CosponsorStore for $store {
                async fn invite_cosponsor(
                    &self,
                    id: ProposalId,
                    organization: OrganizationId,
                    actor: &User,
                ) -> StoreResult<Proposal> {
                    let mut tx = self.begin_write().await?;
                    let proposal = Self::lock_proposal(&mut tx, id.0).await?;
                    let invited = Self::organization_in(&mut tx, organization.0).await.map_err(|err| match err {
                        StoreError::NotFound(_) => StoreError::Invalid($crate::domain::limits::Invalid::new(
                            "organization_id",
                            "no such organization",
                        )),
                        other => other,
                    })?;
                    rules::check_cosponsor_invitation(actor, &proposal.facts(), &invited)?;
                    let known =
                        proposal.cosponsors.iter().chain(&proposal.invited_cosponsors).any(|o| o.id == organization);
                    if known {
                        return Err(StoreError::Conflict(format!("{} was already invited to co-sign", invited.name)));
                    }
                    sqlx::query(
                        "INSERT INTO proposal_cosponsors (proposal_id, organization_id, invited_by, invited_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(id.0)
                    .bind(organization.0)
                    .bind(actor.id.0)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    self.finish_proposal_change(tx, id.0, ProposalChange::Cosponsors, actor).await
                }

                async fn accept_cosponsorship(&self, id: ProposalId, actor: &User) -> StoreResult<Proposal> {
                    use $crate::domain::account::Role;
                    let mut tx = self.begin_write().await?;
                    let proposal = Self::lock_proposal(&mut tx, id.0).await?;
                    let invited = proposal.invited_cosponsors.iter().any(|o| o.id == actor.organization.id);
                    if !(actor.active && actor.role == Role::Delegate && invited) {
                        return Err(StoreError::Forbidden(
                            "only a delegate of an organization invited to co-sign may accept".into(),
                        ));
                    }
                    rules::check_text_open(&proposal.facts())?;
                    sqlx::query(
                        "UPDATE proposal_cosponsors SET accepted_by = $3, accepted_at = $4 \
                         WHERE proposal_id = $1 AND organization_id = $2",
                    )
                    .bind(id.0)
                    .bind(actor.organization.id.0)
                    .bind(actor.id.0)
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await
                    .map_err(Self::err)?;
                    self.finish_proposal_change(tx, id.0, ProposalChange::Cosponsors, actor).await
                }
            }
        };
    };
}

pub(crate) use {cosponsor_select, cosponsor_store};
